"""AE config on hand-built data: every metric's value worked out by hand (AS_OF = 2026-03-16)."""

import datetime as dt

from coaching.metrics.ae import pair_code
from coaching.models import DailyFlag
from gtmos.crm.models import OpportunityBriefLog, Quota, QuotaRetirementLedger, Quote, Role, Stage

from .conftest import at, day, deal_path, money, opportunity, readings, rep, value

P, D, DEMO, PROP, NEG = Stage.PROSPECTING, Stage.DISCOVERY, Stage.DEMO, Stage.PROPOSAL, Stage.NEGOTIATION
WON, LOST = Stage.CLOSED_WON, Stage.CLOSED_LOST


def quota(ae, period, start, end, amount):
    return Quota.objects.create(rep=ae, period=period, period_start=start, period_end=end, amount=money(amount))


def ledger(q, on, *, closed=0, committed=0, commit=None):
    return QuotaRetirementLedger.objects.create(
        quota=q,
        as_of_date=on,
        closed_amount=money(closed),
        committed_amount=money(committed),
        rep_commit=None if commit is None else money(commit),
    )


# --- attainment_pace ---------------------------------------------------------------------------------------------


def test_attainment_pace_compares_closed_plus_committed_with_the_time_weighted_quota(cs):
    ae, no_ledger = rep(Role.AE), rep(Role.AE)
    q = quota(ae, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 90_000)  # 90 days
    quota(ae, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 500_000)  # not in force on AS_OF
    ledger(q, dt.date(2026, 2, 27), closed=30_000, committed=40_000)  # superseded by the later row
    ledger(q, dt.date(2026, 3, 13), closed=45_000, committed=15_000)  # latest row on or before AS_OF
    ledger(q, dt.date(2026, 3, 17), closed=90_000)  # after AS_OF: not known yet
    quota(no_ledger, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 90_000)

    out = readings(ae, no_ledger)

    # Jan 1 → Mar 16 is day 75 of 90: pace = 90,000 × 75/90 = 75,000; retired 45,000 + 15,000 = 60,000 → 80.0%.
    r = out[ae.pk]["attainment_pace"]
    assert (r.value, r.target) == (80.0, 100.0)
    # Plain attainment 60,000 / 90,000 = 66.67%; Mar 16 → Mar 31 is 15 days = 2.1 weeks left.
    assert r.evidence["attainment_pct"] == 66.67
    assert r.evidence["weeks_left"] == 2.1
    assert (r.evidence["closed"], r.evidence["committed"], r.evidence["as_of"]) == (45_000.0, 15_000.0, "2026-03-13")
    # A quota without any ledger row yet has no reading (a data gap, not 0%).
    assert value(out, no_ledger, "attainment_pace") is None


def test_attainment_pace_on_the_first_and_last_day_of_the_quarter(cs):
    ae = rep(Role.AE)
    q = quota(ae, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 90_000)
    ledger(q, dt.date(2026, 1, 1), closed=500)
    ledger(q, dt.date(2026, 3, 31), closed=72_000, committed=0)
    # Day 1 of 90: pace 1,000; 500 retired → 50.0%; Jan 1 → Mar 31 is 89 days = 12.7 weeks left.
    first = readings(ae, as_of=dt.date(2026, 1, 1))[ae.pk]["attainment_pace"]
    assert (first.value, first.evidence["weeks_left"]) == (50.0, 12.7)
    # Last day: pace is the whole quota; 72,000 / 90,000 → 80.0%, 0 weeks left.
    last = readings(ae, as_of=dt.date(2026, 3, 31))[ae.pk]["attainment_pace"]
    assert (last.value, last.evidence["attainment_pct"], last.evidence["weeks_left"]) == (80.0, 80.0, 0.0)


# --- forecast_accuracy -------------------------------------------------------------------------------------------


