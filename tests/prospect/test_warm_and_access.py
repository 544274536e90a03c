"""Warm links (signed, expiring, tamper-evident), and who may open a prospect session."""

import datetime as dt

import pytest
from django.test import Client

from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import SessionState as S
from onboarding.prospect.links import warm_link_path
from onboarding.services import session as flow
from tests.factories import EmployeeFactory

from .conftest import run_agents, walk_to_workspace

pytestmark = pytest.mark.django_db


def warm_session(email="ann@squiresconstruction.com", title="Estimator"):
    session = flow.session_start(
        source="plg_invite",
        idempotency_key=f"plg:{email}",
        warmth="warmest",
        email=email,
        name="Ann Squires",
        title=title,
    )
    run_agents(session.lead)  # async_prefetch: all six ran before she arrives
    return session


def test_warm_link_skips_email_and_confirm_when_the_role_is_known(client, swarm_on, datasets):
    session = warm_session()
    response = client.get(warm_link_path(session.lead))
    session.refresh_from_db()
    assert session.state == S.S5_VALUE
    assert response["Location"] == f"/start/s/{session.pk}/workspace/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'type="email"' not in page.content and b'name="role"' not in page.content
    assert Event.objects.filter(subject_id=str(session.pk), type="lead.identified").count() == 1
    assert not Event.objects.filter(subject_id=str(session.pk), type="email.submitted").exists()
    confirmed = Event.objects.get(subject_id=str(session.pk), type="onboarding.confirmed")
    assert confirmed.payload["system"] is True  # passed S3 by a system transition, no screen
    # the link again (another tab, a refresh): same place, nothing replayed
    again = client.get(warm_link_path(session.lead))
    assert again["Location"] == response["Location"]
    assert Event.objects.filter(subject_id=str(session.pk), type="lead.identified").count() == 1


def test_tampered_warm_link_is_refused_with_a_clear_page(client, swarm_on, datasets):
    session = warm_session()
    path = warm_link_path(session.lead)
    token = path.split("/start/w/")[1].rstrip("/")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/start/w/{tampered}/")
    assert response.status_code == 400 and b"This link isn" in response.content
    assert client.get("/start/w/garbage/").status_code == 400
    session.refresh_from_db()
    assert session.state == S.S0_ENTRY and not client.session.get("prospect_sessions")


def test_expired_warm_link_is_refused_with_a_clear_page(client, swarm_on, datasets, settings):
    settings.PROSPECT_WARM_LINK_MAX_AGE_DAYS = 14
    with clock.frozen(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)):
        session = warm_session()
        path = warm_link_path(session.lead)
    with clock.frozen(dt.datetime(2026, 3, 16, tzinfo=dt.UTC)):
        response = client.get(path)
    assert response.status_code == 410 and b"This link has expired" in response.content
    session.refresh_from_db()
    assert session.state == S.S0_ENTRY


PAGES = (
    "",
    "email/",
    "enriching/",
    "enriching/status/",
    "confirm/",
    "workspace/",
    "activate/",
    "trial/",
    "card/demo/",
    "team/",
    "setup/",
    "homeowner/",
    "specialist/",
    "expired/",
)


def test_a_prospect_cannot_open_another_prospects_session_by_id(swarm_on, datasets):
    owner = Client()
    session = walk_to_workspace(owner)
    assert owner.get(f"/start/s/{session.pk}/workspace/").status_code == 200
    stranger = Client()
    walk_to_workspace(stranger, email="sam@squiresconstruction.com")  # a prospect with a session of their own
    for page in PAGES:
        assert stranger.get(f"/start/s/{session.pk}/{page}").status_code == 404, page
    for page in ("confirm/", "question/", "takeoff/", "activate/", "card/", "team/"):
        assert stranger.post(f"/start/s/{session.pk}/{page}", {}).status_code == 404, page
    staff = Client()
    staff.force_login(EmployeeFactory(role="ae").user)
    assert staff.get(f"/start/s/{session.pk}/workspace/").status_code == 404
    session.refresh_from_db()
    assert session.state == S.S5_VALUE


def test_the_user_a_session_became_opens_it_anywhere_and_its_own_browser_needs_no_user_lookup(swarm_on, datasets):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import walk_to_trial

    browser = Client()
    session = walk_to_trial(browser)  # activated: the session became a signed-in user
    with CaptureQueriesContext(connection) as ctx:
        assert browser.get(f"/start/s/{session.pk}/trial/").status_code == 200
    assert not [q for q in ctx.captured_queries if '"auth_user"' in q["sql"]]  # found by the browser's own list
    laptop = Client()
    laptop.force_login(session.user)  # the same person signing in elsewhere: no session ids in this browser
    assert laptop.get(f"/start/s/{session.pk}/trial/").status_code == 200
    other = Client()
    other_session = walk_to_trial(other, email="sam@squiresconstruction.com")
    assert other.get(f"/start/s/{session.pk}/trial/").status_code == 404
    elsewhere = Client()
    elsewhere.force_login(other_session.user)
    assert elsewhere.get(f"/start/s/{session.pk}/trial/").status_code == 404
