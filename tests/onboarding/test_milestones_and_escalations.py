"""Milestones (M3 evidence, M4/M6 from the usage feed, M7 manual only), TTV composite, escalations."""

import datetime as dt

import pytest

from gtmos.audit.models import Notification
from gtmos.core import clock
from gtmos.crm.models import Account, UsageDaily, UsageEvent
from onboarding.models import Escalation, MilestoneItem, MutualActionPlan, OnboardingLog, OnboardingPlan
from onboarding.services import activity, milestones
from onboarding.services.daily import onboarding_daily
from onboarding.services.escalations import escalation_scan
from onboarding.services.map_signoff import map_update

from .conftest import START


@pytest.fixture
def plan(world):
    opp = world.deal()
    plan = world.close(opp)
    map_update(
        map_=MutualActionPlan.objects.get(pk=plan.map_id),
        by=world.ae,
        technical_win_details="",
        selling_team_commitments="",
        customer_stakeholder_map=[],
        selected_value_events=[{"value_event_id": world.value_event.pk, "target_date": "2026-05-31"}],
    )
    return OnboardingPlan.objects.get(pk=plan.pk)


def item(plan, code):
    return MilestoneItem.objects.get(plan=plan, code=code)


def test_m3_needs_evidence(world, plan):
    with pytest.raises(milestones.MilestoneError, match="evidence"):
        milestones.milestone_complete(item=item(plan, "M3"), by=world.csm.user)
    milestones.milestone_complete(item=item(plan, "M3"), by=world.csm.user, evidence="Attendance: 42 of 45 users")
    assert item(plan, "M3").is_done


def test_completion_logs_and_celebrates_with_the_team(world, plan):
    clock.advance(days=5)
    milestones.milestone_complete(item=item(plan, "M1"), by=world.csm.user)
    entry = OnboardingLog.objects.get(plan=plan, entry_type="milestone_complete")
    assert (
        entry.milestone_id,
        entry.ttv_days_elapsed,
        entry.ttv_target_days,
        entry.milestones_complete,
        entry.milestones_total,
        entry.in_onboarding,
    ) == ("M1", 5, 90, 1, 7, True)
    assert Notification.objects.filter(rule="onboarding.milestone_completed", recipient=world.am.user).exists()
    with pytest.raises(milestones.MilestoneError, match="already"):
        milestones.milestone_complete(item=item(plan, "M1"), by=world.csm.user)


def test_m7_cannot_be_completed_as_a_milestone_and_no_job_closes_onboarding(world, plan):
    with pytest.raises(milestones.MilestoneError, match="M7"):
        milestones.milestone_complete(item=item(plan, "M7"), by=world.csm.user)
    for code in ("M1", "M2", "M4", "M5", "M6"):
        milestones.milestone_complete(item=item(plan, code), by=world.csm.user)
    milestones.milestone_complete(item=item(plan, "M3"), by=world.csm.user, evidence="assessment 90%")
    clock.advance(days=200)
    onboarding_daily()
    onboarding_daily()
    plan.refresh_from_db()
    assert plan.status == "active" and not item(plan, "M7").is_done
    assert Account.objects.get(pk=plan.account_id).onboarding_status == "active"


def test_m4_auto_detected_from_the_usage_feed_for_an_auto_value_event(world, plan):
    UsageEvent.objects.create(
        account=world.account, day=START + dt.timedelta(days=12), event_name="first_report_exported"
    )
    clock.advance(days=13)
    assert milestones.usage_milestones_detect() == {"m4": 1, "m6": 0}
    m4 = item(plan, "M4")
    assert m4.is_done and m4.completed_on == START + dt.timedelta(days=12) and m4.detected_by == "usage_feed"
    assert milestones.usage_milestones_detect() == {"m4": 0, "m6": 0}


def test_m4_is_csm_confirmed_for_a_manual_value_event(world, plan):
    map_update(
        map_=MutualActionPlan.objects.get(pk=plan.map_id),
        by=world.ae,
        technical_win_details="",
        selling_team_commitments="",
        customer_stakeholder_map=[],
        selected_value_events=[{"value_event_id": world.manual_event.pk, "target_date": "2026-05-31"}],
    )
    UsageEvent.objects.create(account=world.account, day=START, event_name="first_report_exported")
    assert milestones.usage_milestones_detect()["m4"] == 0
    milestones.csm_confirm_value_event(item=item(plan, "M4"), by=world.csm.user, evidence="Workflow live (screenshot)")
    assert item(plan, "M4").detected_by == "csm"


@pytest.mark.parametrize(("seats", "done"), [(59, False), (60, True)])
def test_m6_at_60_percent_of_contracted_seats(world, plan, seats, done):
    UsageDaily.objects.create(account=world.account, day=START + dt.timedelta(days=20), active_seats=seats)
    clock.advance(days=21)
    milestones.usage_milestones_detect()
    assert item(plan, "M6").is_done is done


