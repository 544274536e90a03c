import random
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.core.demo.book import BookGenerator, seed_products
from gtmos.core.demo.logins import logins_table
from gtmos.core.demo.people import build_org
from gtmos.crm.models import Employee


class StepBar:
    """One line per step of the load: a bar that moves while the step runs (on a terminal) and is full, with the
    rows written and the seconds taken, when it is done. The steps report no fraction done, so the moving part
    is a sweep, not a percentage; off a terminal only the finished line is written."""

    WIDTH = 24

    def __init__(self, out, label: str, tty: bool):
        self.out, self.label, self.tty = out, label, tty
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._animate, daemon=True) if tty else None

    def _line(self, bar: str, tail: str) -> str:
        return f"\r  {self.label:<34} [{bar}] {tail}"

    def _animate(self):
        while not self._stop.wait(0.12):
            elapsed = time.monotonic() - self.started
            span = self.WIDTH - 5
            pos = int(elapsed * 10) % (2 * span)
            pos = pos if pos < span else 2 * span - pos
            bar = " " * pos + "=" * 5 + " " * (self.WIDTH - 5 - pos)
            self.out.write(self._line(bar, f"{elapsed:5.1f} s"), ending="")
            self.out.flush()

    def __enter__(self):
        self.started = time.monotonic()
        self.rows = 0
        if self._thread:
            self._thread.start()
        return self

    def __exit__(self, exc_type, *exc):
        if self._thread:
            self._stop.set()
            self._thread.join()
        elapsed = time.monotonic() - self.started
        bar = "#" * self.WIDTH if exc_type is None else "!" * self.WIDTH
        rows = f"  {self.rows:>9,} rows" if self.rows else ""
        line = self._line(bar, f"{elapsed:5.1f} s{rows}")
        self.out.write(line + "\x1b[K" if self.tty else line.lstrip("\r"))  # erase what the sweep left
        return False


class Command(BaseCommand):
    help = "Load deterministic, realistic demo data (an org, a book of accounts, deals, calls, usage)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=400)
        parser.add_argument("--reps", type=int, default=40, help="Reps across AE/SDR/AM/CSM (default 40).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--usage-days", type=int, default=150, help="Days of usage feed per customer.")
        parser.add_argument(
            "--onboarding", type=int, default=30, help="Recent customers put through onboarding with the real services."
        )
        parser.add_argument(
            "--health-days", type=int, default=90, help="Days of scored health history (0: no health inputs or scores)."
        )
        parser.add_argument(
            "--performance-weeks",
            type=int,
            default=52,
            help="Weeks of rep-performance records: quotas and ledger, cadences (0: none).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when demo data exists.")
        parser.add_argument(
            "--swarm-on",
            action="store_true",
            help="Turn the enrichment swarm and its router gates on for everyone (the quick start "
            "does; production ships them dark).",
        )
        parser.add_argument("--no-logins", action="store_true", help="Do not print the logins table at the end.")

    def handle(
        self,
        *args,
        accounts,
        reps,
        seed,
        usage_days,
        onboarding,
        health_days,
        performance_weeks,
        if_empty,
        swarm_on,
        no_logins,
        **options,
    ):
        from django.conf import settings

        from enrichment import demo as swarm_demo

        if Employee.objects.exists():
            if not if_empty:
                raise CommandError("the database already has employees; seed_demo loads into an empty database")
            self.stdout.write("  Demo data already loaded; kept as it is.")
        else:
            if accounts < 1 or reps < 4:
                raise CommandError("--accounts must be ≥ 1 and --reps ≥ 4")
            self._load(
                accounts,
                reps,
                seed,
                usage_days,
                onboarding,
                health_days,
                performance_weeks,
                verbose=options["verbosity"] >= 2,
            )
        if swarm_on:
            swarm_demo.swarm_on()
        if not no_logins:
            self.stdout.write("\n" + "\n".join(logins_table(settings.SITE_URL)))

    def _load(self, accounts, reps, seed, usage_days, onboarding, health_days, performance_weeks, verbose):
        from enrichment import demo as swarm_demo

        tty = self.stdout.isatty()
        started = time.monotonic()
        rng = random.Random(seed)
        counts: dict[str, int] = {}

        def step(label, fn):
            with StepBar(self.stdout, label, tty) as bar:
                result = fn()
                bar.rows = sum(result.values()) if isinstance(result, dict) else 0
            if isinstance(result, dict):
                counts.update(result)
            return result

        self.stdout.write(f"Loading the demo ({accounts} accounts, {reps} reps, seed {seed}):")
        with transaction.atomic():
            org = step("People and teams", lambda: build_org(rng, reps))
            products = seed_products()
            step(
                "Accounts, deals, calls, usage",
                lambda: BookGenerator(rng, clock.today(), org, products, usage_days).generate(accounts),
            )
            if onboarding:
                from onboarding.demo import seed_onboarding

                step("Onboarding plans and milestones", lambda: seed_onboarding(rng, limit=onboarding))
            if health_days:
                from gtmos.health.demo import seed_health

                step(f"Health history ({health_days} days)", lambda: seed_health(rng, history_days=health_days))
            if performance_weeks:
                from gtmos.core.demo.performance import seed_performance

                # Its own random stream, so adding it changes none of the data generated before it.
                step(
                    f"Rep performance ({performance_weeks} weeks)",
                    lambda: seed_performance(
                        random.Random(f"performance:{seed}"), today=clock.today(), weeks=performance_weeks
                    ),
                )
                from coaching.demo import seed_coaching

                # Six weekly pattern checks, today's flags and last month's digests over that data.
                step(
                    "Coaching flags and digests",
                    lambda: seed_coaching(random.Random(f"coaching:{seed}"), today=clock.today()),
                )
            from onboarding.whiteglove.demo import seed_whiteglove

            # White-glove deals at W5, W7, W9, W10 through the real W-step services; own random stream.
            step("White-glove deals", lambda: seed_whiteglove(random.Random(f"whiteglove:{seed}")))
            step("Swarm reference data", swarm_demo.seed_reference_data)
            event_record(
                type="demo.seeded",
                payload={"accounts": accounts, "reps": reps, "seed": seed},
                idempotency_key=f"demo.seeded:{seed}:{accounts}",
            )
        if verbose:
            for name, count in counts.items():
                self.stdout.write(f"  {name:<30} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
