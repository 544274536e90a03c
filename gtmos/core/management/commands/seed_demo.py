import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.core.demo.book import BookGenerator, seed_products
from gtmos.core.demo.people import DEMO_PASSWORD, build_org
from gtmos.crm.models import Employee


class Command(BaseCommand):
    help = "Load deterministic, realistic demo data (an org, a book of accounts, deals, calls, usage)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=400)
        parser.add_argument("--reps", type=int, default=40, help="Reps across AE/SDR/AM/CSM (default 40).")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--usage-days", type=int, default=150, help="Days of usage feed per customer.")
        parser.add_argument("--onboarding", type=int, default=30,
                            help="Recent customers put through onboarding with the real services.")
        parser.add_argument("--health-days", type=int, default=90,
                            help="Days of scored health history (0: no health inputs or scores).")
        parser.add_argument("--performance-weeks", type=int, default=52,
                            help="Weeks of rep-performance records: quotas and ledger, cadences (0: none).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when demo data exists.")

    def handle(self, *args, accounts, reps, seed, usage_days, onboarding, health_days, performance_weeks, if_empty,
               **options):
        if Employee.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already loaded; skipping.")
                self._print_logins(None)
                return
            raise CommandError("the database already has employees; seed_demo loads into an empty database")
        if accounts < 1 or reps < 4:
            raise CommandError("--accounts must be ≥ 1 and --reps ≥ 4")
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            org = build_org(rng, reps)
            products = seed_products()
            counts = BookGenerator(rng, clock.today(), org, products, usage_days).generate(accounts)
            if onboarding:
                from onboarding.demo import seed_onboarding

                counts.update(seed_onboarding(rng, limit=onboarding))
            if health_days:
                from gtmos.health.demo import seed_health

                counts.update(seed_health(rng, history_days=health_days))
            if performance_weeks:
                from gtmos.core.demo.performance import seed_performance

                # Its own random stream, so adding it changes none of the data generated before it.
                counts.update(seed_performance(random.Random(f"performance:{seed}"), today=clock.today(),
                                               weeks=performance_weeks))
                from coaching.demo import seed_coaching

                # Six weekly pattern checks, today's flags and last month's digests over that data.
                counts.update(seed_coaching(random.Random(f"coaching:{seed}"), today=clock.today()))
            from onboarding.whiteglove.demo import seed_whiteglove

            # White-glove deals at W5, W7, W9, W10 through the real W-step services; own random stream.
            counts.update(seed_whiteglove(random.Random(f"whiteglove:{seed}")))
            event_record(type="demo.seeded", payload={"accounts": accounts, "reps": reps, "seed": seed},
                         idempotency_key=f"demo.seeded:{seed}:{accounts}")
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"  {name:<30} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        self._print_logins(org.logins)

    def _print_logins(self, logins):
        if logins is None:
            from django.contrib.auth import get_user_model

            users = get_user_model().objects.filter(
                username__in=["revops", "slm", "cro", "mgr-ae1", "ae1", "mgr-csm1", "csm1", "am1", "sdr1",
                              "postsales1"]).order_by("username")
            logins = [(u.username, "", "") for u in users]
        self.stdout.write("\nDemo logins (password for all: %s)" % DEMO_PASSWORD)
        for username, label, what in logins:
            self.stdout.write(f"  {username:<12} {label:<28} {what}")
