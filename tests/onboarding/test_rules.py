"""Seed 000's rules as pure functions, with the seed's numbers."""

import datetime as dt
from decimal import Decimal

import pytest

from onboarding import rules

D = dt.date


def facts(**kw):
    base = dict(
        segment="mm",
        acv=Decimal("50000"),
        sam_value=Decimal("100000"),
        stage_rank=3,
        health=70,
        has_services_line=False,
        has_api_sku=False,
        complex_integration=False,
    )
    return rules.DealFacts(**{**base, **kw})


GATE = dict(acv_threshold=Decimal("100000"), sam_threshold=Decimal("500000"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"segment": "ent"}, "Enterprise segment"),
        ({"acv": Decimal("100000")}, "ACV"),
        ({"has_services_line": True}, "Implementation services on the quote"),
        ({"sam_value": Decimal("500000")}, "SAM"),
    ],
)
def test_each_eligibility_path_alone_makes_a_deal_eligible(change, reason):
    reasons = rules.eligibility_reasons(facts(**change), **GATE)
    assert len(reasons) == 1 and reasons[0].startswith(reason)


def test_ineligible_below_every_threshold():
    assert rules.eligibility_reasons(facts(acv=Decimal("99999"), sam_value=Decimal("499999")), **GATE) == []


@pytest.mark.parametrize(
    ("health", "stage_rank", "fires"), [(70, 3, True), (69, 3, False), (70, 2, False), (None, 4, False), (95, 4, True)]
)
def test_auto_fire_needs_health_70_and_stage_proposal(health, stage_rank, fires):
    assert rules.auto_fires(facts(health=health, stage_rank=stage_rank), min_stage_rank=3, health_threshold=70) is fires


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"segment": "ent"}, ["Enterprise segment"]),
        ({"has_api_sku": True}, ["API / consumption SKU on the quote"]),
        ({"complex_integration": True}, ["complex integration discussed"]),
        ({"segment": "ent", "has_services_line": True}, []),
        ({}, []),
    ],
)
def test_resource_flag_when_complexity_without_services_line(change, expected):
    assert rules.needs_services_flag(facts(**change)) == expected


def test_ttv_target_from_earliest_value_event_else_segment_default():
    start = D(2026, 3, 1)
    assert (
        rules.ttv_target_days(
            value_event_dates=[D(2026, 4, 15), D(2026, 3, 31)], contract_start=start, segment_default=90
        )
        == 30
    )
    assert rules.ttv_target_days(value_event_dates=[], contract_start=start, segment_default=60) == 60


def test_offsets_scale_from_the_90_day_baseline():
    assert [rules.scaled_offset(d, 90) for d in (7, 14, 21, 30, 45, 60, 90)] == [7, 14, 21, 30, 45, 60, 90]
    assert [rules.scaled_offset(d, 30) for d in (7, 14, 21, 30, 45, 60, 90)] == [2, 5, 7, 10, 15, 20, 30]


def _project(today, done, ttv=90):
    start = D(2026, 3, 1)
    targets = {c: start + dt.timedelta(days=o) for c, o in zip(rules.PATH_TO_TTV, (7, 14, 21, 30, 45, 60))}
    full = {c: None for c in rules.PATH_TO_TTV}
    full.update(done)
    return rules.project_ttv(start=start, ttv_target=ttv, today=today, done=full, targets=targets)


def test_ttv_complete_only_with_m4_and_m6():
    assert not _project(D(2026, 4, 10), {"M4": D(2026, 4, 1)}).complete
    assert not _project(D(2026, 4, 10), {"M6": D(2026, 4, 1)}).complete
    assert _project(D(2026, 4, 10), {"M4": D(2026, 4, 1), "M6": D(2026, 4, 5)}).complete


def test_on_pace_plan_is_not_a_miss_and_slow_plan_is():
    on_pace = _project(D(2026, 3, 15), {"M1": D(2026, 3, 7), "M2": D(2026, 3, 14)})
    assert not on_pace.misses and on_pace.projected <= on_pace.deadline
    slow = _project(D(2026, 4, 20), {"M1": D(2026, 3, 20)})  # one milestone in 50 days → 300 days for six
    assert slow.misses and "M2" in slow.blocking and "M4" in slow.blocking


def test_nothing_done_and_overdue_slips_the_projection():
    late = _project(D(2026, 3, 20), {})  # M1 due 3-08, M2 due 3-15: worst is 12 days late
    assert late.misses and late.projected == late.deadline + dt.timedelta(days=12)
    early = _project(D(2026, 3, 5), {})
    assert not early.misses


def test_exec_sponsor_flag_due_at_half_the_window():
    assert _project(D(2026, 3, 2), {}).exec_flag_due == D(2026, 4, 15)  # 45 days into a 90-day TTV


def test_consecutive_unanswered_resets_on_reply():
    assert rules.consecutive_unanswered(["outreach", "outreach", "customer_reply", "outreach"]) == 2
    assert rules.consecutive_unanswered(["customer_reply", "outreach"]) == 0
    assert rules.consecutive_unanswered(["outreach"] * 3) == 3
