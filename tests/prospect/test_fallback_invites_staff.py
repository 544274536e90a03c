"""The classic form (kill switch / flags off / enrichment failed), team invites with their own warm links,
the expansion hand-off, the sales re-engage queue and RevOps' funnel."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from enrichment.models import Lead
from gtmos.core import clock
from onboarding.models import OnboardingSession, OrgMember, SessionSettings, TeamInvite
from onboarding.models import SessionState as S
from onboarding.services import session as flow
from tests.factories import EmployeeFactory
from tests.swarm_support import flags, swarm_switch

from .conftest import capture, session_of, walk_to_trial, walk_to_workspace

pytestmark = pytest.mark.django_db


def walk_fallback(client, session):
    assert client.get(f"/start/s/{session.pk}/")["Location"] == f"/start/s/{session.pk}/setup/"
    page = client.get(f"/start/s/{session.pk}/setup/")
    assert page.context["step"] == "organization_type"
    bad = client.post(f"/start/s/{session.pk}/setup/organization_type/", {})
    assert bad.status_code == 400 and bad.context["form"].errors["org_type"]
    r = client.post(f"/start/s/{session.pk}/setup/organization_type/", {"org_type": "sub_contractor"})
    assert r["Location"].endswith("/setup/service_area/")
    r = client.post(f"/start/s/{session.pk}/setup/service_area/", {"service_area": "Austin TX, Dallas TX"})
    r = client.post(f"/start/s/{session.pk}/setup/trades/", {"trades": ["drywall"]})
    r = client.post(f"/start/s/{session.pk}/setup/market_sectors/", {"sectors": ["healthcare"]})
    assert r["Location"].endswith("/setup/invitations/")
    back = client.get(f"/start/s/{session.pk}/setup/service_area/")  # back: the answer is still there
    assert "Austin TX" in back.content.decode()
    r = client.post(f"/start/s/{session.pk}/setup/invitations/")
    session.refresh_from_db()
    assert session.state == S.S8_ACTIVATE and r["Location"].endswith("/activate/")
    page = client.get(r["Location"])
    assert "company" in page.context["form"].fields  # nothing known: the classic form asks
    r = client.post(r["Location"], {"company": "Squires Drywall", "name": "Joe", "password": "a-long-password"})
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL
    assert OrgMember.objects.get(user=session.user).role == OrgMember.Role.OWNER
    fb = session.fallback
    assert fb.org_type == "sub_contractor" and fb.trades == ["drywall"] and fb.sectors == ["healthcare"]
    return session


def test_kill_switch_on_the_classic_form_works_end_to_end(client, datasets):
    swarm_switch(False)
    flags(True)
    capture(client, key="ks")
    session = session_of(client)
    assert session.state == S.FALLBACK_FORM and session.reason == "kill_switch"
    assert session.lead.email == "joe@squiresconstruction.com"
    walk_fallback(client, session)


def test_flags_off_the_classic_form(client, datasets):
    swarm_switch(True)
    flags(False)
    capture(client, key="off")
    session = session_of(client)
    assert session.state == S.FALLBACK_FORM and session.reason == "flags_off"
    walk_fallback(client, session)


def test_enrichment_failed_goes_to_the_classic_form(client, swarm_on, datasets, settings):
    settings.SWARM_PROVIDERS = {
        **settings.SWARM_PROVIDERS,
        **{a: "tests.swarm_support.Failing" for a in ("domain_site", "classifier", "size_estimator", "role_resolver")},
    }
    from .conftest import run_agents

    capture(client, key="fail")
    session = session_of(client)
    run_agents(session.lead)
    status = client.get(f"/start/s/{session.pk}/enriching/status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == f"/start/s/{session.pk}/setup/"
    session.refresh_from_db()
    assert session.reason == "enrichment_failed"
    walk_fallback(client, session)


def test_invite_creates_a_warm_lead_with_its_own_link_and_the_teammate_joins_the_org(client, swarm_on, datasets):
    session = walk_to_trial(client)
    page = client.post(f"/start/s/{session.pk}/team/", {"email": "Mia@squiresconstruction.com", "role": "field"})
    assert page.status_code == 200
    link = page.context["link"]
    invite = TeamInvite.objects.get(session=session)
    assert invite.role == "field" and invite.surface == "field_ops" and invite.invitee_lead.warmth == "warmest"
    assert "/start/w/" in link and link in mail.outbox[0].body and mail.outbox[0].to == ["mia@squiresconstruction.com"]
    again = client.post(f"/start/s/{session.pk}/team/", {"email": "mia@squiresconstruction.com", "role": "field"})
    assert again.status_code == 200 and TeamInvite.objects.count() == 1 and Lead.objects.count() == 2
    bad = client.post(f"/start/s/{session.pk}/team/", {"email": "nope", "role": "field"})
    assert bad.status_code == 400 and bad.context["form"].errors["email"]

    from .conftest import run_agents

    run_agents(invite.invitee_lead)
    mia = Client()
    response = mia.get(link.split("testserver")[-1])
    teammate = OnboardingSession.objects.get(lead=invite.invitee_lead)
    assert response.status_code == 302
    assert teammate.pk != session.pk
    # she can open her own session and not the inviter's
    assert mia.get(f"/start/s/{session.pk}/workspace/").status_code == 404
    teammate.refresh_from_db()
    assert teammate.state in (S.S3_CONFIRM, S.S5_VALUE)


def test_expansion_over_the_seat_threshold_hands_off_with_the_reason(client, swarm_on, datasets):
    SessionSettings.objects.update_or_create(pk=1, defaults={"expansion_seats": 3})
    session = walk_to_trial(client)
    client.post(f"/start/s/{session.pk}/team/", {"email": "a@squiresconstruction.com", "role": "estimator"})
    r = client.post(f"/start/s/{session.pk}/team/", {"email": "b@squiresconstruction.com", "role": "pm"})
    session.refresh_from_db()
    assert session.state == S.W5_BATTLEPACK and session.state_before == S.S9_TRIAL
    assert r["Location"] == f"/start/s/{session.pk}/specialist/"
    page = client.get(r["Location"])
    assert b"3 seats" in page.content and b"Why:" in page.content
    sdr = Client()
    sdr.force_login(EmployeeFactory(role="sdr").user)
    queue = sdr.get("/prospects/reengage/")
    assert b"3 seats" in queue.content


def test_abandoned_session_shows_in_the_reengage_queue_for_sales_only(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    flow.sessions_timeout_sweep(now=clock.now() + dt.timedelta(days=15))
    session.refresh_from_db()
    assert session.state == S.ABANDONED and session.state_before == S.S5_VALUE
    assert client.get(f"/start/s/{session.pk}/")["Location"].endswith("/expired/")
    sdr = Client()
    sdr.force_login(EmployeeFactory(role="sdr").user)
    page = sdr.get("/prospects/reengage/")
    assert page.status_code == 200 and b"joe@squiresconstruction.com" in page.content
    csm = Client()
    csm.force_login(EmployeeFactory(role="csm").user)
    assert csm.get("/prospects/reengage/").status_code == 404
    assert Client().get("/prospects/reengage/").status_code == 302  # login


def test_funnel_for_revops_only_with_conversion_and_median_times(client, swarm_on, datasets):
    walk_to_trial(client)
    walk_to_workspace(Client(), email="sam@squiresconstruction.com")
    revops = Client()
    revops.force_login(EmployeeFactory(role="revops").user)
    page = revops.get("/prospects/funnel/")
    assert page.status_code == 200 and b"<svg" in page.content
    rows = {r.key: r for r in page.context["groups"]["all"]}
    assert rows["arrived"].reached == 2 and rows["routed"].reached == 2 and rows["value"].reached == 1
    assert (
        rows["activated"].reached == 1
        and rows["activated"].conversion == 0.5
        and rows["takeoff"].median_seconds is not None
    )
    by = revops.get("/prospects/funnel/?by=warmth").context["groups"]
    assert set(by) == {"cold"}
    by_track = revops.get("/prospects/funnel/?by=track").context["groups"]
    assert set(by_track) == {"self_serve"}
    ae = Client()
    ae.force_login(EmployeeFactory(role="ae").user)
    assert ae.get("/prospects/funnel/").status_code == 404


def test_funnel_is_computed_once_a_minute_and_says_as_of_when(client, swarm_on, datasets, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PROSPECT_FUNNEL_CACHE_SECONDS = 60
    cache.clear()
    walk_to_workspace(client)
    revops = Client()
    revops.force_login(EmployeeFactory(role="revops").user)
    first = revops.get("/prospects/funnel/")
    assert {r.key: r for r in first.context["groups"]["all"]}["arrived"].reached == 1
    assert f"as of {first.context['computed_at']:%H:%M}".encode() in first.content
    walk_to_workspace(Client(), email="sam@squiresconstruction.com")
    with CaptureQueriesContext(connection) as queries:
        again = revops.get("/prospects/funnel/")
    assert not [q for q in queries.captured_queries if "audit_event" in q["sql"]]  # served from the cache
    assert {r.key: r for r in again.context["groups"]["all"]}["arrived"].reached == 1
    assert set(revops.get("/prospects/funnel/?by=warmth").context["groups"]) == {"cold"}  # its own entry
    cache.clear()  # the minute is up
    assert {r.key: r for r in revops.get("/prospects/funnel/").context["groups"]["all"]}["arrived"].reached == 2
