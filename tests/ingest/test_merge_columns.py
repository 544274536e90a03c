"""The API's usage batches in one statement (issue 21): the same rows as the staged merge, every missing
reference named with nothing written, a replay writing nothing, any text surviving the array literal."""

import datetime as dt

import pytest

from gtmos.crm.models import Account, UsageDaily, UsageEvent
from gtmos.health.models import HealthDirtyWrite
from gtmos.ingest import merge
from gtmos.ingest.merge_columns import columnar, merge_columns
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)


def _columns(rows: list[dict]) -> dict[str, list]:
    return {name: [row[name] for row in rows] for name in rows[0]}


def _day(external_id: str, day: dt.date, seats: int, logins: int = 0, units: int = 0) -> dict:
    return {
        "account_external_id": external_id,
        "day": day,
        "active_seats": seats,
        "consumption_units": units,
        "logins": logins,
    }


def _usage_table() -> list[tuple]:
    return sorted(
        UsageDaily.objects.values_list("account__external_id", "day", "active_seats", "consumption_units", "logins")
    )


@pytest.fixture
def accounts():
    return [AccountFactory(external_id=f"u-{i}") for i in range(4)]


def test_the_usage_specs_are_the_ones_written_in_one_statement():
    assert columnar(merge.SPECS["usage"]) and columnar(merge.SPECS["usage_events"])
    assert not columnar(merge.SPECS["surveys"]) and not columnar(merge.SPECS["accounts"])


def test_it_writes_the_same_rows_as_the_staged_merge(accounts, settings):
    """New rows, changed rows, unchanged rows and a key given twice (the last wins), both ways."""
    existing = [_day("u-0", DAY, 5), _day("u-1", DAY, 7)]
    batch = [
        _day("u-0", DAY, 5),  # unchanged
        _day("u-1", DAY, 8, logins=2),  # changed
        _day("u-2", DAY, 1),
        _day("u-2", DAY, 3, units=9),  # the same key again: this one wins
        _day("u-3", DAY + dt.timedelta(days=1), 4),
    ]
    settings.INGEST_SMALL_BATCH_ROWS = 0  # the staging table, as CSV files go
    spec = merge.SPECS["usage"]

    def staged(rows):
        payloads = [dict(r) for r in rows]
        assert not merge.resolve_references(spec, list(enumerate(payloads)))
        merge.merge(spec, payloads)

    staged(existing)
    staged(batch)
    expected = _usage_table()
    UsageDaily.objects.all().delete()

    assert merge_columns(spec, _columns(existing)) == ([], 2)
    assert merge_columns(spec, _columns(batch)) == ([], 5)
    assert _usage_table() == expected
    assert ("u-2", DAY, 3, 9, 0) in expected


def test_a_replay_changes_no_row_and_marks_no_account_dirty(accounts):
    spec = merge.SPECS["usage"]
    rows = [_day(f"u-{i}", DAY, i) for i in range(4)]
    merge_columns(spec, _columns(rows))
    marks = HealthDirtyWrite.objects.count()
    assert marks >= 1
    merge_columns(spec, _columns(rows))
    assert HealthDirtyWrite.objects.count() == marks  # no row really changed: no account to re-score


def test_every_missing_reference_is_named_and_nothing_is_written(accounts):
    rows = [_day("u-0", DAY, 1), _day("nope", DAY, 2), _day("u-1", DAY, 3), _day("gone", DAY, 4)]
    missing, written = merge_columns(merge.SPECS["usage"], _columns(rows))
    assert missing == [
        (1, "account_external_id", "no record matches 'nope'"),
        (3, "account_external_id", "no record matches 'gone'"),
    ]
    assert written == 0 and not UsageDaily.objects.exists() and not HealthDirtyWrite.objects.exists()


def test_any_text_survives_the_array_literal():
    names = ["a,b", 'quote " inside', "back\\slash", "{braces}", "NULL", " padded ", "ünïcode", "tab\there"]
    account = AccountFactory(external_id='ext "odd", {id}\\')
    rows = [
        {"account_external_id": account.external_id, "day": DAY, "event_name": name, "count": i}
        for i, name in enumerate(names)
    ]
    assert merge_columns(merge.SPECS["usage_events"], _columns(rows)) == ([], len(names))
    assert sorted(UsageEvent.objects.filter(account=account).values_list("event_name", "count")) == sorted(
        (name, i) for i, name in enumerate(names)
    )


def test_a_blank_reference_matches_no_account_even_one_keyed_blank():
    Account.objects.filter(pk=AccountFactory(external_id="x").pk).update(external_id="")
    missing, written = merge_columns(merge.SPECS["usage"], _columns([_day("", DAY, 1)]))
    assert missing == [(0, "account_external_id", "no record matches ''")] and written == 0
