"""Issue 16 item 13: dates are checked, the kickoff brief's deal health is labelled as a snapshot, and a MAP
without a target falls back to the segment default (seed 000: SMB 30, MM 60, Enterprise 90) — per value
event where RevOps set one (ProductValueEvents.segment_ttv_default_days) — never a silent 90 days."""

import datetime as dt

import pytest

from gtmos.core import clock
from onboarding.models import Escalation, MilestoneItem, MutualActionPlan, OnboardingPlan
from onboarding.services import activity, milestones, preclose
from onboarding.services.escalations import escalation_scan

from .conftest import START, World

pytestmark = pytest.mark.postgres


def test_a_milestone_cannot_be_completed_in_the_future(world):
    plan = world.close(world.deal())
    m1 = MilestoneItem.objects.get(plan=plan, code="M1")
    with pytest.raises(milestones.MilestoneError, match="future"):
        milestones.milestone_complete(item=m1, by=world.csm.user, on=clock.today() + dt.timedelta(days=3))
    with pytest.raises(milestones.MilestoneError, match="contract start"):
        milestones.milestone_complete(item=m1, by=world.csm.user, on=START - dt.timedelta(days=1))
    assert not MilestoneItem.objects.get(pk=m1.pk).is_done


def test_the_milestone_form_shows_the_date_error(client, world):
    plan = world.close(world.deal())
    client.force_login(world.csm.user)
    response = client.post(
        f"/onboarding/plans/{plan.pk}/milestones/M1/complete/",
        {"completed_on": (clock.today() + dt.timedelta(days=3)).isoformat()},
        follow=True,
    )
    assert "future" in response.content.decode()
    assert not MilestoneItem.objects.get(plan=plan, code="M1").is_done


def test_an_activity_cannot_be_logged_in_the_future(world):
    plan = world.close(world.deal())
    with pytest.raises(activity.ActivityError, match="future"):
        activity.activity_log(plan=plan, kind="outreach", by=world.csm, on=clock.today() + dt.timedelta(days=1))


def test_a_plan_without_a_ttv_target_uses_its_segment_default_not_90_days(db, frozen_clock):
    world = World(segment="smb")
    plan = world.close(world.deal())
    MutualActionPlan.objects.filter(pk=plan.map_id).update(ttv_target_days=None)
    clock.advance(days=20)  # day 20 of an SMB 30-day window: M5 is overdue, M4 (day 10) too
    fired = escalation_scan()
    miss = Escalation.objects.get(kind="ttv_miss")
    assert miss.details["deadline"] == (START + dt.timedelta(days=30)).isoformat()
    assert fired.get(Escalation.Kind.TTV_MISS_SLM) == 1  # within 14 days of the 30-day deadline


def test_a_value_events_segment_default_sets_the_ttv_target(world):
    world.value_event.segment_ttv_default_days = {"smb": 21, "mm": 45, "ent": 75}
    world.value_event.save()
    opp = world.deal()
    plan = preclose.preboarding_start(opportunity=opp, by=world.am)
    MutualActionPlan.objects.filter(pk=plan.map_id).update(
        selected_value_events=[{"value_event_id": world.value_event.pk}]
    )
    plan = world.close(opp)
    assert OnboardingPlan.objects.get(pk=plan.pk).map.ttv_target_days == 75


def test_the_kickoff_brief_labels_its_deal_health_as_a_snapshot(client, world):
    opp = world.deal(health=72)
    preclose.preboarding_start(opportunity=opp, by=world.am)
    type(opp).objects.filter(pk=opp.pk).update(deal_health_score=55)
    client.force_login(world.am.user)
    page = client.get(f"/onboarding/preclose/{opp.pk}/").content.decode()
    assert f"Deal health when the brief was drafted ({clock.today():%Y-%m-%d})" in page
    assert "Deal health now" in page and "55" in page
