from django.core.management.base import CommandError

from gtmos.core.jobs import beat_jobs
from gtmos.core.management.days import BeatJobCommand


class Command(BeatJobCommand):
    help = (
        "Run beat jobs as of a past day, or replay a range of days with every daily job in beat's order "
        "(safe to repeat). `run_job --list` shows the schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="beat job names (see --list)")
        parser.add_argument("--all", action="store_true", help="every job beat runs at fixed times of day")
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")
        super().add_arguments(parser)

    def handle(self, *args, names=(), all=False, list=False, day=None, first=None, last=None, **options):
        jobs = beat_jobs()
        if list:
            for job in jobs.values():
                how = "--day / --from --to" if job.daily else "runs once, now"
                self.stdout.write(f"{job.name:<26} {job.describe():<34} {how}")
            return
        if all == bool(names):
            raise CommandError("name the jobs to run, or give --all (see --list)")
        names = [n for n, job in jobs.items() if job.daily] if all else names
        undated = [n for n in names if n in jobs and not jobs[n].daily]
        if undated:  # a sweep acts on now, whatever the day
            if day or first:
                raise CommandError(f"{', '.join(undated)} run on an interval and act on now: no --day")
            for name in undated:
                self.stdout.write(f"{name}: {jobs[name].run()}")
            names = [n for n in names if n not in undated]
            if not names:
                return
        self.replay(names, self.days(day=day, first=first, last=last))
