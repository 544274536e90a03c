from django.core.management.base import BaseCommand, CommandError

from gtmos.ingest.csv_import import TABLES, import_csv


class Command(BaseCommand):
    help = "Import a CSV file into a GTM table. A file with any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("table", choices=sorted(TABLES))
        parser.add_argument("file")

    def handle(self, *args, table, file, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as stream:
                report = import_csv(table, stream)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(
                f"{len(report.errors)} error(s) in {report.rows} row(s); nothing was imported from {file}"
            )
        self.stdout.write(self.style.SUCCESS(
            f"{table}: {report.rows} row(s) imported ({report.created} created, {report.updated} updated)"
        ))
