"""Prospect pages: a test client per browser, helpers that walk a session through the flow."""

from __future__ import annotations

import pytest
from django.test import Client

from enrichment.models import Lead
from onboarding.models import OnboardingSession
from tests.swarm_support import datasets, run_agents, swarm_on  # noqa: F401

COLD_EMAIL = "joe@squiresconstruction.com"


def session_of(client_or_lead) -> OnboardingSession:
    if isinstance(client_or_lead, Lead):
        return OnboardingSession.objects.get(lead=client_or_lead)
    ids = client_or_lead.session["prospect_sessions"]
    return OnboardingSession.objects.get(pk=ids[0])


def capture(client: Client, email: str = COLD_EMAIL, key: str = "k1", **extra):
    return client.post("/start/", {"email": email, "key": key, **extra})


def walk_to_confirm(client: Client, email: str = COLD_EMAIL) -> OnboardingSession:
    response = capture(client, email, key=f"k-{email}")
    assert response.status_code == 302, response.content[:400]
    session = session_of(client)
    run_agents(session.lead)
    session.refresh_from_db()
    return session


def walk_to_workspace(client: Client, email: str = COLD_EMAIL, role: str = "owner_exec") -> OnboardingSession:
    return confirm_as(client, walk_to_confirm(client, email), role)


def confirm_as(client: Client, session: OnboardingSession, role: str = "owner_exec") -> OnboardingSession:
    """Tap through the confirm screen as a browser would, answering the role (and any ask) — to S5."""
    page = client.get(f"/start/s/{session.pk}/confirm/")
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        if name.startswith("fix_"):  # a chip's correction control: left as shown (no correction)
            if form.initial.get(name) not in (None, "", []):
                data[name] = form.initial[name]
        elif name == "role":
            data[name] = role
        elif name == "sectors":
            data[name] = ["commercial"]
        elif hasattr(field, "choices") and field.choices:
            data[name] = [c for c, _ in field.choices if c][0]
        else:
            data[name] = "Austin TX"
    response = client.post(f"/start/s/{session.pk}/confirm/", data)
    assert response.status_code == 302, response.content[:800]
    session.refresh_from_db()
    return session


@pytest.fixture
def client():
    return Client()


def walk_to_trial(client: Client, email: str = COLD_EMAIL) -> OnboardingSession:
    from enrichment.models import Pursuit

    session = walk_to_workspace(client, email)
    pursuit = Pursuit.objects.filter(lead=session.lead).first()
    client.post(
        f"/start/s/{session.pk}/question/", {"pursuit": str(pursuit.pk)} if pursuit else {"project_name": "Next bid"}
    )
    client.post(f"/start/s/{session.pk}/takeoff/")
    response = client.post(f"/start/s/{session.pk}/activate/", {"password": "a-long-password", "name": "Joe"})
    assert response.status_code == 302, response.content[:600]
    session.refresh_from_db()
    return session
