"""The ``--day`` / ``--from --to`` options every operator command for a beat job shares."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gtmos.core import clock
from gtmos.core.jobs import JobError, beat_jobs, days_between, job_replay


def _date(option: str):
    def parse(value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"{option}: {value!r} is not a date like 2026-11-21") from None

    return parse


class BeatJobCommand(BaseCommand):
    """Run beat job(s) as of a day. ``jobs`` names the beat entries this command runs (in schedule order)."""

    jobs: tuple[str, ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("--day", type=_date("--day"), help="Run as of this day (YYYY-MM-DD); default today.")
        parser.add_argument("--from", dest="first", type=_date("--from"), help="Replay from this day …")
        parser.add_argument("--to", dest="last", type=_date("--to"), help="… to this day (default today), in order.")

    def days(self, *, day, first, last) -> list[dt.date]:
        if day and (first or last):
            raise CommandError("give either --day or --from/--to, not both")
        if last and not first:
            raise CommandError("--to needs --from")
        try:
            return (
                days_between(first, last or clock.today())
                if first
                else days_between(day or clock.today(), day or clock.today())
            )
        except JobError as exc:
            raise CommandError(str(exc)) from None

    def replay(self, names, days) -> None:
        jobs = beat_jobs()
        ran = 0
        try:
            for day, name, at, result in job_replay(names=list(names), days=days):
                ran += 1
                self.stdout.write(f"{day} {at:%H:%M} {name}: {_summary(result)}")
        except JobError as exc:
            raise CommandError(str(exc)) from None
        if not ran:
            self.stdout.write(
                "Nothing scheduled on those days: " + "; ".join(f"{n} runs {jobs[n].describe()}" for n in names)
            )

    def handle(self, *args, day=None, first=None, last=None, **options):
        self.replay(self.jobs, self.days(day=day, first=first, last=last))


def _summary(result) -> str:
    if isinstance(result, dict):
        return ", ".join(f"{k} {v}" for k, v in result.items()) or "nothing to do"
    return str(result)
