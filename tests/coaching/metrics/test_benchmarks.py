"""evaluate(): each reading against its benchmark kind (team median, segment median, cohort bottom quartile,
target), the MIN_PEERS fallback to the cohort, relative vs absolute gaps, lower-is-better, and critical only
for headline metrics past the cohort's 10th percentile. Hand-made readings (evaluate is pure), then one
measure() run on the database with RevOps' settings."""

import itertools

import pytest

from coaching.metrics import benchmarks, measure, reps_of
from coaching.metrics.base import SEGMENT, Metric, Reading, Rep
from coaching.metrics.benchmarks import MIN_COHORT, MIN_PEERS, evaluate, percentile
from gtmos.crm.models import Employee, OpportunityBriefLog, Role

from .conftest import AS_OF, at, manager, opportunity, rep

_ids = itertools.count(1)


def cohort(role, code, rows, **target):
    """rows: (value, manager, segment) → (reps, readings), ids in row order."""
    reps, readings = {}, {}
    for v, mgr, seg in rows:
        i = next(_ids)
        reps[i] = Rep(i, f"rep {i}", role, seg, mgr, None)
        readings[i] = {code: Reading(v, 5, **target)}
    return reps, readings


def results(role, code, rows, **kw):
    reps, readings = cohort(role, code, rows)
    out = evaluate(readings, reps, **kw)
    return [out[i][code] for i in reps]


def test_percentile_interpolates_between_ranks():
    assert percentile([10, 20, 30, 40, 50], 25) == 20  # rank 1.0
    assert percentile([10, 20, 30, 40], 25) == 17.5  # rank 0.75: 10 + 0.75 × 10
    assert percentile([10, 50, 60, 70, 80], 10) == 26  # rank 0.4: 10 + 0.4 × 40
    assert percentile([7], 90) == 7


def test_team_median_and_the_min_peers_fallback_to_the_cohort():
    assert MIN_PEERS == 2
    # AE next-step rate: team median, 15 points.
    a, b, c, d, e, f = results(
        Role.AE,
        "next_step_rate",
        [
            (40, 1, "mm"),
            (60, 1, "mm"),
            (80, 1, "mm"),  # manager 1: median 60
            (20, 2, "mm"),
            (30, 2, "mm"),  # manager 2: median 25
            (30, 3, "mm"),  # manager 3 has one rep: below MIN_PEERS → the role cohort's median
        ],
    )
    assert (a.benchmark, a.breach, a.gap) == (60, True, 20)  # 40 < 60 − 15
    assert (b.breach, c.breach) == (False, False)
    assert (d.benchmark, d.breach) == (25, False)  # own team's 25, not the cohort's 35: 20 ≥ 25 − 15
    # Cohort: 20, 30, 30, 40, 60, 80 → median 35.
    assert (f.benchmark, f.breach) == (35, False)


def test_reps_without_a_manager_or_a_segment_are_not_a_team_or_a_segment():
    # Two managerless AEs are not each other's team: each falls back to the cohort median.
    loner, other, *_ = results(
        Role.AE, "next_step_rate", [(10, None, "mm"), (20, None, "mm"), (60, 1, "mm"), (70, 1, "mm"), (80, 1, "mm")]
    )
    assert (loner.benchmark, loner.breach) == (60, True)  # cohort median 60 (not 15 from the two of them)
    # Likewise reps with no segment for a segment benchmark: cohort median (30 + 50) / 2 = 40.
    blank, *_ = results(Role.AE, "discount_depth", [(30, 1, ""), (10, 2, ""), (50, 3, "mm"), (60, 4, "mm")])
    assert (blank.benchmark, blank.breach) == (40, False)


def test_segment_median_with_an_absolute_gap_and_its_boundary():
    # Stage conversion: segment median, 10 points; the rep's manager does not matter.
    mm_low, mm_mid, mm_high, mm_edge, ent_low, ent_high = results(
        Role.AE,
        "stage_conversion:discovery>demo",
        [
            (30, 1, "mm"),
            (50, 2, "mm"),
            (70, 3, "mm"),
            (40, 4, "mm"),  # MM median (40 + 50) / 2 = 45
            (20, 1, "ent"),
            (40, 2, "ent"),  # ENT median 30
        ],
    )
    assert (mm_low.benchmark, mm_low.breach, mm_low.gap) == (45, True, 15)  # 30 < 35
    assert mm_edge.breach is False  # 40 ≥ 35
    assert (ent_low.benchmark, ent_low.breach) == (30, False)  # exactly 10 below: not past the gap
    assert ent_high.gap == -10  # negative gap = better than the benchmark


