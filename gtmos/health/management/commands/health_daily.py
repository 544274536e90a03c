import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gtmos.health.services.daily import health_backfill, health_daily


class Command(BaseCommand):
    help = "Run the daily health scoring now (safe to repeat), optionally back-filling earlier days first."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="Score as of this day (YYYY-MM-DD); default today.")
        parser.add_argument("--backfill", type=int, default=0, help="Also write the N days before, oldest first.")

    def handle(self, *args, day=None, backfill=0, **options):
        try:
            today = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError(f"--day: {day!r} is not a date like 2026-11-21") from None
        if backfill:
            health_backfill(days=backfill, today=today)
            self.stdout.write(f"Back-filled {backfill} day(s).")
        summary = health_daily(today=today)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in summary.items()))
