"""The score as a pure function: seed 004's weights, data gaps, seed 000's onboarding substitutes."""

import datetime as dt

import pytest

from gtmos.health.measures import BY_CODE, COMPONENTS, measure_weights
from gtmos.health.scoring import (
    AccountInputs,
    Milestone,
    ScoringConfig,
    drivers,
    score_account,
    tenure_segment,
    tier_for,
)

TODAY = dt.date(2026, 6, 30)
CONFIG = ScoringConfig(
    weights={"engagement": 30, "adoption": 25, "satisfaction": 25, "growth": 20},
    ticket_penalties={"urgent": 30, "high": 15, "normal": 5, "low": 2},
)


def full_inputs(**overrides) -> AccountInputs:
    """An established customer with every source present and every measure at full marks."""
    values = dict(
        today=TODAY,
        contract_start=TODAY - dt.timedelta(days=400),
        contracted_seats=100,
        usage_rows_30=30,
        usage_rows_prev_30=30,
        login_days_30=25,
        logins_30=900,
        logins_prev_30=800,
        units_30=0,
        units_prev_30=0,
        seats_avg_7=90.0,
        features_30=7,
        has_events=True,
        has_contacts=True,
        has_exec_sponsor=True,
        exec_last_engaged=TODAY - dt.timedelta(days=3),
        last_touch=TODAY - dt.timedelta(days=2),
        nps=10,
        csat=5,
        has_tickets=True,
        tickets={},
        expansion="won",
        advocacy_count=3,
        has_advocacy=True,
    )
    values.update(overrides)
    return AccountInputs(**values)


def test_seed_004_weights_are_30_25_25_20_and_measures_share_their_component():
    w = measure_weights(CONFIG.weights)
    assert sum(w.values()) == pytest.approx(100)
    per_component = {c: sum(v for k, v in w.items() if BY_CODE[k].component == c) for c in COMPONENTS}
    assert per_component == pytest.approx({"engagement": 30, "adoption": 25, "satisfaction": 25, "growth": 20})


def test_full_marks_everywhere_scores_100_with_full_coverage():
    result = score_account(full_inputs(), CONFIG)
    assert result.score == 100 and result.coverage_pct == 100 and result.data_gaps == []
    assert result.tier == "low"
    assert {c: v["points"] for c, v in result.components.items()} == {
        "engagement": 30.0,
        "adoption": 25.0,
        "satisfaction": 25.0,
        "growth": 20.0,
    }


def test_a_zero_component_costs_exactly_its_weight():
    # Satisfaction at 0 (detractor NPS 0, CSAT 1, tickets that wipe out the ticket measure): 100 − 25.
    result = score_account(full_inputs(nps=0, csat=1, tickets={"urgent": 4}), CONFIG)
    assert result.components["satisfaction"] == {"score": 0, "points": 0.0}
    assert result.score == 75


def test_data_gaps_are_listed_not_scored_and_the_coverage_says_how_much_weight_is_backed():
    # No surveys and no growth records: satisfaction keeps only tickets; growth is entirely a gap.
    result = score_account(
        full_inputs(nps=None, csat=None, expansion=None, has_advocacy=False, advocacy_count=0, tickets={"high": 2}),
        CONFIG,
    )
    assert set(result.data_gaps) == {"nps", "csat", "expansion", "advocacy"}
    assert result.measures["nps"] is None and result.components["growth"]["score"] is None
    # Covered weight: 30 + 25 + 25/3 ≈ 63.3 %.
    assert result.coverage_pct == 63
    # Tickets score 70 at weight 8.33; everything else 100: (55 + 8.33*0.7) / 63.33 = 96.
    assert result.score == 96


def test_an_account_with_no_data_scores_0_with_zero_coverage_never_null():
    result = score_account(AccountInputs(today=TODAY), CONFIG)
    assert result.score == 0 and result.coverage_pct == 0 and result.tier == "critical"
    assert len(result.data_gaps) == 11


def test_no_exec_sponsor_on_record_is_a_finding_but_no_contacts_at_all_is_a_gap():
    assert score_account(full_inputs(has_exec_sponsor=False), CONFIG).measures["exec_sponsor"] == 0
    assert (
        score_account(full_inputs(has_contacts=False, has_exec_sponsor=False), CONFIG).measures["exec_sponsor"] is None
    )


@pytest.mark.parametrize(
    "score,tier",
    [
        (100, "low"),
        (75, "low"),
        (74, "medium"),
        (50, "medium"),
        (49, "high"),
        (25, "high"),
        (24, "critical"),
        (0, "critical"),
    ],
)
def test_tier_boundaries(score, tier):
    assert tier_for(score, CONFIG) == tier


