"""The weekly pattern check end to end on PostgreSQL: outreach volume (target 100% of the comp plan) is the
metric under test because its benchmark is fixed, so each week's value is the trailing 4-week touch count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import ApprovalStatus, CoachingEscalation, RepCoachingLog, RepMetricSnapshot
from coaching.services.approval import recommendation_approve, recommendation_dismiss, recommendation_modify
from coaching.services.weekly import coaching_weekly
from gtmos.audit.models import Notification
from gtmos.crm.models import Role
from tests.factories import EmployeeFactory

from .conftest import week

CODE = "outreach_volume"


def run(*ks):
    for k in ks:
        coaching_weekly(week=week(k))


def pattern(sdr):
    return RepCoachingLog.objects.get(rep=sdr, pattern_key=CODE)


def steady(team, n=5, weeks=range(-3, 8)):
    team.weekly_counts(team.sdr, {k: n for k in weeks})
    team.weekly_counts(team.other_sdr, {k: 25 for k in weeks})  # on plan: no pattern of their own


def test_the_first_bad_week_flags_the_pattern(team):
    """Seed 001: "Week 1 — pattern flagged, recommendation generated, manager notified"."""
    steady(team)
    run(0)
    log = pattern(team.sdr)
    assert RepMetricSnapshot.objects.get(rep=team.sdr, week=week(0), metric=CODE).value == 20.0  # 20 of 100
    assert (log.approval_status, log.weeks_persisting, log.coaching_date) == (ApprovalStatus.PENDING, 1, week(0))
    assert "20% against the target of 100%" in log.pattern_detected
    assert "5 touches/week against 25 expected" in log.recommended_action  # the data behind it, not generic advice
    assert Notification.objects.filter(recipient=team.manager.user, rule="coaching_pattern").count() == 1
    assert not Notification.objects.filter(recipient=team.sdr.user).exists()


def test_a_revops_minimum_of_two_weeks_waits_for_the_second_bad_week(team):
    team.settings.pattern_min_weeks = 2
    team.settings.save()
    steady(team)
    run(0)
    assert not RepCoachingLog.objects.exists()
    run(1)
    assert pattern(team.sdr).coaching_date == week(1)


@pytest.mark.parametrize("decision", ["approve", "modify", "dismiss", "none"])
def test_week_three_escalates_to_the_slm_whatever_the_manager_decided(team, decision):
    steady(team)
    run(0)
    log = pattern(team.sdr)
    if decision == "approve":
        recommendation_approve(log=log, by=team.manager)
    elif decision == "modify":
        recommendation_modify(log=log, by=team.manager, action="Shadow two prospecting blocks.", note="")
    elif decision == "dismiss":
        recommendation_dismiss(log=log, by=team.manager, note="Was on leave.")
    run(1)
    assert pattern(team.sdr).weeks_persisting == 2 and not pattern(team.sdr).escalated_to_slm
    run(2)
    log = pattern(team.sdr)
    assert log.escalated_to_slm and log.escalation_date == week(2) and log.weeks_persisting == 3
    esc = CoachingEscalation.objects.get(rep=team.sdr, kind=CoachingEscalation.Kind.PERSISTENCE)
    assert esc.to_slm and esc.to_manager and esc.coaching_log == log
    assert [h["week"] for h in esc.history] == [week(k).isoformat() for k in (0, 1, 2)]  # the 3-week history
    assert Notification.objects.filter(recipient=team.slm.user, rule="coaching_escalation").count() == 1
    assert Notification.objects.filter(recipient=team.manager.user, rule="coaching_escalation").count() == 1
    assert not Notification.objects.filter(recipient=team.sdr.user).exists()  # reps get no escalation notices


def test_after_escalation_the_agent_keeps_telling_the_slm(team):
    steady(team)
    run(0, 1, 2, 3)
    assert pattern(team.sdr).weeks_persisting == 4
    assert Notification.objects.filter(recipient=team.slm.user, rule="coaching_escalation_persists").count() == 1
    assert CoachingEscalation.objects.filter(rep=team.sdr).count() == 1


@pytest.mark.parametrize("after, resets", [(33, True), (32, False)])
def test_the_clock_resets_only_on_ten_percent_improvement(team, after, resets):
    # Weekly counts chosen so the trailing 4-week sums (= the metric) are 30, 30, then `after`, then flat.
    counts = {-3: 8, -2: 7, -1: 8, 0: 7, 1: 8, 2: 7 + (after - 30), 3: 8, 4: 7}
    team.weekly_counts(team.sdr, counts)
    team.weekly_counts(team.other_sdr, {k: 25 for k in counts})
    run(0, 1)  # 30, 30 → flagged in week 0, persisting in week 1
    run(2)  # 30 → after: the third bad week escalates unless the metric improved by 10%
    log = pattern(team.sdr)
    assert log.history[-1]["value"] == float(after)
    assert log.weeks_persisting == (1 if resets else 3)
    assert log.improvement_detected is resets
    assert log.escalated_to_slm is (not resets)


def test_approval_never_resets_the_clock(team):
    steady(team)
    run(0)
    recommendation_approve(log=pattern(team.sdr), by=team.manager)
    run(1)
    assert pattern(team.sdr).weeks_persisting == 2 and pattern(team.sdr).clock_started_on == week(0)


def test_a_closed_gap_resolves_the_pattern(team):
    team.weekly_counts(team.sdr, {k: 5 for k in range(-3, 2)} | {k: 25 for k in range(2, 6)})
    team.weekly_counts(team.other_sdr, {k: 25 for k in range(-3, 6)})
    run(0, 1, 2, 3, 4, 5)
    log = RepCoachingLog.objects.get(rep=team.sdr)
    # Week 4's trailing sum is 5 + 25 + 25 + 25 = 80: at the bound (100 − 20), no longer a gap.
    assert log.resolution_date == week(4) and log.improvement_detected


def _state():
    return (
        sorted(
            RepCoachingLog.objects.values_list(
                "rep_id", "pattern_key", "weeks_persisting", "escalated_to_slm", "last_seen_on", "approval_status"
            )
        ),
        sorted(RepMetricSnapshot.objects.values_list("rep_id", "week", "metric", "value", "breach")),
        CoachingEscalation.objects.count(),
        Notification.objects.count(),
    )


def test_running_a_week_twice_gives_the_same_state(team):
    steady(team)
    run(0, 1, 2, 3)
    before = _state()
    run(3)
    assert _state() == before
    run(2)  # an older week re-run (a late retry) changes nothing either
    assert _state()[0] == before[0] and _state()[2:] == before[2:]


def test_query_count_does_not_grow_with_reps(team):
    steady(team)
    for role in (Role.AE, Role.AM, Role.CSM):  # every role config reads its sources at both sizes
        EmployeeFactory(role=role, manager=team.manager, slm=team.slm)
    run(0)

    def count():
        """Week 1 opens a pattern for every under-volume SDR: the same work at any team size."""
        with CaptureQueriesContext(connection) as ctx:
            coaching_weekly(week=week(1))
        RepCoachingLog.objects.all().delete()
        Notification.objects.all().delete()
        return len(ctx)

    few = count()
    for i in range(6):
        rep = EmployeeFactory(role=Role.SDR, manager=team.manager, slm=team.slm)
        team.weekly_counts(rep, {k: 5 for k in range(-3, 2)})
        EmployeeFactory(role=[Role.AE, Role.AM, Role.CSM][i % 3], manager=team.manager, slm=team.slm)
    run(0)
    assert count() == few
