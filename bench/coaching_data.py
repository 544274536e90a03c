"""Test data for the coaching benchmark (AGT-701): N reps across AE/AM/CSM/SDR with a year of the records
the coaching metrics read, anchored on ``--today`` (the first business day of a month, when the monthly
digest runs).

``python -m bench.coaching_data --reps N --today YYYY-MM-DD --health-days D1,D2,…`` (with the bench
DATABASE_URL) builds, in an empty migrated database, and prints one JSON line (row counts, seconds per part):

- the org: N reps (the demo's mix: 35% AE, 20% SDR, 20% AM, 25% CSM; segments and territories in turn),
  a manager per 8 reps of a role, an SLM per 8 managers, a CRO, RevOps, post-sales and SEs; every one
  with a login (the coaching notices go to users);
- every rep has a latent profile (call quality, next steps, discounting, stage conversion, velocity, renewal
  timing, QBR discipline, TTV, book health slope, SDR volume and skill) that holds all year, so the weak
  ones breach week after week and the persistence clock has patterns to open, keep and escalate;
- AM books of ~40 customers (each also served by a CSM, ~32 per CSM, and owned by an AE), with their
  closed-won new deal, renewals in the year (some opened late, some lost), ~24 expansion deals per AM
  with quotes, ~20 expansion plays (ExpansionLog), quarterly QBRs for Ent/MM, churn (~6%) and the
  completed onboardings of the last year with their TTV;
- ~60 new-business deals per AE over the last ~13 months with stage history walked from each AE's
  conversion and velocity, quotes from proposal on, AGT-405 briefs with objectives met or not;
- ~120–150 ConvIntelligence calls per rep in the year;
- quotas for five quarters with the weekly ledger, comp plans and territories (the demo's
  ``gtmos.core.demo.performance`` generator, on this org);
- a year of SDR cadence touches (CadenceEventLog) at the comp plan's ~200 a week: the demo's cadences
  (types, steps, channels, step response rates), walked in the server (``generate_series``): at 400 SDRs
  that is ~4 M rows, which Python would take minutes to format;
- onboardings in flight for ~6 customers per CSM, with milestones (``bench.onboarding_data``'s builder);
- CustomerHealthLog rows for every customer on the days the measured runs read (``--health-days``: each
  as-of day and the day a trend period before). The daily health job writes every day; the coaching reads
  touch only those two days per run (by the ``(day, …)`` indexes), so the other days are left out.

Deterministic for a given seed, N and day. Planner statistics are refreshed at the end (``ANALYZE``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from decimal import Decimal

DEFAULT_SEED = 31
REPS_PER_MANAGER = 8
MANAGERS_PER_SLM = 8
BOOK_PER_AM = 40
NEW_DEALS_PER_AE = 60
EXPANSIONS_PER_AM = 24
PLAYS_PER_AM = 20
CALLS_PER_YEAR = {"ae": 150, "am": 120, "csm": 120, "sdr": 150}
ONBOARDINGS_PER_CSM = 6
DAY = dt.timedelta(days=1)


def _at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def build(reps: int, today: dt.date, health_days: list[dt.date], seed: int = DEFAULT_SEED) -> dict:
    from django.db import connection, transaction

    timings: dict[str, float] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # As pg_restore loads: no foreign-key triggers per row (the rows reference each other by
            # construction). Unique and check constraints still hold. Ends with the transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL jit = off")  # compiling the generators' big plans costs more than it saves
        counts = _Builder(random.Random(seed), today, timings).generate(reps, health_days)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = round(time.monotonic() - started, 1)
    return {"today": today.isoformat(), "reps": reps, "rows": counts, "seconds": timings}


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date, timings: dict):
        from gtmos.core import bulk

        self.rng, self.today, self.timings = rng, today, timings
        self.ids = bulk.IdAllocator()
        self.counts: dict[str, int] = {}
        self.now = _at(today, 7)
        self._clock = time.monotonic()

    def _lap(self, name: str) -> None:
        now = time.monotonic()
        self.timings[name] = round(now - self._clock, 1)
        self._clock = now

    def _insert(self, model, cols, rows) -> None:
        """COPY the rows; columns not listed get the model field's default (COPY would write NULL)."""
        from gtmos.core import bulk

        extra = [f for f in model._meta.concrete_fields if f.attname not in cols]
        missing = [f.name for f in extra if not f.has_default() and not f.null]
        if missing:
            raise SystemExit(f"{model.__name__}: no value and no default for {', '.join(missing)}")
        defaults = tuple(f.get_default() if f.has_default() else None for f in extra)
        rows = (tuple(row) + defaults for row in rows)
        name = str(model._meta.verbose_name_plural)
        self.counts[name] = self.counts.get(name, 0) + bulk.insert(model, [*cols, *(f.attname for f in extra)], rows)

    def generate(self, n: int, health_days: list[dt.date]) -> dict[str, int]:
        from gtmos.core.demo import book

        self.products = book.seed_products()
        self._org(n)
        self._lap("org")
        self._book()
        self._lap("accounts_deals_quotes")
        self._calls()
        self._lap("calls")
        self._activities()
        self._lap("rep_activity")
        self._performance()
        self._lap("quotas_ledger_plans")
        self.ids.reset_sequences()
        self._onboarding()
        self._lap("onboarding")
        self.counts["cadence events"] = self._cadences()
        self._lap("cadence_events")
        self.counts["health log rows"] = self._health(health_days)
        self._lap("health_log")
        self.ids.reset_sequences()
        return self.counts

    # --- the org --------------------------------------------------------------------------------------
    def _org(self, n: int) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from gtmos.core.demo.people import FIRST, LAST, REP_MIX
        from gtmos.crm.models import Employee, Role

        User = get_user_model()
        rng = self.rng
        password = make_password("bench-pass")
        people = []  # (username, role, manager_index, slm_index, segment, territory)

        def add(username, role, manager=None, slm=None, segment="", territory="") -> int:
            people.append((username, role, manager, slm, segment, territory))
            return len(people) - 1

        cro = add("cro", Role.EXECUTIVE)
        add("revops", Role.REVOPS)
        counts = {role: max(1, round(n * share)) for role, share in REP_MIX}
        counts[Role.AE] += n - sum(counts.values())  # exactly n reps
        segments, territories = ["smb", "mm", "ent"], ["West", "Central", "East"]
        for role, count in counts.items():
            n_managers = -(-count // REPS_PER_MANAGER)
            slms = [add(f"slm-{role}{s + 1}", Role.SLM, manager=cro) for s in range(-(-n_managers // MANAGERS_PER_SLM))]
            managers = [
                add(
                    f"mgr-{role}{m + 1}",
                    Role.MANAGER,
                    manager=slms[m // MANAGERS_PER_SLM],
                    slm=slms[m // MANAGERS_PER_SLM],
                )
                for m in range(n_managers)
            ]
            for i in range(count):
                m = i // REPS_PER_MANAGER
                add(
                    f"{role}{i + 1}",
                    role,
                    manager=managers[m],
                    slm=slms[m // MANAGERS_PER_SLM],
                    segment=segments[i % 3],
                    territory=territories[i % 3],
                )
        first_slm = next(i for i, p in enumerate(people) if p[1] == Role.SLM)
        for role, count in ((Role.SE, max(3, n // 100)), (Role.POST_SALES, max(2, n // 200))):
            for i in range(count):
                add(f"{role.replace('_', '')}{i + 1}", role, manager=first_slm, slm=first_slm)

        first_user = self.ids.take(User, len(people))
        first_emp = self.ids.take(Employee, len(people))
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i + 1}" for i in range(len(people))]
        self._insert(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (
                    first_user + i,
                    password,
                    None,
                    p[1] == Role.REVOPS,
                    p[0],
                    names[i].split()[0],
                    names[i].split()[1],
                    f"{p[0]}@bench.gtmos.test",
                    p[1] == Role.REVOPS,
                    True,
                    self.now,
                )
                for i, p in enumerate(people)
            ),
        )
        self._insert(
            Employee,
            [
                "id",
                "user_id",
                "external_id",
                "name",
                "email",
                "role",
                "manager_id",
                "slm_id",
                "segment",
                "territory",
                "hired_on",
                "is_active",
            ],
            (
                (
                    first_emp + i,
                    first_user + i,
                    f"emp-{p[0]}",
                    names[i],
                    f"{p[0]}@bench.gtmos.test",
                    p[1],
                    None if p[2] is None else first_emp + p[2],
                    None if p[3] is None else first_emp + p[3],
                    p[4],
                    p[5],
                    self.today - 400 * DAY,
                    True,
                )
                for i, p in enumerate(people)
            ),
        )
        self.by_role = {role: [] for role in (Role.AE, Role.AM, Role.CSM, Role.SDR, Role.SE)}
        for i, p in enumerate(people):
            if p[1] in self.by_role:
                self.by_role[p[1]].append({"id": first_emp + i, "segment": p[4]})
        # Each rep's latent profile: holds all year, so a weak rep breaches week after week.
        for rep in (r for role in ("ae", "am", "csm", "sdr") for r in self.by_role[role]):
            g = rng.gauss
            rep.update(
                quality=_clamp(g(66, 9), 35, 92),
                next_step=_clamp(g(0.7, 0.12), 0.2, 0.98),
                sentiment=_clamp(g(0.3, 0.15), -0.3, 0.8),
                talk=_clamp(g(0.5, 0.07), 0.3, 0.75),
                questions=_clamp(g(11, 3), 3, 22),
                discount=_clamp(g(10, 4), 0, 30),
                exceptions=_clamp(g(0.08, 0.05), 0, 0.4),
                advance=_clamp(g(1.0, 0.15), 0.5, 1.4),
                pace=_clamp(g(1.0, 0.25), 0.5, 2.0),
                briefs=_clamp(g(0.7, 0.12), 0.25, 0.98),
                late=_clamp(g(0.2, 0.15), 0, 0.8),
                win=_clamp(g(0.88, 0.07), 0.5, 0.99),
                qbr=_clamp(g(0.8, 0.15), 0.2, 1.0),
                positive=_clamp(g(0.55, 0.15), 0.1, 0.95),
                ttv=_clamp(g(1.0, 0.2), 0.6, 1.6),
                slope=g(0.0, 0.05),
            )
        self.counts["reps"] = n

    # --- accounts, deals, quotes, plays, QBRs, briefs --------------------------------------------------
    def _book(self) -> None:
        from gtmos.core.demo.book import (
            ACCOUNT_COLS,
            ARR_RANGE,
            OPP_COLS,
            QUOTE_COLS,
            SEATS_RANGE,
            STAGE_COLS,
            VERTICALS,
            WORDS,
            _pick_segment,
        )
        from gtmos.crm.models import Account, Opportunity, OpportunityBriefLog, OpportunityStageChange, Quote, Stage
        from gtmos.health.models import ExpansionLog, QBRLog

        rng, today = self.rng, self.today
        aes, ams, csms, sdrs = (self.by_role[r] for r in ("ae", "am", "csm", "sdr"))
        ladder = [s.value for s in Stage.ladder()]
        accounts, opps, stages, quotes, briefs, plays, qbrs = [], [], [], [], [], [], []
        self.book_accounts: dict[int, list[int]] = {}  # rep id → account ids (for call accounts)

        def account(segment, owner, am=None, csm=None, customer=False, start=None):
            pk = self.ids.take(Account)
            lo, hi = ARR_RANGE[segment]
            seats = SEATS_RANGE[segment]
            row = {
                "id": pk,
                "external_id": f"acct-{pk}",
                "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} #{pk}",
                "segment": segment,
                "domain": f"a{pk}.example.com",
                "vertical": rng.choice(VERTICALS),
                "region": rng.choice(("West", "Central", "East")),
                "owner_id": owner,
                "am_id": am,
                "csm_id": csm,
                "contract_start_date": start,
                "renewal_date": None,
                "contracted_seats": rng.randint(*seats) if customer else 0,
                "contracted_consumption_units": rng.randint(10_000, 2_000_000) if customer else 0,
                "arr": Decimal(rng.randrange(lo, hi, 500)) if customer else Decimal(0),
                "is_customer": customer,
                "churned_on": None,
                "onboarding_status": "not_started",
                "onboarding_start_date": None,
                "onboarding_complete_date": None,
                "ttv_achieved_days": None,
                "ttv_target_days": None,
                "created_at": self.now,
                "updated_at": self.now,
            }
            accounts.append(row)
            return row

        def opp(acc, kind, stage, created, close, closed, owner, am=None, csm=None, sdr=None, acv=None):
            pk = self.ids.take(Opportunity)
            lo, hi = ARR_RANGE[acc["segment"]]
            acv = acv if acv is not None else Decimal(rng.randrange(lo, hi, 500))
            opps.append(
                {
                    "id": pk,
                    "external_id": f"opp-{pk}",
                    "account_id": acc["id"],
                    "name": f"{acc['name']} — {kind}",
                    "type": kind,
                    "stage": stage,
                    "stage_changed_at": closed or created,
                    "acv": acv,
                    "sam_value": acv * 3,
                    "deal_health_score": rng.randint(25, 95),
                    "deal_risk_flags": [],
                    "close_date": close,
                    "closed_at": closed,
                    "contract_start_date": close if stage == Stage.CLOSED_WON else None,
                    "lost_reason": "chose competitor" if stage == Stage.CLOSED_LOST else "",
                    "owner_id": owner,
                    "se_id": None,
                    "am_id": am,
                    "csm_id": csm,
                    "sdr_id": sdr,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            return pk

        def stage_row(opp_id, frm, to, at):
            stages.append((self.ids.take(OpportunityStageChange), opp_id, frm, to, at))

        def quote(opp_id, rep, at, accepted):
            quotes.append(
                (
                    self.ids.take(Quote),
                    f"q-{opp_id}-{len(quotes)}",
                    opp_id,
                    "accepted" if accepted else "sent",
                    rng.choice((12, 12, 24, 36)),
                    Decimal(round(_clamp(rng.gauss(rep["discount"], 4), 0, 45))),
                    rng.random() < rep["exceptions"],
                    "Configured: core seats",
                    at,
                )
            )

        # Customers: AM books of ~40, each also served by a CSM and owned by an AE.
        n_customers = BOOK_PER_AM * len(ams)
        for i in range(n_customers):
            am, csm, ae = ams[i % len(ams)], csms[rng.randrange(len(csms))], aes[rng.randrange(len(aes))]
            segment = _pick_segment(rng)
            start = today - rng.randint(30, 3 * 365) * DAY
            acc = account(segment, ae["id"], am["id"], csm["id"], True, start)
            years = (today - start).days // 365 + 1
            acc["renewal_date"] = renewal = start + 365 * years * DAY
            if rng.random() < 0.06:
                acc["churned_on"] = today - rng.randint(5, 360) * DAY
            self.book_accounts.setdefault(am["id"], []).append(acc["id"])
            self.book_accounts.setdefault(csm["id"], []).append(acc["id"])
            created = _at(start - rng.randint(30, 120) * DAY, 10)
            won = opp(acc, "new", Stage.CLOSED_WON, created, start, _at(start, 15), ae["id"], am["id"], csm["id"])
            stage_row(won, "", "prospecting", created)
            stage_row(won, "prospecting", "closed_won", _at(start, 15))
            # Completed onboardings (the last ~13 months of starts): TTV against target, per CSM.
            days_in = (today - start).days
            if 60 < days_in < 400:
                target = {"smb": 45, "mm": 75, "ent": 120}[segment]
                achieved = max(10, round(target * rng.gauss(0.95 * csm["ttv"], 0.15)))
                if achieved < days_in:
                    acc.update(
                        onboarding_status="complete",
                        onboarding_start_date=start,
                        onboarding_complete_date=start + achieved * DAY,
                        ttv_target_days=target,
                        ttv_achieved_days=achieved,
                    )
            # The renewal of the last year (or the one coming up), owned by the AM.
            prev_renewal = renewal - 365 * DAY
            for due in (prev_renewal, renewal):
                if not (today - 365 * DAY <= due <= today + 150 * DAY) or due <= start:
                    continue
                lead = rng.randint(20, 110) if rng.random() < am["late"] else rng.randint(125, 200)
                opened = due - lead * DAY
                if opened >= today:
                    continue
                if due < today:
                    stage = Stage.CLOSED_WON if rng.random() < am["win"] else Stage.CLOSED_LOST
                    closed = _at(due - rng.randint(0, 15) * DAY, 16)
                else:
                    stage, closed = rng.choice((Stage.DISCOVERY, Stage.PROPOSAL, Stage.NEGOTIATION)), None
                pk = opp(
                    acc, "renewal", stage, _at(opened, 11), due, closed, am["id"], am["id"], csm["id"], acv=acc["arr"]
                )
                stage_row(pk, "", "discovery", _at(opened, 11))
                if closed:
                    stage_row(pk, "discovery", stage, closed)
            # Quarterly QBRs for Ent/MM customers, held (or not) per the AM's discipline.
            if segment != "smb":
                day = max(start, today - 400 * DAY) + rng.randint(60, 95) * DAY
                while day < today:
                    if rng.random() < am["qbr"]:
                        outcome = "positive" if rng.random() < am["positive"] else rng.choice(("neutral", "negative"))
                        qbrs.append(
                            (
                                self.ids.take(QBRLog),
                                f"qbr-{acc['id']}-{day}",
                                acc["id"],
                                am["id"],
                                day,
                                "completed",
                                day,
                                outcome,
                                rng.random() < 0.5,
                                "",
                            )
                        )
                    else:
                        qbrs.append(
                            (
                                self.ids.take(QBRLog),
                                f"qbr-{acc['id']}-{day}",
                                acc["id"],
                                am["id"],
                                day,
                                "cancelled",
                                None,
                                "",
                                False,
                                "",
                            )
                        )
                    day += rng.randint(80, 100) * DAY

        # Expansion deals (with quotes) and expansion plays on each AM's book.
        by_id = {a["id"]: a for a in accounts}
        for am in ams:
            book = self.book_accounts[am["id"]]
            for _ in range(EXPANSIONS_PER_AM):
                acc = by_id[rng.choice(book)]
                created = _at(today - rng.randint(1, 380) * DAY, 10)
                age = (today - created.date()).days
                if age > 60:
                    stage = Stage.CLOSED_WON if rng.random() < 0.55 else Stage.CLOSED_LOST
                    closed = created + rng.randint(20, 60) * DAY
                else:
                    stage, closed = Stage.PROPOSAL, None
                pk = opp(
                    acc,
                    "expansion",
                    stage,
                    created,
                    (closed or created + 45 * DAY).date(),
                    closed,
                    am["id"],
                    am["id"],
                    acc["csm_id"],
                )
                stage_row(pk, "", "proposal", created)
                if closed:
                    stage_row(pk, "proposal", stage, closed)
                quote(pk, am, created + 5 * DAY, stage == Stage.CLOSED_WON)
            for _ in range(PLAYS_PER_AM):
                acc = by_id[rng.choice(book)]
                opened = today - rng.randint(1, 380) * DAY
                status = rng.choices(("open", "won", "lost", "suppressed"), (30, 35 * am["win"], 25, 10))[0]
                closed = None if status == "open" else min(today - DAY, opened + rng.randint(10, 90) * DAY)
                plays.append(
                    (
                        self.ids.take(ExpansionLog),
                        f"xp-{acc['id']}-{len(plays)}",
                        acc["id"],
                        "seat expansion",
                        status,
                        opened,
                        closed,
                        Decimal(rng.randrange(5_000, 150_000, 500)),
                        "Budget freeze" if status == "lost" else "",
                    )
                )

        # AE new business: one prospect account per deal, the deal walked up the ladder by the AE's profile.
        base_advance = [0.8, 0.6, 0.55, 0.6, 0.55]  # prospecting→discovery … negotiation→closed won
        for ae in aes:
            for _ in range(NEW_DEALS_PER_AE):
                acc = account(_pick_segment(rng), ae["id"])
                created = _at(today - rng.randint(5, 400) * DAY, rng.randint(9, 17))
                sdr = sdrs[rng.randrange(len(sdrs))]["id"] if rng.random() < 0.4 else None
                at, stage, history, closed = created, "prospecting", [("", "prospecting", created)], None
                for i, step in enumerate(ladder[1:]):
                    at_next = at + max(1, round(rng.uniform(5, 25) * ae["pace"])) * DAY
                    if at_next >= self.now:
                        break
                    if rng.random() < base_advance[i] * ae["advance"]:
                        history.append((stage, step, at_next))
                        stage, at = step, at_next
                        if step == Stage.CLOSED_WON:
                            closed = at
                    else:
                        lost_at = at + rng.randint(20, 60) * DAY
                        if lost_at < self.now:
                            history.append((stage, Stage.CLOSED_LOST, lost_at))
                            stage, closed = Stage.CLOSED_LOST, lost_at
                        break
                if stage == Stage.CLOSED_WON:
                    acc.update(
                        is_customer=True,
                        contract_start_date=closed.date(),
                        renewal_date=closed.date() + 365 * DAY,
                        arr=Decimal(10_000),
                    )
                pk = opp(acc, "new", stage, created, (closed or created + 90 * DAY).date(), closed, ae["id"], sdr=sdr)
                for frm, to, when in history:
                    stage_row(pk, frm, to, when)
                reached = [to for _, to, _ in history]
                if Stage.PROPOSAL in reached:
                    quote(
                        pk, ae, next(w for _, to, w in history if to == Stage.PROPOSAL) + DAY, stage == Stage.CLOSED_WON
                    )
                for _, to, when in history[1:]:  # a brief per stage meeting after the first
                    if to in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
                        continue
                    briefs.append(
                        (
                            self.ids.take(OpportunityBriefLog),
                            pk,
                            ae["id"],
                            when + 2 * DAY,
                            to,
                            "Stage meeting notes",
                            ["confirm next meeting", "map stakeholders"],
                            rng.random() < ae["briefs"],
                            [],
                        )
                    )
        self.new_deal_ids = [o["id"] for o in opps if o["type"] == "new" and o["owner_id"] in {a["id"] for a in aes}]

        self._insert(Account, ACCOUNT_COLS, ([a[c] for c in ACCOUNT_COLS] for a in accounts))
        self._insert(Opportunity, OPP_COLS, ([o[c] for c in OPP_COLS] for o in opps))
        self._insert(OpportunityStageChange, STAGE_COLS, stages)
        self._insert(Quote, QUOTE_COLS, quotes)
        self._insert(
            OpportunityBriefLog,
            [
                "id",
                "opportunity_id",
                "author_id",
                "logged_at",
                "stage",
                "meeting_notes",
                "stage_objectives",
                "objectives_met",
                "risks",
            ],
            briefs,
        )
        self._insert(
            ExpansionLog,
            ["id", "external_id", "account_id", "play", "status", "opened_on", "closed_on", "amount", "reason"],
            plays,
        )
        self._insert(
            QBRLog,
            [
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
            ],
            qbrs,
        )
        self.ae_accounts = {}
        for a in accounts:
            if a["am_id"] is None:
                self.ae_accounts.setdefault(a["owner_id"], []).append(a["id"])

    # --- calls ------------------------------------------------------------------------------------------
    def _calls(self) -> None:
        from gtmos.core.demo.book import CALL_COLS, NEXT_STEPS, OBJECTIONS
        from gtmos.crm.models import ConvIntelligenceCall

        rng, today = self.rng, self.today
        # Question depth and qualification coverage (issue 18) from their own generator, so every other row of
        # the data set stays what it was before these columns existed.
        extra = random.Random(f"calls-extra-{today.isoformat()}")
        types = {
            "ae": ("discovery", "demo", "negotiation"),
            "am": ("check_in", "qbr", "demo"),
            "csm": ("onboarding", "check_in", "qbr"),
            "sdr": ("discovery",),
        }

        def rows():
            pk = self.ids.take(ConvIntelligenceCall, 0)
            first = pk
            for role in ("ae", "am", "csm", "sdr"):
                for rep in self.by_role[role]:
                    pool = self.ae_accounts.get(rep["id"]) if role == "ae" else self.book_accounts.get(rep["id"])
                    depth, coverage = _clamp(extra.gauss(0.55, 0.12), 0.1, 0.95), _clamp(extra.gauss(0.6, 0.15), 0.1, 1)
                    for _ in range(max(10, round(rng.gauss(CALLS_PER_YEAR[role], 15)))):
                        day = today - rng.randint(1, 365) * DAY
                        call_type = rng.choice(types[role])
                        quality = round(_clamp(rng.gauss(rep["quality"], 10), 0, 100))
                        yield (
                            pk,
                            f"call-{pk}",
                            rep["id"],
                            role,
                            rng.choice(pool) if pool else None,
                            None,
                            _at(day, rng.randint(13, 21), rng.randrange(0, 60, 5)),
                            call_type,
                            rng.randint(600, 3600),
                            rng.sample(OBJECTIONS, rng.randint(0, 2)),
                            [],
                            rng.sample(NEXT_STEPS, 1) if rng.random() < rep["next_step"] else [],
                            [],
                            round(_clamp(rng.gauss(rep["sentiment"], 0.2), -1, 1), 2),
                            round(_clamp(rng.gauss(rep["talk"], 0.06), 0.1, 0.95), 2),
                            max(0, round(rng.gauss(rep["questions"], 3)))
                            if call_type == "discovery"
                            else rng.randint(2, 8),
                            quality,
                            "",
                            *(
                                (
                                    round(_clamp(extra.gauss(depth, 0.1), 0, 1), 2),
                                    round(_clamp(extra.gauss(coverage, 0.1), 0, 1), 2),
                                )
                                if call_type == "discovery"
                                else (None, None)
                            ),
                        )
                        pk += 1
            self.ids.take(ConvIntelligenceCall, pk - first)

        self._insert(ConvIntelligenceCall, [*CALL_COLS, "question_depth", "qualification_coverage"], rows())

    def _activities(self) -> None:
        """RepActivity (seed 001: role at runtime): three activities a week per rep for the year, in the rep's
        role; one SDR in fifty was an AE until ten days ago, so the weekly runs and the digest month measure them as
        an AE and the anchor day's run as an SDR."""
        from gtmos.crm.models import RepActivity

        today = self.today
        rng = random.Random(f"activities-{today.isoformat()}")
        kinds = [k for k, _ in RepActivity.ActivityType.choices]

        def rows():
            pk = first = self.ids.take(RepActivity, 0)
            for role in ("ae", "am", "csm", "sdr"):
                for i, rep in enumerate(self.by_role[role]):
                    moved = role == "sdr" and i % 50 == 0
                    for back in range(0, 365, 2):
                        held = "ae" if moved and back > 10 else role
                        yield (pk, rep["id"], held, today - (back + rng.randint(0, 1)) * DAY, rng.choice(kinds), "")
                        pk += 1
            self.ids.take(RepActivity, pk - first)

        self._insert(RepActivity, ["id", "rep_id", "role", "activity_date", "activity_type", "notes"], rows())

    # --- quotas, ledger, comp plans, territories: the demo's generator on this org ------------------------
    def _performance(self) -> None:
        from gtmos.core.demo import performance

        gen = performance._Generator(random.Random(f"performance:{DEFAULT_SEED}"), self.today, 52)
        gen._territories()
        gen._comp_plans()
        gen._quotas()
        gen.ids.reset_sequences()
        self.counts.update(gen.counts)

    # --- onboardings in flight: bench.onboarding_data's builder ----------------------------------------
    def _onboarding(self) -> None:
        from . import onboarding_data

        n = ONBOARDINGS_PER_CSM * len(self.by_role["csm"])
        builder = onboarding_data._Builder(random.Random(f"onboarding:{DEFAULT_SEED}"), self.today)
        self.counts.update({f"onboarding: {k}": v for k, v in builder.generate(n).items()})

    # --- SDR cadence touches, walked in the server -------------------------------------------------------
    def _cadences(self) -> int:
        from django.db import connection

        from gtmos.core.demo.performance import CADENCES, ENROLMENTS_PER_DAY

        steps = ", ".join(
            f"('{c.type}', {i}, '{channel}', {offset}, {p}, {c.meeting_given_response}, '{c.cadence_id}', '{c.name}')"
            for c in CADENCES
            for i, ((channel, offset), p) in enumerate(zip(c.steps, c.response), start=1)
        )
        shares, acc = [], 0.0
        for c in CADENCES:
            acc += c.share
            shares.append((acc, c.type))
        pick = (
            "CASE "
            + " ".join(f"WHEN pick < {edge} THEN '{t}'" for edge, t in shares[:-1])
            + f" ELSE '{shares[-1][1]}' END"
        )
        first = self.today - 365 * DAY
        with connection.cursor() as cursor:
            # As pg_restore loads: the secondary indexes built once after the rows, not row by row (constraint
            # indexes stay). Same transaction: nothing else sees the table without them.
            cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'crm_cadenceeventlog'
                              AND indexname NOT IN (SELECT conname FROM pg_constraint
                                                    WHERE conrelid = 'crm_cadenceeventlog'::regclass)""")
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SELECT setseed(%s)", [(self.rng.random() * 2) - 1])
            cursor.execute(
                f"""
                WITH sdr AS MATERIALIZED (
                    SELECT id, 0.85 + random() * 0.25 AS volume, 0.6 + random() * 0.8 AS skill,
                           CASE WHEN random() < 0.15 THEN 2 + floor(random() * 3)::int ELSE 0 END AS weak_step,
                           0.5 + random() * 0.45 AS acceptance, 0.3 + random() * 0.5 AS conversion
                    FROM crm_employee WHERE role = 'sdr' ORDER BY id
                ), steps (ctype, step, channel, off, p, meeting, cadence_id, cadence_name) AS (VALUES {steps}),
                picked AS (
                    SELECT s.id AS sdr_id, s.skill, s.weak_step, s.acceptance, s.conversion, d::date AS day,
                           random() AS pick, random() < 0.03 AS off_persona
                    FROM sdr s
                    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
                    CROSS JOIN LATERAL generate_series(1, floor({ENROLMENTS_PER_DAY} * s.volume + random())::int) AS k
                    WHERE extract(isodow FROM d) < 6
                ), enrol AS MATERIALIZED (
                    SELECT row_number() OVER () AS eid, picked.*, {pick} AS ctype FROM picked
                ), walk AS MATERIALIZED (
                    SELECT e.eid, e.sdr_id, e.acceptance, e.conversion, e.off_persona, st.*,
                           e.day + st.off + CASE extract(isodow FROM e.day + st.off) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS on_day,
                           st.step = e.weak_step AS weak,
                           random() < st.p * e.skill * CASE WHEN st.step = e.weak_step THEN 0.15 ELSE 1 END
                                     * CASE WHEN e.off_persona THEN 0.4 ELSE 1 END AS hit
                    FROM enrol e JOIN steps st ON st.ctype = e.ctype
                ), stop AS (
                    SELECT eid, min(step) FILTER (WHERE hit) AS hit_step FROM walk GROUP BY eid
                ), touches AS (
                    SELECT w.*, coalesce(w.step = s.hit_step, false) AS responded, random() AS r1, random() AS r2, random() AS r3,
                           random() AS r4, (9 + floor(random() * 8))::int AS hour, (floor(random() * 12) * 5)::int AS minute
                    FROM walk w JOIN stop s USING (eid)
                    WHERE w.step <= coalesce(s.hit_step, 99) AND w.on_day < %(today)s
                ), shaped AS (
                    SELECT *, responded AND r1 >= 0.08 AND r2 < meeting AS booked,
                           on_day + make_time(hour, minute, 0) AS at
                    FROM touches
                )
                INSERT INTO crm_cadenceeventlog (external_id, sdr_id, cadence_type, cadence_id, cadence_name, step,
                    channel, occurred_at, responded, responded_at, meeting_booked, meeting_accepted, opportunity_id,
                    risk_flags, created_at, updated_at)
                SELECT 'cad-' || eid || '-' || step, sdr_id, ctype, cadence_id, cadence_name, step, channel,
                       at AT TIME ZONE 'UTC', responded,
                       CASE WHEN responded THEN least(%(now)s, (at AT TIME ZONE 'UTC') + (20 + floor(r3 * 2800)) * interval '1 minute') END,
                       booked, booked AND r4 < acceptance,
                       CASE WHEN booked AND r4 < acceptance AND r3 < conversion
                            THEN (%(deals)s::bigint[])[1 + floor(r1 * 1e6)::int %% %(n_deals)s] END,
                       to_jsonb(array_remove(ARRAY[
                           CASE WHEN off_persona THEN 'off_persona' END,
                           CASE WHEN weak AND r2 < 0.6 THEN CASE channel WHEN 'call' THEN 'no_voicemail_left'
                                                                         ELSE 'low_personalization' END END,
                           CASE WHEN responded AND r1 < 0.08 THEN 'opted_out' END], NULL)),
                       %(now)s, %(now)s
                FROM shaped""",
                {
                    "first": first,
                    "last": self.today - DAY,
                    "today": self.today,
                    "now": self.now,
                    "deals": self.new_deal_ids,
                    "n_deals": len(self.new_deal_ids),
                },
            )
            rows = cursor.rowcount
            for _, definition in indexes:
                cursor.execute(definition)
            return rows

    # --- health log on the days the runs read -----------------------------------------------------------
    def _health(self, days: list[dt.date]) -> int:
        """Every customer's record on each day: a per-account level and drift (the book's owners' slope
        nudges it), a day's wobble; tier from the score. In the server, like the daily job's COPY."""
        from django.db import connection

        slopes = [(r["id"], r["slope"]) for role in ("am", "csm") for r in self.by_role[role]]
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(self.rng.random() * 2) - 1])
            cursor.execute(
                """
                WITH slope AS (SELECT * FROM unnest(%(ids)s::bigint[], %(slopes)s::float8[]) AS s(rep_id, slope)),
                acc AS MATERIALIZED (
                    SELECT a.id, a.contract_start_date AS since, a.churned_on, a.onboarding_status,
                           a.onboarding_start_date, 45 + random() * 45 AS level, 8 + random() * 2 AS sat,
                           (random() - 0.5) * 0.3 + coalesce(am.slope, 0) + coalesce(csm.slope, 0) AS drift
                    FROM crm_account a LEFT JOIN slope am ON am.rep_id = a.am_id LEFT JOIN slope csm ON csm.rep_id = a.csm_id
                    WHERE a.is_customer AND a.am_id IS NOT NULL
                ), rows AS (
                    SELECT acc.*, d AS day,
                           greatest(0, least(100, round(level + drift * (d - %(today)s) + (random() - 0.5) * 8)))::int AS score,
                           greatest(0, least(10, sat + drift * (d - %(today)s) / 10 + (random() - 0.5)))::numeric(4, 1) AS nps
                    FROM acc CROSS JOIN unnest(%(days)s::date[]) AS d
                    WHERE acc.since <= d AND (acc.churned_on IS NULL OR acc.churned_on > d)
                )
                INSERT INTO health_customerhealthlog (account_id, day, score, computed_score, tier, lifecycle_segment,
                    in_onboarding, coverage_pct, components, measures, inputs, data_gaps, drivers, created_at)
                SELECT id, day, score, score,
                       CASE WHEN score >= 70 THEN 'low' WHEN score >= 50 THEN 'medium' WHEN score >= 30 THEN 'high'
                            ELSE 'critical' END,
                       CASE WHEN score < 50 THEN 'at_risk' WHEN day - since < 90 THEN 'new' ELSE 'established' END,
                       onboarding_status = 'active' AND day >= onboarding_start_date, 90,
                       jsonb_build_object('usage', jsonb_build_object('score', score, 'points', score * 0.4),
                                          'engagement', jsonb_build_object('score', score, 'points', score * 0.25),
                                          'satisfaction', jsonb_build_object('score', round(nps * 10), 'points', nps * 2)),
                       jsonb_build_object('nps', nps), '{}'::jsonb, '[]'::jsonb, '[]'::jsonb, %(now)s
                FROM rows""",
                {
                    "ids": [s[0] for s in slopes],
                    "slopes": [s[1] for s in slopes],
                    "days": sorted(set(days)),
                    "today": self.today,
                    "now": self.now,
                },
            )
            return cursor.rowcount


def main() -> None:
    import django

    parser = argparse.ArgumentParser(prog="python -m bench.coaching_data")
    parser.add_argument("--reps", type=int, required=True)
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--health-days", required=True, help="comma-separated ISO days")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    django.setup()
    days = [dt.date.fromisoformat(d) for d in args.health_days.split(",")]
    print(json.dumps(build(args.reps, args.today, days, args.seed)), flush=True)


if __name__ == "__main__":
    main()
