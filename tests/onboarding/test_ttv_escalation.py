"""Issue 16 item 2 — seed 000, "TTV trajectory miss": "If current pace will miss the agreed TTV target:
flag immediately to CSM + AM … Escalate to SLM if within 14 days of TTV deadline with no recovery plan
logged." The SLM rule is part of the miss, and a recovery plan counts for the miss it answered."""

import datetime as dt

import pytest

from gtmos.audit.models import Notification
from gtmos.core import clock
from onboarding.models import Escalation, MilestoneItem
from onboarding.services import activity, milestones
from onboarding.services.escalations import escalation_scan

from .conftest import START, World

pytestmark = pytest.mark.postgres


@pytest.fixture
def smb(db, frozen_clock):
    """An SMB plan: 30-day TTV, deadline 2026-04-01; milestones scaled to M1 d2, M2 d5, M3 d7, M4 d10,
    M5 d15, M6 d20."""
    world = World(segment="smb")
    plan = world.close(world.deal())
    plan.world = world
    return plan


def _done(plan, *codes):
    for code in codes:
        item = MilestoneItem.objects.get(plan=plan, code=code)
        milestones.milestone_complete(
            item=item, by=plan.world.csm.user, evidence="attendance 20/20", on=min(item.target_date, clock.today())
        )


def test_an_on_pace_plan_10_days_before_its_deadline_is_not_escalated(smb):
    clock.advance(days=20)  # 10 days before the 30-day deadline
    _done(smb, "M1", "M2", "M3", "M4", "M5")  # each on its target date: projected day 24
    fired = escalation_scan()
    assert Escalation.Kind.TTV_MISS not in fired and Escalation.Kind.TTV_MISS_SLM not in fired
    assert not Notification.objects.filter(recipient=smb.world.slm.user, rule="onboarding.ttv_miss_slm").exists()


def test_an_off_pace_plan_10_days_before_its_deadline_goes_to_the_slm_once(smb):
    clock.advance(days=20)  # nothing done
    fired = escalation_scan()
    assert fired.get(Escalation.Kind.TTV_MISS) == 1 and fired.get(Escalation.Kind.TTV_MISS_SLM) == 1
    clock.advance(days=1)
    assert escalation_scan() == {}
    assert Notification.objects.filter(recipient=smb.world.slm.user, rule="onboarding.ttv_miss_slm").count() == 1


def test_a_recovery_plan_counts_for_the_miss_it_answered_not_for_a_later_one(smb):
    clock.advance(days=5)  # M1 (day 2) overdue: projected to miss
    assert escalation_scan().get(Escalation.Kind.TTV_MISS) == 1
    activity.activity_log(plan=smb, kind="recovery_plan", by=smb.world.csm, notes="Daily setup calls this week")
    clock.advance(days=1)
    _done(smb, "M1", "M2", "M3")  # back on pace: the miss clears
    escalation_scan()
    assert not Escalation.objects.filter(kind="ttv_miss", resolved_at__isnull=True).exists()
    clock.advance(days=11)  # day 17: M4 (day 10) and M5 (day 15) overdue, deadline 13 days away
    fired = escalation_scan()
    assert fired.get(Escalation.Kind.TTV_MISS) == 1 and fired.get(Escalation.Kind.TTV_MISS_SLM) == 1
    assert Escalation.objects.filter(kind="ttv_miss").count() == 2


def test_a_recovery_plan_for_the_current_miss_stops_the_slm_escalation(smb):
    clock.advance(days=5)
    escalation_scan()
    activity.activity_log(plan=smb, kind="recovery_plan", by=smb.world.csm, notes="Daily setup calls this week")
    clock.advance(days=12)  # day 17, still off pace
    assert Escalation.Kind.TTV_MISS_SLM not in escalation_scan()
    assert Escalation.objects.get(kind="ttv_miss").resolved_at is None  # the miss itself stands until on pace


def test_start_date_is_the_seed_deadline(smb):
    assert smb.contract_start_date == START and START + dt.timedelta(days=30) == dt.date(2026, 4, 1)
