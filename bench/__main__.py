"""``make bench``: run the benchmarks on PostgreSQL and print their figures.

``python -m bench`` runs them all; ``python -m bench seed_demo`` runs one. Each prints a JSON line.
"""

import argparse
import json
import sys

from . import (
    coaching,
    cockpit_pages,
    enrichment,
    health_daily,
    health_realtime,
    import_csv,
    onboarding_daily,
    page_cost,
    prospect_pages,
    quickstart,
    seed_demo,
    whiteglove_pages,
)

BENCHMARKS = {
    "seed_demo": seed_demo.run,
    "onboarding_daily": onboarding_daily.run,
    "health_daily": health_daily.run,
    "health_realtime": health_realtime.run,
    "enrichment": enrichment.run,
    "import_csv": import_csv.run,
    "coaching": coaching.run,
    "whiteglove_pages": whiteglove_pages.run,
    "prospect_pages": prospect_pages.run,
    "quickstart": quickstart.run,
    "cockpit_pages": cockpit_pages.run,
    "page_cost": page_cost.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], default=[])
    parser.add_argument("--accounts", type=int, default=None, help="override the account count")
    parser.add_argument("--reps", type=int, default=None, help="override the rep count (coaching)")
    args = parser.parse_args()
    failed = False
    for name in args.names or list(BENCHMARKS):
        kwargs = {"accounts": args.accounts} if args.accounts else {}
        if args.reps and name == "coaching":
            kwargs = {"reps": args.reps}
        result = BENCHMARKS[name](**kwargs)
        print(json.dumps(result), flush=True)
        failed |= not result.get("ok", True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