def test_cohort_bottom_quartile_needs_min_cohort_reps():
    assert MIN_COHORT == 4
    low, q1, *_ = results(
        Role.AM, "call_quality", [(10, 1, "mm"), (20, 2, "mm"), (30, 3, "mm"), (40, 4, "mm"), (50, 5, "mm")]
    )
    assert (low.benchmark, low.breach) == (20, True)  # 25th percentile of 10…50 is 20; 10 is below it
    assert q1.breach is False  # at the quartile, not below it
    few = results(Role.AM, "call_quality", [(10, 1, "mm"), (50, 1, "mm"), (60, 1, "mm")])
    assert [(r.benchmark, r.breach) for r in few] == [(None, False)] * 3  # 3 reps: no quartile, no gap


def test_target_benchmarks_are_carried_by_the_reading():
    reps, readings = {}, {}
    for i, v in enumerate([85.0, 84.9, 120.0], start=900):
        reps[i] = Rep(i, "ae", Role.AE, "mm", 1, None)
        readings[i] = {"attainment_pace": Reading(v, 1, target=100.0)}
    out = evaluate(readings, reps)
    # Attainment vs pace: target 100%, gap 15 → below 85 is a gap.
    assert [(out[i]["attainment_pace"].benchmark, out[i]["attainment_pace"].breach) for i in reps] == [
        (100, False),
        (100, True),
        (100, False),
    ]


def test_relative_gaps_scale_with_the_benchmark():
    # SDR meeting acceptance: team median, gap 30% of it (relative). Team median 10 → below 7 is a gap.
    rows = [(10, 1, "mm"), (10, 1, "mm"), (7, 1, "mm"), (6.9, 1, "mm"), (20, 1, "mm")]
    assert [r.breach for r in results(Role.SDR, "meeting_acceptance", rows)] == [False, False, False, True, False]


def test_lower_is_better_relative_and_absolute():
    # Deal velocity (days per stage): lower is better, segment median, 25% relative. Median 20 → above 25.
    fast, edge, slow, mid, _ = results(
        Role.AE, "deal_velocity", [(10, 1, "mm"), (25, 2, "mm"), (25.5, 3, "mm"), (20, 4, "mm"), (20, 5, "mm")]
    )
    assert mid.benchmark == 20
    assert (fast.breach, edge.breach, slow.breach) == (False, False, True)
    assert (fast.gap, slow.gap) == (-10, 5.5)  # positive gap = worse: slower than the benchmark
    # Discount depth: lower is better, 5 points absolute over the segment median 10.
    depth = results(
        Role.AE, "discount_depth", [(5, 1, "mm"), (10, 1, "mm"), (15, 1, "mm"), (15.5, 1, "mm"), (10, 1, "mm")]
    )
    assert [r.breach for r in depth] == [False, False, False, True, False]


def test_every_metric_is_critical_past_its_role_cohort_10th_percentile():
    """DESIGN: "any metric worse than its critical bound (a RevOps setting per metric; default: the role
    cohort's 10th percentile)" — diagnosis metrics too, not only the headline ones."""
    rows = [(10, 1, "mm"), (40, 1, "mm"), (60, 1, "mm"), (70, 1, "mm"), (80, 1, "mm")]
    # Team median 60, gap 15 → 10 and 40 breach; cohort 10th percentile = 10 + 0.4 × (40 − 10) = 22.
    for code in ("forecast_accuracy", "next_step_rate"):
        out = results(Role.AE, code, rows)
        assert [(r.breach, r.critical) for r in out[:3]] == [(True, True), (True, False), (False, False)], code
        assert out[0].bound == 22.0
        assert out[0].bound_rule == "worst 10% of the AE cohort: its 10th percentile across 5 reps"
    # A wider critical bound for this metric (25th percentile = 40): 40 is not below it, 10 is.
    wider = results(Role.AE, "forecast_accuracy", rows, bounds={(Role.AE, "forecast_accuracy"): (25, None)})
    assert [r.critical for r in wider[:2]] == [True, False]
    # A fixed bound RevOps set: below 45 is critical, whatever the cohort.
    fixed = results(Role.AE, "forecast_accuracy", rows, bounds={(Role.AE, "forecast_accuracy"): (None, 45)})
    assert [r.critical for r in fixed[:3]] == [True, True, False]
    assert fixed[0].bound_rule == "below 45%, a fixed bound set by RevOps"
    # Fewer than MIN_COHORT reps and no fixed bound: a breach, never critical.
    few = results(Role.AE, "forecast_accuracy", [(10, 1, "mm"), (60, 1, "mm"), (80, 1, "mm")])
    assert (few[0].breach, few[0].critical, few[0].bound) == (True, False, None)


