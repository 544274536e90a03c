import sys

from django.core.management.base import BaseCommand, CommandError

from gtmos.ingest.csv_import import TABLES, import_csv


class ProgressBar:
    """``[#########-----------]  45%  45,000 / 100,000 rows`` on one line of stderr, redrawn in place."""

    WIDTH = 30

    def __init__(self, stream, total: int):
        self.stream, self.total = stream, max(total, 1)

    def __call__(self, done: int) -> None:
        share = min(1.0, done / self.total)
        filled = int(self.WIDTH * share)
        self.stream.write(
            f"\r[{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%}  {done:,} / {self.total:,} rows validated",
            ending="",
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("")


class Command(BaseCommand):
    help = "Import a CSV file into a GTM table. A file with any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("table", choices=sorted(TABLES))
        parser.add_argument("file")
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Draw a progress bar (default: when stderr is a terminal).",
        )
        parser.add_argument("--no-progress", dest="progress", action="store_false")

    def handle(self, *args, table, file, progress, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as stream:
                bar = None
                if progress or (progress is None and sys.stderr.isatty()):
                    total = max(0, sum(1 for _ in stream) - 1)  # a quick pass for the total: rows, not bytes
                    stream.seek(0)
                    bar = ProgressBar(self.stderr, total)
                report = import_csv(table, stream, progress=bar)
                if bar:
                    bar.close()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.rows} row(s); nothing was imported from {file}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{table}: {report.rows} row(s) imported ({report.created} created, {report.updated} updated)"
            )
        )
