from gtmos.core.management.days import BeatJobCommand
from gtmos.health.services.daily import health_backfill


class Command(BeatJobCommand):
    help = (
        "Run the daily health scoring as of a day (default today; safe to repeat); --from/--to replays days "
        "in order; --backfill N first writes the N days before."
    )
    jobs = ("health-daily",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--backfill", type=int, default=0, help="Also write the N days before, oldest first.")

    def handle(self, *args, backfill=0, day=None, first=None, last=None, **options):
        days = self.days(day=day, first=first, last=last)
        if backfill:
            health_backfill(days=backfill, today=days[0])
            self.stdout.write(f"Back-filled {backfill} day(s).")
        self.replay(self.jobs, days)
