"""The persistence clock's pure rules: ≥ 10% improvement resets (boundary inclusive), week 3 escalates."""

import pytest

from coaching import patterns
from coaching.patterns import Episode, decide, improved

RULES = dict(min_weeks=2, escalate_after=3, improvement_pct=10)


@pytest.mark.parametrize(
    "prev, now, higher, expected",
    [
        (30.0, 33.0, True, True),  # exactly 10% better: resets
        (30.0, 32.99, True, False),  # 9.97%: does not
        (30.0, 40.0, True, True),
        (30.0, 27.0, True, False),  # wrong direction
        (20.0, 18.0, False, True),  # lower is better: 10% lower resets
        (20.0, 18.01, False, False),
        (0.0, 1.0, True, True),  # from zero, any move the right way
        (None, 50.0, True, False),  # no prior measurement
    ],
)
def test_improvement_is_ten_percent_in_the_right_direction(prev, now, higher, expected):
    assert improved(prev, now, higher_is_better=higher, pct=10) is expected


def step(episode, *, breach=True, streak=2, prev=10.0, value=10.0):
    return decide(episode, breach=breach, streak=streak, prev=prev, value=value, higher_is_better=True, **RULES)


def test_a_gap_becomes_a_pattern_only_when_it_persists():
    assert step(None, streak=1).action == patterns.NONE
    assert step(None, streak=2) == patterns.Decision(patterns.OPEN, 1)
    assert step(None, breach=False, streak=0).action == patterns.NONE


def test_week_three_without_improvement_escalates_once():
    d2 = step(Episode(1, False))
    assert d2 == patterns.Decision(patterns.PERSIST, 2)
    d3 = step(Episode(2, False))
    assert d3 == patterns.Decision(patterns.ESCALATE, 3)
    assert step(Episode(3, True)) == patterns.Decision(patterns.PERSIST, 4)  # already escalated: keeps counting


def test_measurable_improvement_restarts_the_clock_but_a_small_one_does_not():
    assert step(Episode(2, False), prev=10.0, value=11.0) == patterns.Decision(patterns.RESET, 1)
    assert step(Episode(2, False), prev=10.0, value=10.9) == patterns.Decision(patterns.ESCALATE, 3)


def test_a_closed_gap_resolves():
    assert step(Episode(2, False), breach=False).action == patterns.RESOLVE