def test_forecast_accuracy_compares_the_call_four_weeks_out_with_the_close(cs):
    optimist, sandbagger = rep(Role.AE), rep(Role.AE)
    q3 = quota(optimist, "2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), 100_000)
    ledger(q3, dt.date(2025, 9, 1), commit=10_000)
    ledger(q3, dt.date(2025, 9, 30), closed=10_000)  # an earlier period: the latest ended one wins
    q4 = quota(optimist, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(q4, dt.date(2025, 11, 5), commit=90_000)
    ledger(q4, dt.date(2025, 12, 3), commit=120_000)  # Dec 31 − 28 days = Dec 3: the call (boundary included)
    ledger(q4, dt.date(2025, 12, 10), commit=200_000)  # too late to be the forecast call
    ledger(q4, dt.date(2025, 12, 31), closed=100_000, commit=100_000)
    quota(optimist, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 100_000)  # not ended on AS_OF

    s4 = quota(sandbagger, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(s4, dt.date(2025, 11, 28), commit=75_000)
    ledger(s4, dt.date(2025, 12, 31), closed=100_000)

    out = readings(optimist, sandbagger)

    # |120,000 − 100,000| / 100,000 = 20% error → 80.0; bias +20% (optimistic call).
    r = out[optimist.pk]["forecast_accuracy"]
    assert (r.value, r.evidence["bias_pct"], r.evidence["called_on"], r.evidence["period"]) == (
        80.0,
        20.0,
        "2025-12-03",
        "2025-Q4",
    )
    # 75,000 called, 100,000 closed: 25% error → 75.0, bias −25% (sandbag).
    s = out[sandbagger.pk]["forecast_accuracy"]
    assert (s.value, s.evidence["bias_pct"]) == (75.0, -25.0)


def test_forecast_accuracy_sees_only_the_ledger_known_on_as_of(cs):
    ae = rep(Role.AE)
    q4 = quota(ae, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(q4, dt.date(2025, 12, 1), commit=120_000)
    ledger(q4, dt.date(2025, 12, 31), closed=100_000)
    ledger(q4, dt.date(2026, 3, 20), closed=125_000)  # a credit adjustment booked after AS_OF
    # On AS_OF the close is 100,000: 20% error → 80.0 (not 96.0 from the later 125,000).
    assert value(readings(ae), ae, "forecast_accuracy") == 80.0
    # Once the adjustment is known, |120,000 − 125,000| / 125,000 = 4% → 96.0.
    assert value(readings(ae, as_of=dt.date(2026, 3, 20)), ae, "forecast_accuracy") == 96.0


def test_forecast_accuracy_without_a_call_or_a_close(cs):
    no_call, zero_close, zero_both = rep(Role.AE), rep(Role.AE), rep(Role.AE)
    q = quota(no_call, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(q, dt.date(2025, 12, 20), commit=50_000)  # only after the call date: no forecast call
    ledger(q, dt.date(2025, 12, 31), closed=40_000)
    q = quota(zero_close, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(q, dt.date(2025, 11, 1), commit=50_000)
    ledger(q, dt.date(2025, 12, 31), closed=0)
    q = quota(zero_both, "2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), 100_000)
    ledger(q, dt.date(2025, 11, 1), commit=0)
    out = readings(no_call, zero_close, zero_both)
    assert value(out, no_call, "forecast_accuracy") is None
    # Called 50,000, closed nothing: 0.0 accuracy, +100% bias; called 0 and closed 0: exact.
    assert (
        out[zero_close.pk]["forecast_accuracy"].value,
        out[zero_close.pk]["forecast_accuracy"].evidence["bias_pct"],
    ) == (0.0, 100.0)
    assert value(out, zero_both, "forecast_accuracy") == 100.0


# --- stage_conversion and deal_velocity --------------------------------------------------------------------------


def test_stage_conversion_for_every_stage_pair(cs):
    ae = rep(Role.AE)
    for _ in range(4):
        deal_path(ae, [P, D, DEMO, PROP, NEG, WON], start_days_ago=100)
    deal_path(ae, [P, D, DEMO, PROP, NEG], start_days_ago=100)
    deal_path(ae, [P, D, DEMO, PROP, LOST], start_days_ago=100)
    deal_path(ae, [P, D, DEMO, LOST], start_days_ago=100)
    deal_path(ae, [P, D, DEMO], start_days_ago=100)
    deal_path(ae, [P, D, LOST], start_days_ago=100)
    stuck = deal_path(ae, [P], start_days_ago=100, name="Stuck in prospecting")

    out = readings(ae)[ae.pk]

    # Entered / advanced to a later ladder stage (closed lost is off the ladder):
    assert out[pair_code(P, D)].value == 90.0  # 9 of 10
    assert out[pair_code(D, DEMO)].value == 88.89  # 8 of 9
    assert out[pair_code(DEMO, PROP)].value == 75.0  # 6 of 8
    assert out[pair_code(PROP, NEG)].value == 83.33  # 5 of 6
    assert out[pair_code(NEG, WON)].value == 80.0  # 4 of 5
    assert [out[pair_code(a, b)].sample for a, b in [(P, D), (D, DEMO), (DEMO, PROP), (PROP, NEG), (NEG, WON)]] == [
        10,
        9,
        8,
        6,
        5,
    ]
    assert out[pair_code(P, D)].evidence["deals"] == [stuck.name]
    # Every stage lasted 7 days; days in stage per stage: 9 left prospecting, 9 discovery, 7 demo, 6 proposal
    # (4 left negotiation: below min_sample).
    assert {code: (r.value, r.sample) for code, r in out.items() if code.startswith("deal_velocity")} == {
        "deal_velocity:prospecting": (7.0, 9),
        "deal_velocity:discovery": (7.0, 9),
        "deal_velocity:demo": (7.0, 7),
        "deal_velocity:proposal": (7.0, 6),
    }


def test_skipping_a_stage_counts_as_advancing_and_thin_pairs_are_absent(cs):
    ae = rep(Role.AE)
    deal_path(ae, [D, PROP], start_days_ago=40)
    deal_path(ae, [D, PROP], start_days_ago=40)
    deal_path(ae, [D, DEMO], start_days_ago=40)
    deal_path(ae, [D, LOST], start_days_ago=40)
    deal_path(ae, [D, LOST], start_days_ago=40)
    out = readings(ae)[ae.pk]
    # 3 of 5 entered discovery went higher (two straight to proposal) → 60.0.
    assert out[pair_code(D, DEMO)].value == 60.0
    # Only 1 entered demo and 2 entered proposal: below min_sample 5 → no reading (a gap, not 0).
    assert pair_code(DEMO, PROP) not in out and pair_code(PROP, NEG) not in out


def test_stage_conversion_window_is_the_trailing_180_days(cs):
    ae = rep(Role.AE)
    for _ in range(4):
        deal_path(ae, [D, DEMO], start_days_ago=179)  # day 1 of the 180-day window: in
    deal_path(ae, [D], start_days_ago=179)
    deal_path(ae, [D, DEMO], start_days_ago=180)  # one day outside the window: out
    deal_path(ae, [D, DEMO], start_days_ago=10, days=11)  # advances tomorrow: not advanced on AS_OF
    # 4 advanced of 6 entered in the window → 66.67 (not 5/7 = 71.43 nor 5/6 = 83.33).
    assert value(readings(ae), ae, pair_code(D, DEMO)) == 66.67


def test_deal_velocity_is_mean_days_in_each_stage_left_in_the_window(cs):
    ae, thin = rep(Role.AE), rep(Role.AE)
    for _ in range(5):
        deal_path(ae, [P, D, DEMO], start_days_ago=60, days=[10, 20])  # 10 and 20 days
    deal_path(ae, [P, D], start_days_ago=240, days=50)  # left prospecting 190 days ago: outside 180 days
    deal_path(ae, [P, D], start_days_ago=5, days=10)  # leaves prospecting after AS_OF: not yet a duration
    deal_path(thin, [P, D, DEMO], start_days_ago=60)
    deal_path(thin, [P, D, DEMO], start_days_ago=60)
    out = readings(ae, thin)
    # Prospecting: 5 × 10 days (the deal that left 190 days ago and the one leaving tomorrow are out); discovery
    # 5 × 20 days.
    assert (out[ae.pk]["deal_velocity:prospecting"].value, out[ae.pk]["deal_velocity:prospecting"].sample) == (10.0, 5)
    assert (out[ae.pk]["deal_velocity:discovery"].value, out[ae.pk]["deal_velocity:discovery"].sample) == (20.0, 5)
    # 2 durations per stage < min_sample 5: no velocity.
    assert not any(code.startswith("deal_velocity") for code in out.get(thin.pk, {}))


# --- deal_advance ------------------------------------------------------------------------------------------------


def brief(opp, days_ago, met):
    OpportunityBriefLog.objects.create(opportunity=opp, logged_at=at(days_ago), objectives_met=met)


def test_deal_advance_is_the_share_of_briefs_with_objectives_met(cs):
    ae, other, thin = rep(Role.AE), rep(Role.AE), rep(Role.AE)
    opp = opportunity(owner=ae)
    for days_ago, met in [(1, True), (20, True), (89, True), (30, False), (60, False)]:
        brief(opp, days_ago, met)
    brief(opp, 5, None)  # objectives not assessed: not counted
    brief(opp, 90, True)  # one day outside the 90-day window
    brief(opportunity(owner=other), 3, False)  # someone else's deal
    for _ in range(4):
        brief(opportunity(owner=thin), 3, True)
    out = readings(ae, thin)
    # 3 met of 5 assessed → 60.0 (the None and the day-90 brief are out: not 4/6 or 4/7).
    assert (out[ae.pk]["deal_advance"].value, out[ae.pk]["deal_advance"].sample) == (60.0, 5)
    assert value(out, thin, "deal_advance") is None  # 4 briefs < min_sample


# --- discount_depth and term_exception_rate ----------------------------------------------------------------------


def quote(opp, days_ago, discount, exception=False):
    Quote.objects.create(
        opportunity=opp, created_at=at(days_ago), discount_pct=money(discount), term_exception=exception
    )


def test_discount_depth_and_term_exceptions_over_90_days_of_quotes(cs):
    ae = rep(Role.AE)
    new, expansion = opportunity(owner=ae), opportunity(owner=ae, type="expansion")
    quote(new, 1, 10, exception=True)
    quote(new, 10, 20)
    quote(new, 30, 0)
    quote(expansion, 50, 15, exception=True)  # AEs are measured on every quote of their deals
    quote(new, 89, 5)  # first day of the window
    quote(new, 90, 90, exception=True)  # one day outside
    out = readings(ae)[ae.pk]
    # (10 + 20 + 0 + 15 + 5) / 5 = 10.0 pts; 2 of 5 with a term exception → 40.0.
    assert (out["discount_depth"].value, out["term_exception_rate"].value) == (10.0, 40.0)
    assert out["discount_depth"].sample == 5


def test_quotes_below_min_sample_are_a_gap(cs):
    ae = rep(Role.AE)
    opp = opportunity(owner=ae)
    for d in range(4):
        quote(opp, d, 30, exception=True)
    out = readings(ae).get(ae.pk, {})
    assert "discount_depth" not in out and "term_exception_rate" not in out


# --- daily_flags (every role) ------------------------------------------------------------------------------------


def test_daily_flags_count_the_trailing_14_days_for_every_rep(cs):
    ae, sdr = rep(Role.AE), rep(Role.SDR)
    for i, days_ago in enumerate([0, 6, 13]):  # 13 days ago is the window's first day
        DailyFlag.objects.create(
            rep=ae, role=Role.AE, day=day(days_ago), condition=f"c{i}", value=1, threshold=2, detail="x"
        )
    DailyFlag.objects.create(rep=ae, role=Role.AE, day=day(14), condition="old", value=1, threshold=2, detail="x")
    out = readings(ae, sdr)
    # 3 flags in Mar 3–16 (the one on Mar 2 is out); the target is repeat_flags − 1 = 2.
    assert (out[ae.pk]["daily_flags"].value, out[ae.pk]["daily_flags"].target) == (3, 2)
    # A rep without flags reads 0 (so the repeated-flags pattern can close), never absent.
    assert value(out, sdr, "daily_flags") == 0
