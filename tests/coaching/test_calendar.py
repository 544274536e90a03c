import datetime as dt

from coaching.calendar import first_business_day, is_first_business_day, prior_month, week_end


def test_a_month_starting_on_a_weekend_runs_on_monday():
    assert first_business_day(2026, 11, frozenset()) == dt.date(2026, 11, 2)  # Nov 1 2026 is a Sunday
    assert first_business_day(2026, 8, frozenset()) == dt.date(2026, 8, 3)  # Aug 1 2026 is a Saturday
    assert first_business_day(2026, 10, frozenset()) == dt.date(2026, 10, 1)  # a Thursday


def test_holidays_are_skipped():
    new_year = frozenset({dt.date(2027, 1, 1)})
    assert first_business_day(2027, 1, new_year) == dt.date(2027, 1, 4)  # Fri holiday, then the weekend
    assert not is_first_business_day(dt.date(2027, 1, 1), new_year)


def test_week_end_and_prior_month():
    assert week_end(dt.date(2026, 11, 23)) == dt.date(2026, 11, 22)  # Monday → the Sunday before
    assert week_end(dt.date(2026, 11, 22)) == dt.date(2026, 11, 22)
    assert prior_month(dt.date(2026, 1, 5)) == dt.date(2025, 12, 1)
