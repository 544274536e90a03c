"""Seed 000: while onboarding_status = 'active', health reads OnboardingLog substitutes (the real close path)."""

import datetime as dt

import pytest

from gtmos.core import clock
from gtmos.health.models import CustomerHealthLog
from gtmos.health.services.daily import health_daily
from onboarding.services.activity import activity_log
from onboarding.services.milestones import milestone_complete
from tests.onboarding.conftest import World

pytestmark = pytest.mark.postgres


@pytest.fixture
def plan(db, frozen_clock):
    world = World()
    plan = world.close(world.deal())
    plan.world = world
    return plan


def record_for(plan):
    health_daily()
    return CustomerHealthLog.objects.get(account=plan.account, day=clock.today())


def test_a_newly_closed_customer_has_a_score_from_day_one_flagged_in_onboarding(plan):
    record = record_for(plan)
    assert record.in_onboarding is True and record.score is not None and record.coverage_pct > 0
    for code in ("nps", "csat", "expansion", "advocacy"):
        assert record.measures[code] is None and record.inputs[code] == "onboarding"


def test_csm_activity_in_the_onboarding_log_feeds_engagement_recency(plan):
    clock.advance(days=20)
    before = record_for(plan)
    assert before.inputs["engagement_recency"][1] == "kickoff"
    activity_log(plan=plan, kind="meeting", by=plan.world.csm, notes="kickoff call")
    after = record_for(plan)
    assert after.inputs["engagement_recency"] == [0, "onboarding_log"]
    assert after.measures["engagement_recency"] == 100 > before.measures["engagement_recency"]


def test_exec_touchpoint_and_m5_feed_exec_sponsor_engagement(plan):
    clock.advance(days=3)
    activity_log(plan=plan, kind="exec_touchpoint", by=plan.world.csm, notes="Briefed Eve on the rollout")
    assert record_for(plan).measures["exec_sponsor"] == 80
    m5 = plan.milestones.get(code="M5")
    milestone_complete(item=m5, by=plan.world.csm.user)
    clock.advance(days=1)
    assert record_for(plan).measures["exec_sponsor"] == 100


def test_m1_and_m4_progress_stand_in_for_the_usage_trend(plan):
    assert record_for(plan).inputs["usage_trend"] == {"M1": "due", "M4": "due"}
    milestone_complete(item=plan.milestones.get(code="M1"), by=plan.world.csm.user)
    clock.advance(days=1)
    record = record_for(plan)
    assert record.inputs["usage_trend"]["M1"] == "done" and record.measures["usage_trend"] == 75


def test_m6_progress_stands_in_for_seat_utilization_while_the_feed_has_no_seats(plan):
    record = record_for(plan)
    assert record.inputs["seat_utilization"]["M6"] == "due" and record.inputs["seat_utilization"]["progress"] == 0
    milestone_complete(item=plan.milestones.get(code="M6"), by=plan.world.csm.user)
    clock.advance(days=1)
    assert record_for(plan).measures["seat_utilization"] == 100


# Issue 16 item 8 — seed 000: "substitutes OnboardingLog signals for dimensions where live data doesn't exist yet".


def test_live_seat_utilization_is_used_once_the_usage_feed_reports_seats(plan):
    from gtmos.crm.models import UsageDaily

    for back in range(7):
        UsageDaily.objects.create(
            account=plan.account, day=clock.today() - dt.timedelta(days=back), active_seats=30, logins=10
        )
    record = record_for(plan)
    assert record.in_onboarding and record.inputs["seat_utilization"] == 30  # 30 % of contracted seats, live
    assert "seat_utilization" in record.inputs["live_in_onboarding"]


def test_a_live_exec_sponsor_engagement_beats_the_m5_proxy(plan):
    sponsor = plan.world.sponsor
    sponsor.last_engaged_at = clock.now() - dt.timedelta(days=3)
    sponsor.save()
    record = record_for(plan)
    assert record.inputs["exec_sponsor"] == 3 and record.measures["exec_sponsor"] == 100


def test_live_usage_history_replaces_the_m1_m4_proxy(plan):
    from gtmos.crm.models import UsageDaily

    for back in range(60):
        UsageDaily.objects.create(
            account=plan.account, day=clock.today() - dt.timedelta(days=back), active_seats=5, logins=10
        )
    record = record_for(plan)
    assert record.inputs["usage_trend"] == 100 and "usage_trend" in record.inputs["live_in_onboarding"]


def test_the_account_page_labels_a_live_measure_during_onboarding_as_live(client, plan):
    sponsor = plan.world.sponsor
    sponsor.last_engaged_at = clock.now() - dt.timedelta(days=3)
    sponsor.save()
    record_for(plan)
    client.force_login(plan.world.csm.user)
    page = client.get(f"/health/accounts/{plan.account_id}/").content.decode()
    assert "Contacts: exec sponsor engagement recency" in page
