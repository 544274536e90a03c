"""The MAP as a shared plan (issue 20): a signed, read-only link for the customer's stakeholders that shows the
plan and its owners without internal notes, refuses a tampered or expired link, is 404 once revoked, and draws
a milestone timeline that marks overdue milestones."""

import re
import time

import pytest
from django.core import signing

from gtmos.audit.models import Event
from onboarding.models import MapShareLink, MutualActionPlan
from onboarding.services import map_share
from tests.onboarding.conftest import World

SECRETS = {
    "risk_notes": "RISK-NOTE-SECRET",
    "rejection_reason": "REJECTION-SECRET",
    "slm_override_note": "SLM-NOTE-SECRET",
    "targets_escalation_note": "ESCALATION-SECRET",
    "technical_win_details": "TECH-WIN-SECRET",
}


@pytest.fixture
def world(db, frozen_clock):
    return World()


@pytest.fixture
def shared(world, client):
    plan = world.close(world.deal())
    MutualActionPlan.objects.filter(pk=plan.map_id).update(
        selected_value_events=[{"value_event_id": world.value_event.pk, "target_date": "2026-04-01"}],
        customer_stakeholder_map=[{"contact_id": world.sponsor.pk, "role": "executive_sponsor"}],
        selling_team_commitments="Admin training in week 2\nSSO connector live by day 30",
        **SECRETS,
    )
    plan.kickoff_brief = {"objections": ["KICKOFF-SECRET"]}
    plan.save(update_fields=["kickoff_brief"])
    client.force_login(world.csm.user)
    response = client.post(f"/onboarding/maps/{plan.map_id}/share/")
    assert response.status_code == 302
    link = MapShareLink.objects.get(map_id=plan.map_id)
    client.logout()  # the customer is nobody we know
    return world, plan, link, f"/onboarding/share/map/{map_share.token_for(link)}/"


def test_the_customer_link_shows_the_plan_and_its_owners_without_internal_notes(shared, client):
    world, plan, link, url = shared
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Corp" in body and "First report exported with live data" in body and "1 Apr 2026" in body
    assert "Eve Exec" in body and "Executive sponsor" in body
    assert "SSO connector live by day 30" in body
    assert all(m.name in body for m in plan.milestones.all())
    assert world.csm.name in body  # owners are shown
    for secret in [*SECRETS.values(), "KICKOFF-SECRET"]:
        assert secret not in body, secret
    assert response["Referrer-Policy"] == "no-referrer" and "noindex" in response["X-Robots-Tag"]
    assert MapShareLink.objects.get(pk=link.pk).opens == 1
    assert Event.objects.filter(type="onboarding.map_shared", subject_id=str(plan.map_id)).count() == 1


def test_a_tampered_link_is_refused(shared, client):
    *_, url = shared
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/onboarding/share/map/{tampered}/").status_code == 400
    forged_id = token.replace(token[:8], "00000000", 1)  # another link id under the old signature
    assert client.get(f"/onboarding/share/map/{forged_id}/").status_code == 400
    assert "not valid" in client.get(f"/onboarding/share/map/{tampered}/").content.decode()


def test_an_expired_link_is_refused(shared, client, monkeypatch):
    world, plan, link, _ = shared
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: real() - (map_share.MAX_AGE_DAYS + 1) * 86400)
        old_token = map_share.token_for(link)
    response = client.get(f"/onboarding/share/map/{old_token}/")
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_revoked_link_is_404_and_a_new_one_works(shared, client):
    world, plan, link, url = shared
    client.force_login(world.am.user)
    assert client.post(f"/onboarding/maps/{plan.map_id}/share/{link.pk}/revoke/").status_code == 302
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(world.csm.user)
    client.post(f"/onboarding/maps/{plan.map_id}/share/")
    fresh = MapShareLink.objects.filter(map_id=plan.map_id, revoked_at__isnull=True).get()
    client.logout()
    assert client.get(f"/onboarding/share/map/{map_share.token_for(fresh)}/").status_code == 200


def test_only_the_team_on_the_account_may_share(shared, client):
    world, plan, *_ = shared
    client.force_login(world.other_csm.user)
    assert client.post(f"/onboarding/maps/{plan.map_id}/share/").status_code == 404
    client.force_login(world.post_sales.user)  # sees the MAP (reviews it) but does not share it
    assert client.post(f"/onboarding/maps/{plan.map_id}/share/").status_code == 404
    assert MapShareLink.objects.filter(map_id=plan.map_id).count() == 1


def test_the_timeline_marks_overdue_milestones(shared, client, frozen_clock):
    world, plan, link, url = shared
    m1 = plan.milestones.get(code="M1")
    frozen_clock.advance(days=(m1.target_date - frozen_clock.today()).days + 3)
    body = client.get(url).content.decode()
    row = re.search(r'<g class="row (\w+)"[^>]*aria-label="M1 [^"]*"', body)
    assert row and row.group(1) == "overdue"
    assert "3 days overdue" in body
    assert re.search(r'<g class="row upcoming"[^>]*aria-label="M7 ', body)
    assert 'class="today"' in body and "<caption>Milestones</caption>" in body
