"""RepSkillAssessmentLog: detected from calls/quotes/cadence, placed in the role cohort, trended over time."""

import datetime as dt

from coaching.models import RepSkillAssessmentLog as Log
from coaching.services.skills import severity, trend
from coaching.services.weekly import coaching_weekly
from gtmos.crm.models import ConvIntelligenceCall, Role
from tests.factories import EmployeeFactory

from .conftest import week


def test_severity_bands_and_trend_direction():
    assert [severity(p) for p in (5, 10, 24, 25, 34, 35, 90)] == ["high", "medium", "medium", "low", "low", "", ""]
    assert trend(None, 50, True) == "stable"
    assert trend(50, 53, True) == "improving" and trend(50, 52, True) == "stable"
    assert trend(0.5, 0.6, False) == "deteriorating"  # talk ratio: lower is better


def test_weekly_check_assesses_objection_handling_from_calls_with_a_trend(team):
    aes = [EmployeeFactory(role=Role.AE, manager=team.manager, slm=team.slm) for _ in range(5)]

    def calls(rep, end, quality):
        ConvIntelligenceCall.objects.bulk_create(
            [
                ConvIntelligenceCall(
                    owner=rep,
                    owner_role="ae",
                    objections=["price"],
                    quality_score=quality,
                    occurred_at=dt.datetime.combine(end - dt.timedelta(days=i), dt.time(15), tzinfo=dt.UTC),
                )
                for i in range(6)
            ]
        )

    for i, rep in enumerate(aes):
        calls(rep, week(0), 50 if i == 0 else 70 + i)
    coaching_weekly(week=week(0))
    weak = Log.objects.get(rep=aes[0], skill_dimension="objection_handling", assessment_date=week(0))
    assert (weak.gap_detected, weak.severity, weak.cohort_percentile, weak.evidence_source, weak.value) == (
        True,
        "high",
        0,
        "ConvIntelligence",
        50.0,
    )
    assert not Log.objects.get(rep=aes[4], skill_dimension="objection_handling", assessment_date=week(0)).gap_detected
    ConvIntelligenceCall.objects.filter(owner=aes[0]).update(quality_score=60)  # coaching worked
    coaching_weekly(week=week(1))
    later = Log.objects.get(rep=aes[0], skill_dimension="objection_handling", assessment_date=week(1))
    assert later.trend == "improving" and later.value == 60.0
