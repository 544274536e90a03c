"""Test data for the health_daily benchmark: a book of N customers with 90 days of usage and health inputs.

``python -m bench.health_data --accounts N`` (with the bench DATABASE_URL, see ``db.env()``) builds, in an
empty migrated database, and prints one JSON line (row counts, ``today``, seconds per part):

- the demo org (``gtmos.core.demo.people.build_org``) and N accounts, every one a customer with a contract
  start (5 days to 3 years ago, as the demo book), seats, units, an AM and a CSM;
- the demo book's contacts, rep activity and usage events for them (``BookGenerator``'s own generators);
- one account in twenty in active onboarding, with its MAP, plan, milestones and running log
  (``bench.onboarding_data``, which takes the closed-won deals made here for those accounts);
- 90 days of usage feed per customer (from its contract start), generated in the server with
  ``generate_series``: at 100,000 accounts that is ~8.7 M rows, which Python would take minutes to format;
  each account has a level and a drift, a day-to-day wobble, and one in twelve stops using the product
  some time in the last six weeks (the churn signal the score should see);
- the health inputs, COPYed (``gtmos.core.bulk``): NPS/CSAT answers for ~40% of accounts (some older than
  the 180-day lookback), support tickets for ~60%, quarterly QBRs for mid-market and enterprise,
  expansion plays for ~20%, advocacy for ~10%.

Deterministic for a given seed and day. Planner statistics are refreshed at the end (``ANALYZE``), as
autovacuum would have them on a live database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from decimal import Decimal

DEFAULT_SEED = 23
USAGE_DAYS = 90
ONBOARDING_SHARE = 20  # one account in twenty is in active onboarding
REPS = 40


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def build(accounts: int, seed: int = DEFAULT_SEED) -> dict:
    from django.db import connection, transaction

    from gtmos.core import clock

    today = clock.today()
    timings: dict[str, float] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # As pg_restore loads: no foreign-key triggers per row (the rows reference each other by
            # construction). Unique and check constraints still hold. Ends with the transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        counts = _Builder(random.Random(seed), today, timings).generate(accounts)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = round(time.monotonic() - started, 1)
    return {"today": today.isoformat(), "accounts": accounts, "rows": counts, "seconds": timings}


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date, timings: dict):
        self.rng, self.today, self.timings = rng, today, timings
        self.counts: dict[str, int] = {}
        self._clock = time.monotonic()

    def _lap(self, name: str) -> None:
        now = time.monotonic()
        self.timings[name] = round(now - self._clock, 1)
        self._clock = now

    def generate(self, n: int) -> dict[str, int]:
        from gtmos.core.demo import book
        from gtmos.core.demo.people import build_org
        from gtmos.crm.models import Account, Contact, Opportunity, RepActivity, UsageEvent

        org = build_org(self.rng, REPS)
        self.gen = gen = book.BookGenerator(self.rng, self.today, org, book.seed_products(), USAGE_DAYS)
        accounts = [self._account(i) for i in range(n)]
        first = gen.ids.take(Account, n)
        for offset, acc in enumerate(accounts):
            acc["id"] = first + offset
        self._insert(Account, book.ACCOUNT_COLS, ([a[c] for c in book.ACCOUNT_COLS] for a in accounts))
        self._insert(Contact, book.CONTACT_COLS, gen._contacts(accounts))
        self._insert(RepActivity, book.ACTIVITY_COLS, gen._activities(accounts))
        self._insert(UsageEvent, book.USAGE_EVENT_COLS, gen._usage_events(accounts))
        self._lap("book")

        # Onboarding: deals for one account in twenty, which onboarding_data's builder takes into onboarding
        # (and moves their contract start to the last 120 days). Before the usage, which starts at the contract.
        picked = accounts[::ONBOARDING_SHARE]
        opps = list(gen._opportunities(picked))
        self._insert(Opportunity, book.OPP_COLS, ([o[c] for c in book.OPP_COLS] for o in opps))
        gen.ids.reset_sequences()
        from . import onboarding_data

        onboarding = onboarding_data._Builder(self.rng, self.today)
        self.counts.update(onboarding.generate(len(picked)))
        self._lap("onboarding")

        self.counts["usage (daily)"] = self._usage()
        self._lap("usage")

        starts = dict(Account.objects.values_list("pk", "contract_start_date"))  # after onboarding moved some
        for acc in accounts:
            acc["contract_start_date"] = starts[acc["id"]]
        self._health_inputs(accounts)
        gen.ids.reset_sequences()
        self._lap("health_inputs")
        return self.counts

    def _insert(self, model, cols, rows) -> None:
        """COPY the rows; columns not listed get the model field's default (COPY would write NULL)."""
        from gtmos.core import bulk

        extra = [f for f in model._meta.concrete_fields if f.attname not in cols]
        missing = [f.name for f in extra if not f.has_default() and not f.null]
        if missing:
            raise SystemExit(f"{model.__name__}: no value and no default for {', '.join(missing)}")
        defaults = tuple(f.get_default() if f.has_default() else None for f in extra)
        rows = (tuple(row) + defaults for row in rows)
        self.counts[str(model._meta.verbose_name_plural)] = bulk.insert(
            model, [*cols, *(f.attname for f in extra)], rows
        )

    def _numbered(self, model, rows):
        first = pk = self.gen.ids.take(model, 0)
        for row in rows:
            yield (pk, *row)
            pk += 1
        self.gen.ids.take(model, pk - first)

    # --- accounts ------------------------------------------------------------------------------
    def _account(self, i: int) -> dict:
        """The demo book's account, always a customer (the demo makes 60% customers)."""
        from gtmos.core.demo import book

        rng, gen = self.rng, self.gen
        segment = book._pick_segment(rng)
        name = f"{rng.choice(book.WORDS)} {rng.choice(book.WORDS)} {rng.choice(book.SUFFIXES)}"
        start = self.today - dt.timedelta(days=rng.randint(5, 3 * 365))
        renewal = start + dt.timedelta(days=365 * ((self.today - start).days // 365 + 1))
        lo, hi = book.ARR_RANGE[segment]
        seats_lo, seats_hi = book.SEATS_RANGE[segment]
        now = _at(self.today, 9)
        return {
            "external_id": f"acct-{i + 1:06d}",
            "name": f"{name} #{i + 1}",
            "segment": segment,
            "domain": f"{name.split()[0].lower()}{i + 1}.example.com",
            "vertical": rng.choice(book.VERTICALS),
            "region": rng.choice(["West", "Central", "East"]),
            "owner_id": rng.choice(gen.aes).pk,
            "am_id": rng.choice(gen.ams).pk,
            "csm_id": rng.choice(gen.csms).pk,
            "contract_start_date": start,
            "renewal_date": renewal,
            "contracted_seats": rng.randint(seats_lo, seats_hi),
            "contracted_consumption_units": rng.randint(10_000, 5_000_000),
            "arr": Decimal(rng.randrange(lo, hi, 500)),
            "is_customer": True,
            "churned_on": None,
            "onboarding_status": "not_started",
            "onboarding_start_date": None,
            "onboarding_complete_date": None,
            "ttv_achieved_days": None,
            "ttv_target_days": None,
            "created_at": now,
            "updated_at": now,
        }

    # --- usage feed ------------------------------------------------------------------------------
    def _usage(self) -> int:
        """90 days per customer from its contract start, ending yesterday (as the demo's feed); generated
        account by account, so the (account, day) index fills in order."""
        from django.db import connection

        first = self.today - dt.timedelta(days=USAGE_DAYS)
        last = self.today - dt.timedelta(days=1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(self.rng.random() * 2) - 1])
            cursor.execute(
                """
                WITH p AS MATERIALIZED (
                    SELECT id, contracted_seats AS seats, greatest(contract_start_date, %(first)s) AS since,
                           0.2 + random() * 0.75 AS level, (random() - 0.5) * 0.008 AS drift,
                           CASE WHEN random() < 1.0 / 12 THEN %(last)s - (random() * 42)::int
                                ELSE %(last)s + 1 END AS dark_from
                    FROM crm_account WHERE is_customer AND contracted_seats > 0
                ), d AS (
                    SELECT p.id, day::date AS day,
                           floor(p.seats * least(1.0, greatest(0.02, p.level + p.drift * (day::date - %(first)s)
                                                                + (random() - 0.5) * 0.06)))::int AS active
                    FROM p CROSS JOIN generate_series(p.since, %(last)s, interval '1 day') AS day
                    WHERE day::date < p.dark_from
                )
                INSERT INTO crm_usagedaily (account_id, day, active_seats, consumption_units, logins)
                SELECT id, day, active, active * (20 + floor(random() * 181))::bigint,
                       floor(active * (0.6 + random() * 0.8))::int
                FROM d""",
                {"first": first, "last": last},
            )
            return cursor.rowcount

    # --- health inputs ---------------------------------------------------------------------------
    def _health_inputs(self, accounts) -> None:
        from gtmos.health.models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse

        self._insert(SurveyResponse, SURVEY_COLS, self._numbered(SurveyResponse, self._surveys(accounts)))
        self._insert(SupportTicket, TICKET_COLS, self._numbered(SupportTicket, self._tickets(accounts)))
        self._insert(QBRLog, QBR_COLS, self._numbered(QBRLog, self._qbrs(accounts)))
        self._insert(ExpansionLog, EXPANSION_COLS, self._numbered(ExpansionLog, self._expansion(accounts)))
        self._insert(AdvocacyRecord, ADVOCACY_COLS, self._numbered(AdvocacyRecord, self._advocacy(accounts)))

    def _since_start(self, acc, max_days: int) -> int:
        """Days back from yesterday an event can be, bounded by the contract start."""
        return max(0, min(max_days, (self.today - acc["contract_start_date"]).days - 1))

    def _surveys(self, accounts):
        rng, today = self.rng, self.today
        for acc in accounts:
            if rng.random() >= 0.4:
                continue
            back = self._since_start(acc, 365)
            for j in range(rng.choice((1, 1, 2, 3))):
                day = today - dt.timedelta(days=1 + rng.randint(0, back))
                if rng.random() < 0.7:
                    kind, score = "nps", rng.choices(range(11), weights=(2, 1, 1, 2, 2, 4, 6, 9, 14, 12, 9))[0]
                else:
                    kind, score = "csat", rng.choices(range(1, 6), weights=(1, 2, 4, 8, 6))[0]
                comment = (
                    ""
                    if rng.random() < 0.7
                    else rng.choice(
                        (
                            "Support is slow to answer",
                            "Love the dashboards",
                            "Pricing is hard to justify",
                            "Onboarding was smooth",
                            "Missing an ERP connector",
                        )
                    )
                )
                yield (f"sv-{acc['id']}-{j}", acc["id"], None, kind, score, day, comment)

    def _tickets(self, accounts):
        rng, today = self.rng, self.today
        priorities = ("urgent", "high", "normal", "low")
        for acc in accounts:
            if rng.random() >= 0.6:
                continue
            back = self._since_start(acc, 180)
            for j in range(rng.randint(1, 5)):
                opened = today - dt.timedelta(days=1 + rng.randint(0, back))
                age = (today - opened).days
                if age > 14 or rng.random() < 0.5:
                    status = rng.choice(("solved", "closed"))
                    closed = min(today - dt.timedelta(days=1), opened + dt.timedelta(days=rng.randint(0, 10)))
                else:
                    status, closed = rng.choice(("open", "pending")), None
                yield (
                    f"tk-{acc['id']}-{j}",
                    acc["id"],
                    "Customer issue",
                    rng.choices(priorities, (5, 20, 55, 20))[0],
                    status,
                    opened,
                    closed,
                )

    def _qbrs(self, accounts):
        """Mid-market and enterprise: a QBR every quarter since the contract start (within a year)."""
        rng, today = self.rng, self.today
        for acc in accounts:
            if acc["segment"] == "smb":
                continue
            back = self._since_start(acc, 365)
            j, day = 0, today - dt.timedelta(days=back)
            day += dt.timedelta(days=rng.randint(60, 100))
            while day < today:
                roll = rng.random()
                if roll < 0.8:
                    yield (
                        f"qbr-{acc['id']}-{j}",
                        acc["id"],
                        acc["csm_id"],
                        day,
                        "completed",
                        day,
                        rng.choices(("positive", "neutral", "negative"), (5, 3, 1))[0],
                        rng.random() < 0.5,
                        "",
                    )
                else:
                    yield (f"qbr-{acc['id']}-{j}", acc["id"], acc["csm_id"], day, "cancelled", None, "", False, "")
                j, day = j + 1, day + dt.timedelta(days=rng.randint(80, 100))
            yield (f"qbr-{acc['id']}-{j}", acc["id"], acc["csm_id"], day, "scheduled", None, "", False, "")

    def _expansion(self, accounts):
        rng, today = self.rng, self.today
        plays = ("seat expansion", "cross-sell analytics", "API tier upgrade", "premium support")
        for acc in accounts:
            if rng.random() >= 0.2:
                continue
            back = self._since_start(acc, 540)
            for j in range(rng.choice((1, 1, 2))):
                opened = today - dt.timedelta(days=1 + rng.randint(0, back))
                status = rng.choices(("open", "won", "lost", "suppressed"), (35, 30, 25, 10))[0]
                closed = None
                if status != "open":
                    closed = min(today - dt.timedelta(days=1), opened + dt.timedelta(days=rng.randint(10, 90)))
                reason = {"lost": "Budget freeze", "suppressed": "Account at risk"}.get(status, "")
                yield (
                    f"xp-{acc['id']}-{j}",
                    acc["id"],
                    rng.choice(plays),
                    status,
                    opened,
                    closed,
                    Decimal(rng.randrange(5_000, 200_000, 500)),
                    reason,
                )

    def _advocacy(self, accounts):
        rng, today = self.rng, self.today
        kinds = ("referral", "case_study", "reference_call", "review", "testimonial")
        for acc in accounts:
            if rng.random() >= 0.1:
                continue
            back = self._since_start(acc, 540)
            for j in range(rng.choice((1, 1, 2))):
                yield (
                    f"adv-{acc['id']}-{j}",
                    acc["id"],
                    rng.choice(kinds),
                    today - dt.timedelta(days=1 + rng.randint(0, back)),
                    "",
                )


SURVEY_COLS = ["id", "external_id", "account_id", "contact_id", "kind", "score", "responded_on", "comment"]
TICKET_COLS = ["id", "external_id", "account_id", "subject", "priority", "status", "opened_on", "closed_on"]
QBR_COLS = [
    "id",
    "external_id",
    "account_id",
    "owner_id",
    "scheduled_for",
    "status",
    "completed_on",
    "outcome",
    "exec_sponsor_attended",
    "notes",
]
EXPANSION_COLS = ["id", "external_id", "account_id", "play", "status", "opened_on", "closed_on", "amount", "reason"]
ADVOCACY_COLS = ["id", "external_id", "account_id", "kind", "occurred_on", "notes"]


def main() -> None:
    import django

    parser = argparse.ArgumentParser(prog="python -m bench.health_data")
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    django.setup()
    print(json.dumps(build(args.accounts, args.seed)), flush=True)


if __name__ == "__main__":
    main()