def test_ttv_complete_only_when_m4_and_m6_are_both_done(world, plan):
    clock.advance(days=25)
    milestones.milestone_complete(item=item(plan, "M4"), by=world.csm.user, on=START + dt.timedelta(days=25))
    plan.refresh_from_db()
    assert plan.ttv_completed_on is None and Account.objects.get(pk=plan.account_id).ttv_achieved_days is None
    clock.advance(days=10)
    milestones.milestone_complete(item=item(plan, "M6"), by=world.csm.user)
    plan.refresh_from_db()
    assert plan.ttv_completed_on == START + dt.timedelta(days=35)
    assert Account.objects.get(pk=plan.account_id).ttv_achieved_days == 25  # first value event − contract start


def test_m5_flagged_at_half_the_ttv_window_once(world, plan):
    clock.advance(days=44)
    assert Escalation.Kind.EXEC_SPONSOR not in escalation_scan()
    clock.advance(days=1)  # day 45 of a 90-day Enterprise TTV
    assert escalation_scan().get(Escalation.Kind.EXEC_SPONSOR) == 1
    assert escalation_scan().get(Escalation.Kind.EXEC_SPONSOR) is None
    assert item(plan, "M5").flagged_at is not None
    for user in (world.csm.user, world.am.user):
        assert Notification.objects.filter(recipient=user, rule="onboarding.exec_sponsor").count() == 1


def _outreach(world, plan, kind="outreach"):
    activity.activity_log(plan=plan, kind=kind, by=world.csm, notes="")


def test_unresponsive_ladder_two_then_three_and_reply_resets(world, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _outreach(world, plan)
    assert not Escalation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        clock.advance(days=2)
        _outreach(world, plan)
    assert list(Escalation.objects.values_list("kind", flat=True)) == ["unresponsive"]
    assert (
        Notification.objects.filter(
            rule="onboarding.unresponsive", recipient__in=[world.csm.user, world.am.user]
        ).count()
        == 2
    )
    assert not Notification.objects.filter(recipient=world.slm.user, rule="onboarding.unresponsive_slm").exists()
    with django_capture_on_commit_callbacks(execute=True):
        clock.advance(days=2)
        _outreach(world, plan)
    assert Notification.objects.filter(recipient=world.slm.user, rule="onboarding.unresponsive_slm").count() == 1
    escalation_scan()
    escalation_scan()  # the daily backstop does not re-fire the same alert
    assert Escalation.objects.count() == 2
    assert OnboardingLog.objects.filter(plan=plan, entry_type="escalation", escalation_type="unresponsive").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        _outreach(world, plan, kind="customer_reply")
    assert not Escalation.objects.filter(resolved_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _outreach(world, plan)
    assert Escalation.objects.count() == 2  # one outreach after a reply is not unresponsive


def test_ttv_trajectory_miss_then_slm_within_14_days_without_recovery_plan(world, plan):
    clock.advance(days=20)  # nothing done; M1 (day 7) and M2 (day 14) overdue
    fired = escalation_scan()
    assert fired.get(Escalation.Kind.TTV_MISS) == 1 and Escalation.Kind.TTV_MISS_SLM not in fired
    miss = Escalation.objects.get(kind="ttv_miss")
    assert miss.details["blocking"][:2] == ["M1", "M2"] and miss.details["projected"] > miss.details["deadline"]
    note = Notification.objects.get(recipient=world.csm.user, rule="onboarding.ttv_miss")
    assert "Projected TTV" in note.body and "M1" in note.body
    clock.advance(days=55)  # day 75: deadline (day 90) is 15 days away
    assert Escalation.Kind.TTV_MISS_SLM not in escalation_scan()
    clock.advance(days=1)  # day 76: within 14 days
    assert escalation_scan().get(Escalation.Kind.TTV_MISS_SLM) == 1
    assert Notification.objects.filter(recipient=world.slm.user, rule="onboarding.ttv_miss_slm").count() == 1


def test_recovery_plan_stops_the_slm_escalation(world, plan):
    clock.advance(days=20)
    assert escalation_scan().get(Escalation.Kind.TTV_MISS) == 1  # the miss the recovery plan answers
    clock.advance(days=50)
    activity.activity_log(plan=plan, kind="recovery_plan", by=world.csm, notes="Weekly working sessions; SE on M1")
    clock.advance(days=10)
    fired = escalation_scan()
    assert Escalation.Kind.TTV_MISS_SLM not in fired
    assert OnboardingLog.objects.filter(plan=plan, entry_type="recovery_plan").count() == 1


def test_daily_job_twice_leaves_the_same_state(world, plan):
    UsageDaily.objects.create(account=world.account, day=START + dt.timedelta(days=30), active_seats=80)
    clock.advance(days=50)
    first = onboarding_daily()
    snapshot = (
        Escalation.objects.count(),
        OnboardingLog.objects.count(),
        Notification.objects.count(),
        MilestoneItem.objects.filter(status="done").count(),
    )
    second = onboarding_daily()
    assert first["milestones"]["m6"] == 1 and first["escalations"]
    assert second["milestones"] == {"m4": 0, "m6": 0} and second["escalations"] == {} and second["holds_opened"] == 0
    assert snapshot == (
        Escalation.objects.count(),
        OnboardingLog.objects.count(),
        Notification.objects.count(),
        MilestoneItem.objects.filter(status="done").count(),
    )
