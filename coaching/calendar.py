"""Dates the coaching cadence runs on: week ends, the first business day of a month, quarter weeks left."""

from __future__ import annotations

import datetime as dt


def week_end(day: dt.date) -> dt.date:
    """The Sunday that ends the last complete week on or before ``day`` (a Sunday is its own week end)."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def first_business_day(year: int, month: int, holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    day = dt.date(year, month, 1)
    while day.weekday() >= 5 or day in holidays:
        day += dt.timedelta(days=1)
    return day


def is_first_business_day(day: dt.date, holidays: frozenset[dt.date] = frozenset()) -> bool:
    return day == first_business_day(day.year, day.month, holidays)


def prior_month(day: dt.date) -> dt.date:
    """First day of the month before ``day``'s month."""
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def parse_holidays(values: list) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(v) for v in values or ())
