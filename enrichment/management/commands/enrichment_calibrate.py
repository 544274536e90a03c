"""manage.py enrichment_calibrate [--write] [--json] — fit the confidence map on the corpus's train split and
report, on the held-out split, per field: assertion rate at θ, precision when asserted, reliability table."""

import json

from django.core.management.base import BaseCommand

from enrichment import calibrate


class Command(BaseCommand):
    help = "Calibrate the enrichment confidences on the labelled corpus (train split) and report the held-out split."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="store the fitted map the agents apply")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--theta", type=float, default=calibrate.THETA)

    def handle(self, *args, write=False, theta=calibrate.THETA, **options):
        table = calibrate.fit(calibrate.predictions("train"))
        held_out = calibrate.report(calibrate.predictions("test"), table, theta)
        if write:
            calibrate.write_map(table)
        if options["json"]:
            self.stdout.write(_json(held_out))
            return
        self.stdout.write(f"Held-out split, θ = {theta}\n")
        self.stdout.write(f"{'field':<14}{'stated':>7}{'found':>7}{'asserted':>9}{'of stated':>11}{'precision':>11}")
        for field, row in held_out["fields"].items():
            rate = "—" if row["asserted_of_stated"] is None else f"{row['asserted_of_stated']:.0%}"
            precision = "—" if row["precision_when_asserted"] is None else f"{row['precision_when_asserted']:.1%}"
            self.stdout.write(
                f"{field:<14}{row['stated']:>7}{row['predicted']:>7}{row['asserted']:>9}{rate:>11}{precision:>11}"
            )
        for title, key in (("calibrated", "reliability"), ("raw evidence score, before the map", "raw_reliability")):
            self.stdout.write(f"\nReliability (all fields), {title} → observed accuracy")
            for bucket in held_out[key]:
                self.stdout.write(f"  {bucket['bucket']:<12} n={bucket['n']:<4} observed {bucket['observed']:.1%}")
        if write:
            self.stdout.write(self.style.SUCCESS(f"\nmap written to {calibrate.MAP_PATH}"))


def _json(data) -> str:
    return json.dumps(data, indent=1)