def test_critical_for_a_lower_is_better_headline_metric_uses_the_90th_percentile(monkeypatch):
    lower = Metric("cost", Role.AE, "Cost", "test", "pts", False, SEGMENT, 5)
    monkeypatch.setattr(benchmarks, "metric_of", lambda role, code: lower)
    rows = [(10, 1, "mm"), (12, 1, "mm"), (14, 1, "mm"), (30, 1, "mm"), (22, 1, "mm")]
    # Segment median 14 → above 19 is a gap; 90th percentile of 10…30 = 22 + 0.6 × 8 = 26.8.
    out = results(Role.AE, "cost", rows)
    assert [(r.breach, r.critical) for r in out] == [(False, False)] * 3 + [(True, True), (True, False)]


def test_gap_overrides_by_code_beat_the_family_which_beats_the_registry():
    rows = [(30, 1, "mm"), (50, 2, "mm"), (70, 3, "mm")]  # segment median 50; registry gap 10
    code = "stage_conversion:discovery>demo"
    assert results(Role.AE, code, rows)[0].breach is True  # 30 < 40
    assert results(Role.AE, code, rows, gap_overrides={"stage_conversion": 25})[0].breach is False  # 30 ≥ 25
    assert results(Role.AE, code, rows, gap_overrides={"stage_conversion": 25, code: 15})[0].breach is True  # < 35


def test_readings_outside_the_role_config_are_not_benchmarked():
    reps = {1: Rep(1, "am", Role.AM, "mm", 1, None)}
    out = evaluate({1: {"deal_velocity": Reading(10, 5), "nrr": Reading(90, 5, target=100)}}, reps)
    assert set(out[1]) == {"nrr"}  # deal velocity is an AE metric


@pytest.mark.parametrize("role", [Role.AE, Role.AM, Role.CSM, Role.SDR])
def test_every_registered_metric_is_benchmarked_in_its_direction(role):
    """For each metric of each role config: a clearly worse reading breaches, a clearly better one does not."""
    from coaching.metrics.registry import REGISTRY

    for m in REGISTRY[role].values():
        code = {
            "stage_conversion": "stage_conversion:discovery>demo",
            "sequence_response": "sequence_response:cold",
            "step_response": "step_response:cold:1",
        }.get(m.code, m.code)
        good, bad = (1000.0, -1000.0) if m.higher_is_better else (-1000.0, 1000.0)
        rows = [(50, 1, "mm")] * 4 + [(good, 1, "mm"), (bad, 1, "mm")]
        reps, readings = cohort(role, code, rows, target=50)
        out = evaluate(readings, reps)
        ids = list(reps)
        assert out[ids[-1]][code].breach, m.code
        assert not out[ids[-2]][code].breach, m.code


def test_measure_benchmarks_database_readings_with_the_revops_settings(cs):
    mgr = manager()
    strong, mid, weak = (rep(Role.AE, manager=mgr) for _ in range(3))
    for ae, met in ((strong, 5), (mid, 3), (weak, 1)):
        opp = opportunity(owner=ae)
        for k in range(5):
            OpportunityBriefLog.objects.create(opportunity=opp, logged_at=at(1), objectives_met=k < met)
    reps = reps_of(Employee.objects.filter(manager=mgr))
    # Deal advance 100, 60, 20 (of 5 briefs each); team median 60, gap 15 points → 20 is a gap of 40.
    out = measure(reps, AS_OF, cs)
    r = out[weak.pk]["deal_advance"]
    assert (r.value, r.benchmark, r.breach, r.gap, r.critical) == (20.0, 60.0, True, 40.0, False)
    assert out[mid.pk]["deal_advance"].breach is False
    assert (out[weak.pk]["daily_flags"].value, out[weak.pk]["daily_flags"].breach) == (0, False)
    # RevOps widens the gap to 45 points: no longer a gap.
    cs.gap_overrides = {"deal_advance": 45}
    assert measure(reps, AS_OF, cs)[weak.pk]["deal_advance"].breach is False
    # RevOps raises min_sample to 6: 5 briefs are no longer a measurement.
    cs.min_sample = 6
    assert "deal_advance" not in measure(reps, AS_OF, cs)[weak.pk]
