"""Issue 16 items 3–7, from seed 000's words on the MAP, the post-sales sign-off and the comp gate."""

import datetime as dt

import pytest

from gtmos.audit.models import ExceptionLog, Notification
from gtmos.comp.models import Payout
from gtmos.comp.services import comp_hold_run
from gtmos.core import clock
from onboarding.models import MilestoneItem, MutualActionPlan, OnboardingLog, OnboardingPlan, TTVChangeRequest
from onboarding.services import handoff, map_signoff, milestones, preclose
from onboarding.services.escalations import escalation_scan

from .conftest import START
from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


@pytest.fixture
def closed(world):
    plan = world.close(world.deal())
    return plan, MutualActionPlan.objects.get(pk=plan.map_id)


def _map(map_):
    return MutualActionPlan.objects.get(pk=map_.pk)


def _statuses(plan):
    return {s for s in Payout.objects.filter(opportunity=plan.opportunity_id).values_list("status", flat=True)}


def _edit(map_, by, **changes):
    current = {
        "selected_value_events": map_.selected_value_events,
        "technical_win_details": map_.technical_win_details,
        "selling_team_commitments": map_.selling_team_commitments,
        "customer_stakeholder_map": map_.customer_stakeholder_map,
    }
    return map_signoff.map_update(map_=map_, by=by, **{**current, **changes})


# --- 3. "Rejected sign-off escalates to SLM — deal can proceed only with SLM override" --------------


def test_post_sales_cannot_turn_a_rejection_into_an_acceptance(world, closed):
    plan, map_ = closed
    map_signoff.map_reject(map_=map_, by=world.post_sales, reason="Promised SSO we do not have")
    with pytest.raises(map_signoff.SignoffError, match="SLM override"):
        map_signoff.map_accept(map_=_map(map_), by=world.post_sales, risk_notes="fine after all")
    assert _map(map_).postsales_signoff_status == "rejected" and _map(map_).comp_hold_active
    assert ExceptionLog.objects.filter(exception_type="map_signoff_hold", status="active").exists()
    map_signoff.map_slm_override(map_=_map(map_), slm=world.slm, note="Strategic logo; SE staffs SSO")
    assert _map(map_).signed_off and not _map(map_).comp_hold_active


def test_the_review_page_offers_no_accept_after_a_rejection(client, world, closed):
    _, map_ = closed
    map_signoff.map_reject(map_=map_, by=world.post_sales, reason="Unrealistic scope")
    client.force_login(world.post_sales.user)
    page = client.get(f"/onboarding/review/{map_.pk}/").content.decode()
    assert 'value="accept"' not in page and "SLM override" in page
    client.post(f"/onboarding/review/{map_.pk}/", {"action": "accept", "risk_notes": "ok"})
    assert _map(map_).postsales_signoff_status == "rejected"


# --- 4. "post-sign-off changes require SLM approval" ----------------------------------------------


def test_an_accepted_maps_events_dates_and_commitments_are_locked(world, closed):
    _, map_ = closed
    map_signoff.map_accept(map_=map_, by=world.post_sales)
    event = {"value_event_id": world.value_event.pk, "target_date": "2026-04-15"}
    for change in (
        {"selected_value_events": [event]},
        {"technical_win_details": "nothing validated"},
        {"selling_team_commitments": "no commitments"},
    ):
        with pytest.raises(map_signoff.SignoffError, match="SLM"):
            _edit(_map(map_), world.ae, **change)
    _edit(_map(map_), world.csm, customer_stakeholder_map=[{"contact_id": world.sponsor.pk, "role": "training"}])


def test_value_event_changes_after_sign_off_go_through_the_slm_approval_page(client, world, closed):
    plan, map_ = closed
    map_signoff.map_accept(map_=map_, by=world.post_sales)
    client.force_login(world.ae.user)
    response = client.post(
        f"/onboarding/preclose/{plan.opportunity_id}/",
        {
            f"ve_{world.value_event.pk}": "on",
            f"ve_{world.value_event.pk}_date": "2026-04-20",
            "technical_win_details": _map(map_).technical_win_details,
            "selling_team_commitments": _map(map_).selling_team_commitments,
            "change_reason": "customer asked for April",
        },
    )
    assert response.status_code == 302
    assert _map(map_).selected_value_events == []  # unchanged until the SLM approves
    request = TTVChangeRequest.objects.get(map=map_)
    assert request.requested_value_events == [{"value_event_id": world.value_event.pk, "target_date": "2026-04-20"}]
    client.force_login(world.slm.user)
    assert "2026-04-20" in client.get(f"/onboarding/ttv-requests/{request.pk}/").content.decode()
    client.post(f"/onboarding/ttv-requests/{request.pk}/", {"decision": "approve"})
    assert _map(map_).selected_value_events == request.requested_value_events


# --- 5. the comp gate ------------------------------------------------------------------------------


