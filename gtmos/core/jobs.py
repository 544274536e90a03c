"""The beat schedule as something an operator can replay: run a job as of a past day, or every job of a
range of days in the order beat would have run them.

The schedule is read from ``BEAT_JOBS``, beat's own schedule (``CELERY_BEAT_SCHEDULE`` in every setting but
the tests', which run no beat), so a job added there is replayable with no other change. A job runs with the injectable clock frozen at the time beat would have started it (its
crontab's hour and minute on that day, in ``CELERY_TIMEZONE``): every service reads that clock, so the
run is the one that day would have had, and running it again writes nothing new (each job is idempotent).
Jobs on an interval (the minute sweeps, the heartbeat) act on "now", not on a day: they run once, now.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from celery.schedules import crontab
from django.conf import settings
from django.utils.module_loading import import_string

from . import clock


@dataclass(frozen=True)
class BeatJob:
    name: str
    task: str
    schedule: object
    kwargs: dict

    @property
    def daily(self) -> bool:
        """A crontab job at fixed hours (daily, weekly, monthly): replayable by day."""
        return isinstance(self.schedule, crontab) and len(self.schedule.hour) < 24

    def times_on(self, day: dt.date) -> list[dt.datetime]:
        """When beat starts this job on ``day`` (none if it is not scheduled that day)."""
        s = self.schedule
        if not self.daily or not _runs_on(s, day):
            return []
        tz = zoneinfo.ZoneInfo(settings.CELERY_TIMEZONE or "UTC")
        return [dt.datetime.combine(day, dt.time(h, m), tzinfo=tz) for h in sorted(s.hour) for m in sorted(s.minute)]

    def describe(self) -> str:
        s = self.schedule
        if isinstance(s, dt.timedelta):
            return f"every {int(s.total_seconds())} s"
        if not self.daily:
            return f"crontab minute={s._orig_minute} hour={s._orig_hour}"
        at = ", ".join(f"{h:02d}:{m:02d}" for h in sorted(s.hour) for m in sorted(s.minute))
        days = (
            "daily"
            if len(s.day_of_week) == 7
            else "on " + ", ".join(("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")[d] for d in sorted(s.day_of_week))
        )
        return f"{days} at {at} {settings.CELERY_TIMEZONE}"

    def run(self):
        return import_string(self.task)(**self.kwargs)  # a task called directly runs here, synchronously


def _runs_on(s: crontab, day: dt.date) -> bool:
    return (
        day.isoweekday() % 7 in s.day_of_week  # celery counts Sunday as 0
        and day.day in s.day_of_month
        and day.month in s.month_of_year
    )


def beat_jobs() -> dict[str, BeatJob]:
    return {
        name: BeatJob(name, entry["task"], entry["schedule"], entry.get("kwargs", {}))
        for name, entry in settings.BEAT_JOBS.items()
    }


class JobError(ValueError):
    pass


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        raise JobError(f"--to {last} is before --from {first}")
    if last > clock.today():
        raise JobError(f"--to {last} is in the future (today is {clock.today()})")
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def job_replay(*, names: list[str], days: list[dt.date]):
    """Run the named jobs for each day in order; within a day, in the order beat runs them. Yields
    (day, job name, started at, result) as each finishes, so a long replay reports progress."""
    jobs = beat_jobs()
    unknown = [n for n in names if n not in jobs]
    if unknown:
        raise JobError(f"no beat job named {', '.join(unknown)} (known: {', '.join(sorted(jobs))})")
    for day in days:
        runs = sorted((at, name) for name in names for at in jobs[name].times_on(day))
        for at, name in runs:
            with clock.frozen(at):
                yield day, name, at, jobs[name].run()