@pytest.mark.parametrize(
    "days,segment",
    [(0, "new"), (89, "new"), (90, "growing"), (179, "growing"), (180, "established"), (900, "established")],
)
def test_lifecycle_segment_boundaries_at_90_and_180_days(days, segment):
    assert tenure_segment(TODAY - dt.timedelta(days=days), TODAY, CONFIG) == segment


def test_high_or_critical_tier_puts_the_account_in_the_at_risk_segment():
    result = score_account(
        full_inputs(
            login_days_30=0,
            exec_last_engaged=None,
            last_touch=TODAY - dt.timedelta(days=200),
            features_30=0,
            logins_30=100,
            seats_avg_7=5.0,
            nps=2,
            csat=1,
            tickets={"urgent": 3},
            expansion="suppressed",
            advocacy_count=0,
        ),
        CONFIG,
    )
    assert result.tier in ("high", "critical") and result.lifecycle_segment == "at_risk"
    assert result.tenure_segment == "established"


def test_usage_trend_compares_the_last_30_days_with_the_30_before():
    flat = score_account(full_inputs(logins_30=800, logins_prev_30=800), CONFIG)
    halved = score_account(full_inputs(logins_30=400, logins_prev_30=800), CONFIG)
    assert flat.measures["usage_trend"] == 83 and flat.inputs["usage_trend"] == 100
    assert halved.measures["usage_trend"] == 0
    assert score_account(full_inputs(usage_rows_prev_30=0), CONFIG).inputs["usage_trend"] == "no_history"


# --- seed 000: dimension substitution during onboarding ----------------------------------------------


def onboarding_inputs(**overrides) -> AccountInputs:
    values = dict(
        today=TODAY,
        contract_start=TODAY - dt.timedelta(days=20),
        contracted_seats=50,
        in_onboarding=True,
        # No live engagement yet (substitutes stand in); survey and growth data that must NOT be used.
        has_contacts=True,
        has_exec_sponsor=True,
        nps=10,
        csat=5,
        expansion="won",
        has_advocacy=True,
        advocacy_count=5,
        milestones={
            "M1": Milestone(True),
            "M4": Milestone(False, TODAY + dt.timedelta(days=10)),
            "M5": Milestone(False, TODAY + dt.timedelta(days=25)),
            "M6": Milestone(False, TODAY + dt.timedelta(days=40)),
        },
    )
    values.update(overrides)
    return AccountInputs(**values)


def test_onboarding_records_are_flagged_and_never_null():
    result = score_account(onboarding_inputs(), CONFIG)
    assert result.in_onboarding is True and isinstance(result.score, int)
    bare = score_account(
        AccountInputs(
            today=TODAY,
            contract_start=TODAY,
            in_onboarding=True,
            milestones={c: Milestone(False, TODAY + dt.timedelta(days=30)) for c in ("M1", "M4", "M5", "M6")},
        ),
        CONFIG,
    )
    assert bare.coverage_pct > 0 and bare.score > 0  # a newly closed customer always has a score


def test_exec_sponsor_engagement_during_onboarding_comes_from_m5_and_the_csm_engagement_log():
    done = onboarding_inputs(milestones={"M5": Milestone(True)})
    assert score_account(done, CONFIG).measures["exec_sponsor"] == 100
    touched = onboarding_inputs(last_exec_touch=TODAY - dt.timedelta(days=5))
    assert score_account(touched, CONFIG).measures["exec_sponsor"] == 80
    not_due = score_account(onboarding_inputs(), CONFIG)
    assert not_due.measures["exec_sponsor"] == 50 and not_due.inputs["exec_sponsor"] == {"M5": "due"}
    overdue = onboarding_inputs(milestones={"M5": Milestone(False, TODAY - dt.timedelta(days=1))})
    assert score_account(overdue, CONFIG).measures["exec_sponsor"] == 0


