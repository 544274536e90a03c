import datetime as dt

from django.core.management.base import BaseCommand

from coaching.calendar import week_end
from coaching.services.daily import coaching_daily
from coaching.services.digest import digests_generate
from coaching.services.weekly import coaching_weekly
from gtmos.core import clock


class Command(BaseCommand):
    help = "Run AGT-701's jobs: daily flags, the weekly pattern check (with --weeks N back-fill), monthly digests."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=["daily", "weekly", "monthly"])
        parser.add_argument("--day", type=dt.date.fromisoformat, help="Run as of this day (default: today).")
        parser.add_argument("--weeks", type=int, default=1, help="weekly: run this many weeks, oldest first.")

    def handle(self, *args, job, day, weeks, **options):
        day = day or clock.today()
        if job == "daily":
            self.stdout.write(str(coaching_daily(day=day)))
        elif job == "weekly":
            last = week_end(day)
            for k in range(weeks - 1, -1, -1):
                week = last - dt.timedelta(weeks=k)
                self.stdout.write(f"{week}: {coaching_weekly(week=week)}")
        else:
            month = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            self.stdout.write(str(digests_generate(month=month, generated_on=day)))