def test_the_signoff_window_counts_from_close_not_contract_start(world):
    opp = world.deal()
    plan = world.close(opp, start=START + dt.timedelta(days=30))  # contract starts a month after close
    clock.advance(days=15)
    assert map_signoff.map_signoff_scan() == 1
    assert _map(plan.map).comp_hold_active


def test_a_pending_map_on_a_plan_closed_early_still_gets_its_hold(world, closed):
    plan, map_ = closed
    clock.advance(days=5)
    handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    clock.advance(days=10)
    assert map_signoff.map_signoff_scan() == 1
    comp_hold_run()
    assert _statuses(plan) == {"held"}


def test_post_sales_gets_notice_at_close_for_a_deal_that_was_not_preboarded(world, closed):
    plan, _ = closed
    assert not plan.preboarded
    note = Notification.objects.get(recipient=world.post_sales.user, rule="onboarding.signoff_due")
    assert "14 days" in note.body and (START + dt.timedelta(days=14)).isoformat() in note.body


def test_payouts_are_released_in_the_same_transaction_as_the_sign_off(world, closed):
    plan, map_ = closed
    map_signoff.map_reject(map_=map_, by=world.post_sales, reason="scope")
    comp_hold_run()
    assert _statuses(plan) == {"held"}
    map_signoff.map_slm_override(map_=_map(map_), slm=world.slm, note="proceed")
    assert _statuses(plan) == {"scheduled"}  # no daily run needed
    assert comp_hold_run() == {"held": 0, "released": 0}


def test_acceptance_releases_payouts_at_once(world, closed):
    plan, map_ = closed
    clock.advance(days=15)
    map_signoff.map_signoff_scan()
    comp_hold_run()
    map_signoff.map_accept(map_=_map(map_), by=world.post_sales)
    assert _statuses(plan) == {"scheduled"}


# --- 6. "Every … escalation flag writes a record to OnboardingLog" --------------------------------


def test_every_escalation_kind_writes_its_onboarding_log_row(world, closed):
    plan, map_ = closed
    map_signoff.map_escalate_targets(map_=map_, by=world.post_sales, note="M4 in 30 days is not possible")
    map_signoff.map_reject(map_=_map(map_), by=world.post_sales, reason="scope")
    clock.advance(days=45)
    escalation_scan()
    fired = set(plan.escalations.values_list("kind", flat=True))
    assert {"map_rejected", "targets_unrealistic", "ttv_miss", "exec_sponsor"} <= fired
    notes = " ".join(OnboardingLog.objects.filter(plan=plan, entry_type="escalation").values_list("notes", flat=True))
    for escalation in plan.escalations.all():
        assert escalation.get_kind_display() in notes, escalation.kind
    assert OnboardingLog.objects.filter(plan=plan, entry_type="escalation").count() == plan.escalations.count()


def test_the_resource_flag_is_in_the_onboarding_log(world):
    opp = world.deal(lines=("CORE", "API"))  # Enterprise + API SKU, no services line
    plan = preclose.preboarding_start(opportunity=opp, by=world.am)
    entry = OnboardingLog.objects.get(plan=plan, entry_type="escalation")
    assert "services" in entry.notes.lower()


# --- 7. role control: the MAP "is created by the selling team"; M1–M6 are the CSM's (M1 the IE's) --


def test_a_csm_cannot_edit_the_selling_teams_commitments(world, closed):
    _, map_ = closed
    with pytest.raises(PermissionError):
        _edit(map_, world.csm, selling_team_commitments="(overwritten by the CSM)")
    with pytest.raises(PermissionError):
        _edit(_map(map_), world.csm, technical_win_details="(overwritten)")
    assert "admin training" in _map(map_).selling_team_commitments
    _edit(_map(map_), world.ae, selling_team_commitments="- admin training in week 2\n- SSO by day 30")


def test_a_csm_may_adjust_the_ttv_target_at_kickoff_before_sign_off(world, closed):
    _, map_ = closed
    _edit(map_, world.csm, ttv_target_days=75)
    assert _map(map_).ttv_target_days == 75


def test_post_sales_cannot_complete_milestones(world, closed):
    plan, _ = closed
    for code in ("M4", "M6"):
        with pytest.raises(PermissionError):
            milestones.milestone_complete(
                item=MilestoneItem.objects.get(plan=plan, code=code), by=world.post_sales.user
            )
    assert not plan.milestones.filter(status="done").exists()
    milestones.milestone_complete(item=MilestoneItem.objects.get(plan=plan, code="M4"), by=world.csm.user)


def test_post_sales_sees_no_complete_buttons_and_a_post_is_refused(client, world, closed):
    plan, _ = closed
    client.force_login(world.post_sales.user)
    page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert "Mark M4 complete" not in page
    client.post(f"/onboarding/plans/{plan.pk}/milestones/M4/complete/", {})
    assert not OnboardingPlan.objects.get(pk=plan.pk).milestones.filter(status="done").exists()