def test_engagement_recency_during_onboarding_reads_csm_activity_timestamps_from_the_onboarding_log():
    recent = score_account(onboarding_inputs(last_csm_activity=TODAY - dt.timedelta(days=3)), CONFIG)
    assert recent.measures["engagement_recency"] == 100 and recent.inputs["engagement_recency"] == [3, "onboarding_log"]
    stale = score_account(onboarding_inputs(last_csm_activity=TODAY - dt.timedelta(days=52)), CONFIG)
    assert stale.measures["engagement_recency"] == 50
    never = score_account(onboarding_inputs(contract_start=TODAY - dt.timedelta(days=90)), CONFIG)
    assert never.measures["engagement_recency"] == 0 and never.inputs["engagement_recency"] == [90, "kickoff"]
    # Seed 000: the substitute is only for dimensions where live data doesn't exist yet — a logged touch wins.
    live = score_account(onboarding_inputs(last_touch=TODAY - dt.timedelta(days=2)), CONFIG)
    assert (
        live.inputs["engagement_recency"] == [2, "touch"] and "engagement_recency" in live.inputs["live_in_onboarding"]
    )


def test_product_usage_trend_during_onboarding_is_m1_plus_m4_progress():
    # M1 done (50) + M4 not yet due (25) = 75.
    assert score_account(onboarding_inputs(), CONFIG).measures["usage_trend"] == 75
    both = {"M1": Milestone(True), "M4": Milestone(True)}
    assert score_account(onboarding_inputs(milestones=both), CONFIG).measures["usage_trend"] == 100
    late = {"M1": Milestone(False, TODAY - dt.timedelta(days=3)), "M4": Milestone(False, TODAY - dt.timedelta(days=1))}
    assert score_account(onboarding_inputs(milestones=late), CONFIG).measures["usage_trend"] == 0


def test_seat_utilization_during_onboarding_is_m6_progress():
    # A consumption contract (no seats, so no live seat utilization): 300 units of 1,000 at a 60 % threshold
    # (600 units) = 50 % of the way to M6.
    metered = dict(contracted_seats=0, contracted_units=1000)
    halfway = score_account(onboarding_inputs(units_avg_7=300.0, **metered), CONFIG)
    assert halfway.measures["seat_utilization"] == 50
    assert (
        score_account(onboarding_inputs(milestones={"M6": Milestone(True)}), CONFIG).measures["seat_utilization"] == 100
    )
    # Above the threshold but M6 not recorded yet: 99, never the full mark that belongs to M6.
    assert score_account(onboarding_inputs(units_avg_7=900.0, **metered), CONFIG).measures["seat_utilization"] == 99
    # Seats in the usage feed are live data: live seat utilization (15 of 50 = 30 %) replaces the proxy.
    assert score_account(onboarding_inputs(seats_avg_7=15.0), CONFIG).inputs["seat_utilization"] == 30


def test_nps_csat_and_growth_stay_data_gaps_during_onboarding_even_when_data_exists():
    result = score_account(onboarding_inputs(), CONFIG)
    for code in ("nps", "csat", "expansion", "advocacy"):
        assert result.measures[code] is None and result.inputs[code] == "onboarding"
    assert set(result.data_gaps) >= {"nps", "csat", "expansion", "advocacy"}


def test_drivers_name_the_measures_that_moved_the_score_most():
    before = score_account(full_inputs(), CONFIG)
    after = score_account(full_inputs(login_days_30=5, nps=None), CONFIG)
    moved = drivers(
        measures=after.measures,
        previous=before.measures,
        weights=CONFIG.weights,
        was_onboarding=False,
        in_onboarding=False,
        inputs=after.inputs,
    )
    # Login frequency (weight 10) fell 75 points; 91.7 of the weight is backed by data now: −8.2 points.
    assert moved[0]["measure"] == "login_frequency" and moved[0]["points"] == -8.2 and moved[0]["raw"] == 5
    assert {"measure": "nps", "from": 100, "to": None, "points": None, "raw": "no_nps", "kind": "gap"} in moved


def test_driver_points_add_up_to_the_score_change_when_coverage_is_partial():
    base = dict(nps=None, csat=None, expansion=None, has_advocacy=False, has_tickets=False, has_events=False)
    before = score_account(full_inputs(exec_last_engaged=None, **base), CONFIG)
    after = score_account(full_inputs(**base), CONFIG)
    moved = drivers(
        measures=after.measures,
        previous=before.measures,
        weights=CONFIG.weights,
        was_onboarding=False,
        in_onboarding=False,
        inputs=after.inputs,
    )
    assert [d["measure"] for d in moved] == ["exec_sponsor"]
    assert abs(moved[0]["points"] - (after.score - before.score)) <= 1


def test_leaving_onboarding_mode_is_named_as_a_driver():
    moved = drivers(
        measures={"nps": 80}, previous={"nps": None}, weights=CONFIG.weights, was_onboarding=True, in_onboarding=False
    )
    assert moved[0]["kind"] == "left_onboarding"
