"""MAP sign-off, the comp hold gate (reject, window expiry, lift on sign-off, SLM override), TTV lock."""

import pytest
from django_fsm import TransitionNotAllowed

from gtmos.audit.models import ExceptionLog, Notification
from gtmos.comp.models import Payout
from gtmos.comp.services import comp_hold_run
from gtmos.core import clock
from onboarding.models import Escalation, MutualActionPlan
from onboarding.services import map_signoff


@pytest.fixture
def closed(world):
    opp = world.deal()
    plan = world.close(opp)
    return plan, MutualActionPlan.objects.get(pk=plan.map_id)


def payout_statuses(plan):
    return sorted(Payout.objects.filter(opportunity=plan.opportunity).values_list("kind", "status"))


def test_close_creates_acv_commission_and_usage_realization_payouts(closed):
    plan, _ = closed
    assert payout_statuses(plan) == [("acv_commission", "scheduled"), ("usage_realization", "scheduled")]
    assert Payout.objects.get(opportunity=plan.opportunity, kind="acv_commission").amount == 6000  # 10% of 60k


def test_reject_needs_a_reason_and_a_post_sales_user(world, closed):
    _, map_ = closed
    with pytest.raises(map_signoff.SignoffError):
        map_signoff.map_reject(map_=map_, by=world.post_sales, reason="  ")
    with pytest.raises(PermissionError):
        map_signoff.map_reject(map_=map_, by=world.csm, reason="no")
    assert MutualActionPlan.objects.get(pk=map_.pk).postsales_signoff_status == "pending"


def test_reject_holds_comp_notifies_slm_at_once_and_the_slm_override_lifts_it(world, closed):
    plan, map_ = closed
    map_signoff.map_reject(map_=map_, by=world.post_sales, reason="Promised an SSO integration we do not have")
    hold = ExceptionLog.objects.get(exception_type="map_signoff_hold", status="active")
    assert hold.opportunity_id == plan.opportunity_id and hold.employee_id == world.ae.pk
    assert Notification.objects.filter(recipient=world.slm.user, rule="map_signoff_hold").count() == 1
    assert Escalation.objects.filter(kind="map_rejected").count() == 1
    assert comp_hold_run() == {"held": 2, "released": 0}
    assert payout_statuses(plan) == [("acv_commission", "held"), ("usage_realization", "held")]
    assert comp_hold_run() == {"held": 0, "released": 0}  # the daily run twice changes nothing

    map_signoff.map_slm_override(map_=map_, slm=world.slm, note="SSO in phase 2; tracked")
    hold.refresh_from_db()
    assert hold.status == "released" and hold.released_by == world.slm.user
    assert payout_statuses(plan) == [("acv_commission", "scheduled"), ("usage_realization", "scheduled")]
    assert comp_hold_run() == {"held": 0, "released": 0}  # released with the sign-off; the run is the backstop
    map_.refresh_from_db()
    assert map_.signed_off and not map_.comp_hold_active and map_.ttv_locked_at is not None


def test_missing_signoff_past_the_window_holds_once(world, closed):
    plan, map_ = closed
    clock.advance(days=14)
    assert map_signoff.map_signoff_scan() == 0  # day 14: still inside the 14-day window
    clock.advance(days=1)
    assert map_signoff.map_signoff_scan() == 1
    assert map_signoff.map_signoff_scan() == 0
    assert ExceptionLog.objects.filter(exception_type="map_signoff_hold", status="active").count() == 1
    assert Notification.objects.filter(recipient=world.slm.user, rule="map_signoff_hold").count() == 1
    comp_hold_run()
    assert {s for _, s in payout_statuses(plan)} == {"held"}
    map_signoff.map_accept(map_=MutualActionPlan.objects.get(pk=map_.pk), by=world.post_sales)
    comp_hold_run()
    assert {s for _, s in payout_statuses(plan)} == {"scheduled"}


def test_only_an_slm_override_proceeds_a_rejected_deal(world, closed):
    plan, map_ = closed
    map_signoff.map_reject(map_=map_, by=world.post_sales, reason="Unrealistic scope")
    with pytest.raises(PermissionError):
        map_signoff.map_slm_override(map_=map_, slm=world.manager, note="please")
    map_signoff.map_slm_override(map_=map_, slm=world.slm, note="Strategic logo; CSM staffs SSO work")
    map_.refresh_from_db()
    assert map_.slm_override and map_.slm_override_by == world.slm and map_.postsales_signoff_status == "rejected"
    assert not ExceptionLog.objects.filter(exception_type="map_signoff_hold", status="active").exists()
    comp_hold_run()
    assert {s for _, s in payout_statuses(plan)} == {"scheduled"}
    with pytest.raises(TransitionNotAllowed):
        map_signoff.map_slm_override(map_=map_, slm=world.slm, note="again")


def test_escalating_unrealistic_targets_notifies_the_slm(world, closed):
    _, map_ = closed
    map_signoff.map_escalate_targets(map_=map_, by=world.post_sales, note="M4 in 30 days is not possible")
    assert Notification.objects.filter(recipient=world.slm.user, rule="onboarding.targets_unrealistic").exists()


def test_signoff_locks_ttv_and_a_change_needs_slm_approval(world, closed):
    plan, map_ = closed
    map_signoff.map_accept(map_=map_, by=world.post_sales)
    map_ = MutualActionPlan.objects.get(pk=map_.pk)
    with pytest.raises(map_signoff.SignoffError, match="locked"):
        map_signoff.map_update(
            map_=map_,
            by=world.csm,
            selected_value_events=[],
            technical_win_details="",
            selling_team_commitments="",
            customer_stakeholder_map=[],
            ttv_target_days=120,
        )
    request = map_signoff.ttv_change_request(
        map_=map_, by=world.csm, requested_days=120, reason="Data migration slipped"
    )
    assert Notification.objects.filter(recipient=world.slm.user, rule="onboarding.ttv_change_request").exists()
    with pytest.raises(PermissionError):
        map_signoff.ttv_change_decide(request=request, slm=world.manager, approve=True)
    map_signoff.ttv_change_decide(request=request, slm=world.slm, approve=True)
    assert MutualActionPlan.objects.get(pk=map_.pk).ttv_target_days == 120
    assert plan.milestones.get(code="M7").target_date == plan.contract_start_date + __import__("datetime").timedelta(
        days=120
    )
