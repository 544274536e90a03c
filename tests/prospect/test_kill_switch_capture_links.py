"""Issue 17 items 14, 15, 18: the kill switch reaches every open session on its next request and a dropped
session finishes the classic form; back + resubmit of the same email is one Lead; a used personalized link
leads to sign-in, never into the account."""

import re

import pytest
from django.test import Client

from enrichment.models import EnrichmentRun, Lead
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.prospect.links import warm_link_path
from onboarding.services import session as flow
from tests.swarm_support import swarm_switch

from .conftest import capture, run_agents, session_of, walk_to_confirm, walk_to_trial, walk_to_workspace

pytestmark = pytest.mark.django_db


def test_the_kill_switch_sends_every_open_session_s1_to_s9_to_the_classic_form_on_its_next_request(swarm_on, datasets):
    at = {}
    s1 = Client()
    s1.post("/start/", {"email": "", "key": "x"})  # nothing yet
    waiting = flow.session_start(source="search", idempotency_key="s1")
    from onboarding.prospect.access import SESSION_KEY

    store = s1.session
    store[SESSION_KEY] = [str(waiting.pk)]
    store.save()
    at[S.S1_AWAIT_EMAIL] = (s1, waiting)
    c = Client()
    capture(c, "ann@squiresconstruction.com", key="s2")
    at[S.S2_ENRICHING] = (c, session_of(c))
    c = Client()
    at[S.S3_CONFIRM] = (c, walk_to_confirm(c, "bo@squiresconstruction.com"))
    c = Client()
    at[S.S5_VALUE] = (c, walk_to_workspace(c, "cy@squiresconstruction.com"))
    c = Client()
    at[S.S9_TRIAL] = (c, walk_to_trial(c, "di@squiresconstruction.com"))
    for state, (_, session) in at.items():
        assert OnboardingSession.objects.get(pk=session.pk).state == state

    swarm_switch(False)  # no sweep runs: each next request does it
    for state, (client, session) in at.items():
        response = client.get(f"/start/s/{session.pk}/")
        assert response.status_code == 302 and response["Location"].endswith("/setup/"), (state, response)
        fresh = OnboardingSession.objects.get(pk=session.pk)
        assert fresh.state == S.FALLBACK_FORM and fresh.reason == "kill_switch" and fresh.state_before == state
    # the trial user finishes the classic form and is back on the trial (no second account)
    client, session = at[S.S9_TRIAL]
    walk_classic_form(client, session)
    assert OnboardingSession.objects.get(pk=session.pk).state == S.S9_TRIAL


def walk_classic_form(client, session):
    """Post each step the form shows (any it skips was known), then finish."""
    for _ in range(8):
        page = client.get(f"/start/s/{session.pk}/setup/")
        if page.status_code == 302:
            return page
        step = page.context["step"]
        data = {
            "organization_type": {"org_type": "contractor"},
            "service_area": {"service_area": "Austin TX"},
            "trades": {"trades": []},
            "market_sectors": {"sectors": ["commercial"]},
            "invitations": {},
        }[step]
        response = client.post(f"/start/s/{session.pk}/setup/{step}/", data)
        assert response.status_code == 302, response.content[:500]
        if step == "invitations":
            return response
    raise AssertionError("the classic form never finished")


def test_a_session_dropped_at_s3_finishes_the_classic_form_to_activation(client, swarm_on, datasets):
    session = walk_to_confirm(client)
    assert session.state == S.S3_CONFIRM
    swarm_switch(False)
    page = client.get(f"/start/s/{session.pk}/confirm/", follow=True)
    steps = [s for s, _ in page.context["step_list"]]
    assert "organization_type" not in steps  # the Profile knows it at θ: not asked again …
    assert session_of(client).fallback.org_type == "contractor"  # … and stored, so "Finish" does not loop
    response = walk_classic_form(client, session)
    assert response["Location"].endswith("/activate/")
    response = client.post(response["Location"], {"password": "a-long-password", "name": "Bo"})
    assert response.status_code == 302 and response["Location"].endswith("/trial/")
    assert OnboardingSession.objects.get(pk=session.pk).state == S.S9_TRIAL


def test_back_and_resubmit_of_the_same_email_makes_no_second_lead(client, swarm_on, datasets):
    first = capture(client, "joe@squiresconstruction.com", key="form-1")
    session = session_of(client)
    run_agents(session.lead)
    # back, the lander reloaded (a new form key), the same email again; and once more in another browser
    again = capture(client, "Joe@SquiresConstruction.com ", key="form-2")
    other = Client()
    capture(other, "joe@squiresconstruction.com", key="form-3")
    assert Lead.objects.filter(email="joe@squiresconstruction.com").count() == 1
    assert EnrichmentRun.objects.count() == 1 and OnboardingSession.objects.count() == 1
    assert again["Location"] == f"/start/s/{session.pk}/confirm/" != first["Location"]
    assert session_of(other).pk == session.pk


def test_an_activated_account_is_not_rejoined_by_typing_its_email(client, swarm_on, datasets):
    session = walk_to_trial(client)
    stranger = Client()
    capture(stranger, "joe@squiresconstruction.com", key="later")
    assert session_of(stranger).pk != session.pk


def warm(email="ann@squiresconstruction.com"):
    s = flow.session_start(
        source="plg_invite",
        idempotency_key=f"plg:{email}",
        warmth="warmest",
        email=email,
        name="Ann Squires",
        title="Estimator",
    )
    run_agents(s.lead)
    return s


def test_a_used_personalized_link_after_activation_leads_to_sign_in_not_the_account(swarm_on, datasets):
    s = warm()
    link = warm_link_path(s.lead)
    ann = Client()
    response = ann.get(link)
    assert response["Location"].endswith("/workspace/")
    from enrichment.models import Pursuit

    pursuit = Pursuit.objects.filter(lead=s.lead).first()
    ann.post(f"/start/s/{s.pk}/question/", {"pursuit": str(pursuit.pk)} if pursuit else {"project_name": "Next"})
    ann.post(f"/start/s/{s.pk}/takeoff/")
    activate = ann.get(f"/start/s/{s.pk}/activate/")
    assert "name" not in activate.context["form"].fields  # the warm link carried her name: not asked again
    assert ann.post(f"/start/s/{s.pk}/activate/", {"password": "a-long-password"})["Location"].endswith("/trial/")

    fresh = Client()
    response = fresh.get(link)
    assert response.status_code == 302 and re.match(r"^/accounts/login/\?next=", response["Location"])
    assert fresh.get(f"/start/s/{s.pk}/trial/").status_code == 404  # nothing was granted to this browser
    page = fresh.get(response["Location"])
    assert page.status_code == 200
    signed_in = fresh.post(
        response["Location"], {"username": "ann@squiresconstruction.com", "password": "a-long-password"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0].endswith("/trial/")
