"""Operator commands for the beat jobs: a missed day can be replayed, a range of days replays in order, and
a replay run twice leaves the database exactly as the first left it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from gtmos.core import clock
from gtmos.core.jobs import beat_jobs
from gtmos.health.models import CustomerHealthLog
from onboarding.models import Escalation

# Rows no beat job writes but Django or the test harness touches between calls.
NOT_STATE = {"django_session", "axes_accessattempt", "axes_accesslog", "django_celery_results_taskresult"}


def _state() -> dict[str, str]:
    """A checksum of every table's whole content but its surrogate key (the daily health job rewrites a day's
    rows, so their ids change while their content must not); a duplicate row still changes the checksum."""
    out = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table, pk = model._meta.db_table, model._meta.pk.column
            if table in NOT_STATE or not model._meta.managed:
                continue
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) "
                f"FROM (SELECT (to_jsonb(t) - '{pk}')::text AS r FROM \"{table}\" t) rows"
            )
            out[table] = cursor.fetchone()[0]
    return out


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_replaying_three_past_days_twice_leaves_identical_state(frozen_clock):
    call_command("seed_demo", "--accounts", "60", "--performance-weeks", "6", stdout=io.StringIO())
    clock.advance(days=5)  # the demo's history ends the day it was loaded; the next days were "missed"
    today = clock.today()
    first, last = today - dt.timedelta(days=3), today - dt.timedelta(days=1)

    printed = _run("run_job", "--all", "--from", str(first), "--to", str(last))
    after_first = _state()
    assert after_first, "nothing was checksummed"
    # Each day ran every daily job, in beat's order within the day.
    for day in (first, first + dt.timedelta(days=1), last):
        lines = [line for line in printed.splitlines() if line.startswith(str(day))]
        names = [line.split()[2].rstrip(":") for line in lines]
        assert names[:4] == ["lead-retention", "onboarding-daily", "health-daily", "comp-hold-daily"], lines
        assert "coaching-daily" in names
    assert CustomerHealthLog.objects.filter(day=last).exists()
    assert not CustomerHealthLog.objects.filter(day=today).exists()  # nothing ran as of a day not asked for

    _run("run_job", "--all", "--from", str(first), "--to", str(last))
    assert _state() == after_first
    # The named commands are the same jobs: a day already replayed is a no-op through them too.
    _run("onboarding_daily", "--day", str(last))
    _run("comp_hold_daily", "--from", str(first), "--to", str(last))
    _run("health_daily", "--day", str(last))
    assert _state() == after_first


@pytest.mark.django_db
def test_a_missed_day_replayed_is_the_run_that_day_would_have_had(frozen_clock):
    """Escalations and health rows carry the replayed day, not the day the operator ran the command."""
    call_command("seed_demo", "--accounts", "60", "--performance-weeks", "0", stdout=io.StringIO())
    clock.advance(days=10)
    missed = clock.today() - dt.timedelta(days=4)
    before = set(Escalation.objects.values_list("pk", flat=True))
    _run("onboarding_daily", "--day", str(missed))
    _run("health_daily", "--day", str(missed))
    assert CustomerHealthLog.objects.filter(day=missed).exists()
    assert CustomerHealthLog.objects.filter(day__gt=missed).count() == 0
    fired = Escalation.objects.exclude(pk__in=before)
    assert all(e.fired_at.date() == missed for e in fired)


def test_the_schedule_lists_every_beat_job_and_says_how_it_replays(settings):
    printed = _run("run_job", "--list")
    for name in settings.BEAT_JOBS:
        assert name in printed
    assert "on Mon at 06:15" in printed  # coaching's weekly pattern check
    assert beat_jobs()["health-daily"].describe().startswith("daily at 05:15")


@pytest.mark.parametrize(
    "args, message",
    [
        (("onboarding_daily", "--day", "2026-13-01"), "--day: '2026-13-01' is not a date"),
        (("onboarding_daily", "--day", "2026-03-01", "--from", "2026-02-01"), "either --day or --from/--to"),
        (("comp_hold_daily", "--from", "2026-03-05", "--to", "2026-03-01"), "is before --from"),
        (("comp_hold_daily", "--day", "2030-01-01"), "is in the future"),
        (("run_job", "no-such-job", "--day", "2026-03-01"), "no beat job named no-such-job"),
        (("run_job", "swarm-sweep", "--day", "2026-03-01"), "act on now: no --day"),
        (("run_job",), "name the jobs to run, or give --all"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(frozen_clock, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command(*args, stdout=io.StringIO())
