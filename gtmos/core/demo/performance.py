"""Demo data for rep performance and coaching (seed 001): a year of the records AGT-701 reads.

- Territories from the reps' territory names; comp plans' activity expectations per role (and segment),
  plus one ramping SDR's own plan.
- Five quarters of quota for every AE and AM (the current one in progress) with a weekly
  QuotaRetirementLedger: closed, committed and the rep's commit. Most reps land near quota; the first AE is
  far behind pace this quarter and forecasts optimistically, the second runs ahead and sandbags, the
  second AM is behind.
- A year of SDR cadence touches (CadenceEventLog) on four cadence types whose step response rates decay,
  to Leads (cold and warm cadences) and to contacts of ABM and re-engage accounts in the book. The first
  SDR's step 3 (a call) and the second SDR's step 2 barely get answers, with the AGT-303 flags that say
  why; the third SDR sends well under the plan's volume; the fourth books meetings AEs reject. Meetings
  that convert point at new-business opportunities of the book, whose ``sdr`` becomes that SDR.
- The fourth AE and the second AM discount deeper and ask for more term exceptions on their quotes
  (QuoteLog is ``crm.Quote``).

Deterministic for a given ``rng`` and ``today``. The rows written scale with the number of reps, not the
size of the book: touches and ledger rows are per rep, and the book is only sampled (target accounts,
the deals meetings convert into) up to a cap per rep.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Value
from django.db.models.functions import Least, Mod

from gtmos.comp.models import CompPlan
from gtmos.core import bulk
from gtmos.crm.models import (
    Account,
    CadenceEventLog,
    Contact,
    Employee,
    Opportunity,
    Quota,
    QuotaRetirementLedger,
    Quote,
    Role,
    Stage,
    TerritoryDefinition,
)

DAY = dt.timedelta(days=1)
QUARTERS = 5  # the current quarter and the four before it: a year of complete quarters plus this one
QUOTA_BY_SEGMENT = {  # per quarter
    Role.AE: {"smb": 120_000, "mm": 240_000, "ent": 480_000, "": 200_000},
    Role.AM: {"smb": 60_000, "mm": 120_000, "ent": 240_000, "": 100_000},
}
# Activity expectations per role and segment ("" = the whole role): touches/week, calls/week, meetings/month.
PLANS = {
    (Role.SDR, ""): (200, 50, 8),
    (Role.AE, "smb"): (80, 20, 14),
    (Role.AE, "mm"): (60, 15, 12),
    (Role.AE, "ent"): (40, 10, 8),
    (Role.AM, ""): (40, 10, 10),
    (Role.CSM, ""): (30, 8, 12),
}
RAMP_PLAN = (150, 35, 5)


@dataclass(frozen=True)
class Cadence:
    type: str
    cadence_id: str
    name: str
    steps: tuple[tuple[str, int], ...]  # (channel, days after enrolment)
    response: tuple[float, ...]  # base response rate of each step
    meeting_given_response: float
    share: float  # of an SDR's enrolments


CADENCES = (
    Cadence(
        "cold",
        "seq-cold-8",
        "Cold outbound · 8 touches",
        (
            ("email", 0),
            ("linkedin", 1),
            ("call", 3),
            ("email", 5),
            ("call", 8),
            ("email", 11),
            ("linkedin", 14),
            ("email", 18),
        ),
        (0.045, 0.03, 0.05, 0.03, 0.035, 0.02, 0.015, 0.025),
        0.22,
        0.5,
    ),
    Cadence(
        "warm",
        "seq-warm-5",
        "Inbound follow-up · 5 touches",
        (("email", 0), ("call", 0), ("email", 2), ("call", 4), ("email", 7)),
        (0.16, 0.14, 0.09, 0.07, 0.05),
        0.35,
        0.2,
    ),
    Cadence(
        "abm",
        "seq-abm-10",
        "ABM named accounts · 10 touches",
        (
            ("linkedin", 0),
            ("email", 1),
            ("call", 3),
            ("email", 6),
            ("linkedin", 9),
            ("call", 12),
            ("email", 15),
            ("sms", 17),
            ("call", 21),
            ("email", 25),
        ),
        (0.03, 0.045, 0.06, 0.04, 0.025, 0.045, 0.03, 0.02, 0.035, 0.02),
        0.3,
        0.2,
    ),
    Cadence(
        "re_engage",
        "seq-reengage-4",
        "Re-engage closed-lost · 4 touches",
        (("email", 0), ("call", 4), ("email", 9), ("email", 16)),
        (0.06, 0.05, 0.03, 0.025),
        0.25,
        0.1,
    ),
)
ENROLMENTS_PER_DAY = 6.0  # at full volume: about 40 touches a working day, the plan's 200 a week
TARGET_ACCOUNTS_PER_SDR = 40
BOUNCE_RATE = 0.015  # of emails
OPT_OUT_SHARE = 0.08  # of responses
NORMAL_CONVERSION = 0.6
DEALS_PER_SDR = 60  # the most new-business deals per SDR that meetings may convert into
INBOUND_SOURCES = ("search", "ad", "event", "referral")
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Raj",
    "Sara",
    "Tom",
    "Uma",
    "Vic",
    "Wes",
    "Yara",
    "Zed",
]
LAST = [
    "Abbott",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Foster",
    "Garcia",
    "Hughes",
    "Iqbal",
    "Jensen",
    "Khan",
    "Lopez",
    "Murphy",
    "Nakamura",
    "Olsen",
    "Price",
    "Quinn",
    "Ramos",
    "Sato",
    "Turner",
]
TITLES = [
    "Estimator",
    "Operations Manager",
    "Project Manager",
    "Owner",
    "VP Operations",
    "IT Director",
    "Controller",
    "Head of Procurement",
]
COMPANY = [
    "Apex",
    "Borough",
    "Crest",
    "Dune",
    "Ember",
    "Fjord",
    "Glen",
    "Helix",
    "Isle",
    "Jade",
    "Kiln",
    "Loom",
    "Mesa",
    "Nova",
    "Onyx",
    "Pike",
]


@dataclass
class SdrProfile:
    volume: float = 1.0  # share of the plan's touch volume actually sent
    skill: float = 1.0  # response multiplier
    weak_step: int | None = None  # a step whose response collapses (coachable)
    acceptance: float = 0.82  # share of booked meetings the AE accepts
    conversion: float = NORMAL_CONVERSION  # share of accepted meetings that become a qualified opportunity
    skills_by_type: dict[str, float] = field(default_factory=dict)


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += DAY
    return day


def quarter_of(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """Calendar quarter: (label "2026-Q1", first day, last day)."""
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    nxt = dt.date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    return f"{day.year}-Q{q + 1}", start, nxt - DAY


def seed_performance(rng: random.Random, *, today: dt.date, weeks: int = 52) -> dict[str, int]:
    """Write a year (``weeks``) of rep-performance records for the employees in the database."""
    gen = _Generator(rng, today, weeks)
    return gen.run()


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date, weeks: int):
        self.rng, self.today, self.weeks = rng, today, weeks
        self.now = _at(today, 8)
        self.ids = bulk.IdAllocator()
        self.counts: dict[str, int] = {}
        self.lead_seq = 0
        reps = Employee.objects.filter(role__in=[Role.AE, Role.AM, Role.CSM, Role.SDR], is_active=True).order_by("pk")
        self.by_role: dict[str, list[Employee]] = defaultdict(list)
        for rep in reps:
            self.by_role[rep.role].append(rep)

    def run(self) -> dict[str, int]:
        self._territories()
        self._comp_plans()
        self._quotas()
        self._cadences()
        self._quote_patterns()
        self.ids.reset_sequences()
        return self.counts

    # --- territories and comp plans ---------------------------------------------------------------
    def _territories(self) -> None:
        names: dict[str, list[Employee]] = defaultdict(list)
        for role in (Role.AE, Role.AM, Role.CSM, Role.SDR):
            for rep in self.by_role[role]:
                if rep.territory:
                    names[rep.territory].append(rep)
        rows = []
        for name in sorted(names):
            members = names[name]
            segments = sorted({m.segment for m in members if m.segment})
            aes = [m for m in members if m.role == Role.AE]
            owner_id = aes[0].manager_id if aes else members[0].manager_id
            rows.append(
                TerritoryDefinition(
                    name=name, segment=segments[0] if len(segments) == 1 else "", region=name, owner_id=owner_id
                )
            )
        TerritoryDefinition.objects.bulk_create(rows)
        self.territory_ids = dict(TerritoryDefinition.objects.values_list("name", "pk"))
        self.counts["territories"] = len(rows)

    def _comp_plans(self) -> None:
        first = self.today - self.weeks * 7 * DAY
        rows = []
        for year in range(first.year, self.today.year + 1):
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            for (role, segment), (touches, calls, meetings) in PLANS.items():
                rows.append(
                    CompPlan(
                        role=role,
                        segment=segment,
                        period=f"FY{year}",
                        period_start=start,
                        period_end=end,
                        touches_per_week=touches,
                        calls_per_week=calls,
                        meetings_per_month=meetings,
                    )
                )
        sdrs = self.by_role[Role.SDR]
        if len(sdrs) >= 5:  # the newest SDR is ramping on a plan of their own this year
            touches, calls, meetings = RAMP_PLAN
            year = self.today.year
            rows.append(
                CompPlan(
                    employee=sdrs[-1],
                    period=f"FY{year}-ramp",
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 12, 31),
                    touches_per_week=touches,
                    calls_per_week=calls,
                    meetings_per_month=meetings,
                )
            )
        CompPlan.objects.bulk_create(rows)
        self.counts["comp plans"] = len(rows)

    # --- quotas and the ledger ----------------------------------------------------------------------
    def _quotas(self) -> None:
        quarters = []
        day = self.today
        for _ in range(QUARTERS):
            quarters.append(quarter_of(day))
            day = quarters[-1][1] - DAY
        quarters.reverse()
        quota_rows, ledger_rows = [], []
        for role in (Role.AE, Role.AM):
            for index, rep in enumerate(self.by_role[role]):
                attainment, bias = self._rep_trajectory(role, index)
                base = QUOTA_BY_SEGMENT[role].get(rep.segment, QUOTA_BY_SEGMENT[role][""])
                for n, (label, start, end) in enumerate(quarters):
                    quota_id = self.ids.take(Quota)
                    amount = Decimal(round(base * (1 + 0.03 * n), -3))
                    quota_rows.append(
                        (
                            quota_id,
                            rep.pk,
                            label,
                            start,
                            end,
                            amount,
                            rep.segment,
                            self.territory_ids.get(rep.territory),
                            self.now,
                            self.now,
                        )
                    )
                    current = n == len(quarters) - 1
                    ledger_rows += self._ledger(quota_id, start, end, amount, attainment(current), bias)
        self.counts["quotas"] = bulk.insert(Quota, QUOTA_COLS, quota_rows)
        for row in ledger_rows:
            row[0] = self.ids.take(QuotaRetirementLedger)
        self.counts["quota ledger rows"] = bulk.insert(QuotaRetirementLedger, LEDGER_COLS, ledger_rows)

    def _rep_trajectory(self, role: str, index: int):
        """(attainment for a quarter, forecast bias): who lands where, and how they call their number."""
        rng = self.rng
        typical = min(1.3, max(0.6, rng.gauss(0.95, 0.13)))
        bias = min(1.15, max(0.9, rng.gauss(1.02, 0.05)))
        if role == Role.AE and index == 0:  # far behind pace this quarter, and calls it rosy
            return (lambda current: rng.uniform(0.3, 0.4) if current else rng.uniform(0.65, 0.8)), 1.35
        if role == Role.AE and index == 1:  # ahead of pace, sandbags the commit
            return (lambda current: rng.uniform(1.25, 1.4)), 0.78
        if role == Role.AM and index == 1:
            return (lambda current: rng.uniform(0.45, 0.55) if current else rng.uniform(0.7, 0.85)), 1.1
        return (lambda current: min(1.4, max(0.5, rng.gauss(typical, 0.1)))), bias

    def _ledger(self, quota_id, start, end, amount, attainment, bias) -> list[list]:
        """Weekly snapshots (Fridays) to today, plus the period's last day once it is over. Deals close in
        lumps, late in the quarter; a deal enters commit a few weeks before it closes."""
        rng = self.rng
        total = (end - start).days + 1
        final = float(amount) * attainment
        n_deals = rng.randint(3, 9)
        weights = [rng.uniform(0.5, 1.5) for _ in range(n_deals)]
        deals = sorted(
            (int(total * rng.betavariate(1.8, 1.2)), final * w / sum(weights), rng.randint(14, 35)) for w in weights
        )
        slip = final * (bias - 1) if bias > 1 else 0.0  # the optimist's commit pipeline that never closes
        days = []
        friday = start + dt.timedelta(days=(4 - start.weekday()) % 7)
        while friday <= min(end, self.today):
            days.append(friday)
            friday += 7 * DAY
        if end < self.today and (not days or days[-1] != end):
            days.append(end)
        rows = []
        for day in days:
            t = (day - start).days
            f = (t + 1) / total
            closed = sum(a for d, a, _ in deals if d <= t)
            committed = sum(a for d, a, lead in deals if d > t and d - lead <= t)
            if day < end:
                committed += slip * min(1.0, 2 * f)
            called = final * (1 + (bias - 1) * (1 - f * f)) * rng.uniform(0.96, 1.04)
            rep_commit = max(closed, called)
            rows.append(
                [None, quota_id, day, _money(closed), _money(committed), _money(rep_commit), self.now, self.now]
            )
        return rows

    # --- SDR cadences -----------------------------------------------------------------------------
    def _sdr_profiles(self) -> list[SdrProfile]:
        rng = self.rng
        profiles = []
        for index, _ in enumerate(self.by_role[Role.SDR]):
            p = SdrProfile(
                volume=rng.uniform(0.9, 1.1),
                skill=rng.uniform(0.85, 1.15),
                skills_by_type={c.type: rng.uniform(0.8, 1.2) for c in CADENCES},
            )
            if index == 0:
                p.weak_step = 3  # the cold and ABM call step, re-engage's third email, warm's second email
            elif index == 1:
                p.weak_step = 2
            elif index == 2:
                p.volume = 0.6
            elif index == 3:
                p.acceptance, p.conversion = 0.45, 0.3
            profiles.append(p)
        return profiles

    def _cadences(self) -> None:
        sdrs = self.by_role[Role.SDR]
        if not sdrs or not self.weeks:
            self.counts.update({"cadence events": 0, "SDR leads": 0})
            return
        from enrichment.models import Lead  # the prospect side's one Lead concept

        cap = TARGET_ACCOUNTS_PER_SDR * len(sdrs)
        abm = list(
            Account.objects.filter(is_customer=False, segment__in=["mm", "ent"])
            .order_by("pk")
            .values_list("pk", flat=True)[:cap]
        )
        lost = list(
            Opportunity.objects.filter(stage=Stage.CLOSED_LOST)
            .order_by("account_id")
            .values_list("account_id", flat=True)
            .distinct()[:cap]
        )
        contacts: dict[int, list[int]] = defaultdict(list)
        for pk, account_id in (
            Contact.objects.filter(account_id__in=abm + lost).order_by("pk").values_list("pk", "account_id")
        ):
            contacts[account_id].append(pk)
        abm = [a for a in abm if contacts[a]]
        lost = [a for a in lost if contacts[a]]
        start = self.today - self.weeks * 7 * DAY
        # New-business deals created in the year, dealt out evenly to the SDRs (at most a fixed number each):
        # the deals their converting meetings turned into. Their ``sdr`` is set to match below.
        deals = list(
            Opportunity.objects.filter(type=Opportunity.Type.NEW, created_at__gte=_at(start), created_at__lt=self.now)
            .order_by("created_at", "pk")
            .values_list("created_at", "pk", "account_id")
        )
        stride = max(1, len(deals) // (DEALS_PER_SDR * len(sdrs)))
        deals = deals[::stride]
        pools = {sdr.pk: deals[i :: len(sdrs)] for i, sdr in enumerate(sdrs)}

        leads: list[Lead] = []
        events = 0
        days = [start + n * DAY for n in range((self.today - start).days) if (start + n * DAY).weekday() < 5]
        for index, (sdr, profile) in enumerate(zip(sdrs, self._sdr_profiles())):
            enrolments = self._enrol(sdr, profile, days, abm, lost, contacts, leads, Lead)
            converted = self._convert(enrolments, profile, pools[sdr.pk])
            Opportunity.objects.filter(pk__in=converted).update(sdr_id=sdr.pk)
            rows = self._touch_rows(sdr, enrolments)
            Lead.objects.bulk_create(leads, batch_size=2000)
            self.counts["SDR leads"] = self.counts.get("SDR leads", 0) + len(leads)
            leads.clear()
            events += bulk.insert(CadenceEventLog, CADENCE_COLS, rows)
        self.counts["cadence events"] = events

    def _enrol(self, sdr, profile, days, abm, lost, contacts, leads, Lead) -> list[dict]:
        rng = self.rng
        enrolments = []
        shares = [c.share for c in CADENCES]
        for day in days:
            n = int(ENROLMENTS_PER_DAY * profile.volume + rng.random())
            for _ in range(n):
                cadence = rng.choices(CADENCES, weights=shares)[0]
                e = {
                    "cadence": cadence,
                    "day": day,
                    "lead_id": None,
                    "account_id": None,
                    "contact_id": None,
                    "off_persona": rng.random() < 0.03,
                }
                if cadence.type in ("abm", "re_engage") and (abm if cadence.type == "abm" else lost):
                    e["account_id"] = rng.choice(abm if cadence.type == "abm" else lost)
                    e["contact_id"] = rng.choice(contacts[e["account_id"]])
                else:
                    e["lead_id"] = self._lead(sdr, cadence, day, leads, Lead)
                e["touches"] = self._walk(cadence, day, profile, e["off_persona"])
                enrolments.append(e)
        return enrolments

    def _lead(self, sdr, cadence, day, leads, Lead) -> uuid.UUID:
        rng = self.rng
        lead_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        self.lead_seq += 1  # not a primary key: the data must not depend on the database's sequences
        company = f"{rng.choice(COMPANY).lower()}{self.lead_seq}"
        inbound = cadence.type == "warm"
        leads.append(
            Lead(
                id=lead_id,
                email=f"{first.lower()}.{last.lower()}@{company}.example.net",
                name=f"{first} {last}",
                title=rng.choice(TITLES) if inbound else "",
                source=rng.choice(INBOUND_SOURCES) if inbound else "outbound",
                warmth="warmest" if inbound else "warm",
                identity_known=True,
                idempotency_key=f"demo-cadence-lead:{lead_id}",
                captured_at=_at(day, 8),
            )
        )
        return lead_id

    def _walk(self, cadence: Cadence, day: dt.date, profile: SdrProfile, off_persona: bool) -> list[dict]:
        """The touches one enrolment gets: step by step until a response, a bounce or opt-out, the end of
        the cadence, or today."""
        rng = self.rng
        touches = []
        for step, ((channel, offset), base) in enumerate(zip(cadence.steps, cadence.response), start=1):
            when = _workday(day + offset * DAY)
            if when >= self.today:
                break
            flags = ["off_persona"] if off_persona else []
            p = base * profile.skill * profile.skills_by_type.get(cadence.type, 1.0) * (0.4 if off_persona else 1)
            if step == profile.weak_step:
                p *= 0.15
                if rng.random() < 0.6:
                    flags.append("no_voicemail_left" if channel == "call" else "low_personalization")
            touch = {
                "step": step,
                "channel": channel,
                "at": _at(when, rng.randint(9, 16), rng.randrange(0, 60, 5)),
                "responded": False,
                "responded_at": None,
                "booked": False,
                "accepted": False,
                "flags": flags,
            }
            touches.append(touch)
            if channel == "email" and rng.random() < BOUNCE_RATE:
                touch["flags"] = [*flags, "bounced"]
                break
            if rng.random() < p:
                touch["responded"] = True
                touch["responded_at"] = min(self.now, touch["at"] + dt.timedelta(minutes=rng.randint(20, 2880)))
                if rng.random() < OPT_OUT_SHARE:  # an "unsubscribe" reply, not interest
                    touch["flags"] = [*touch["flags"], "opted_out"]
                elif rng.random() < cadence.meeting_given_response:
                    touch["booked"] = True
                    touch["accepted"] = rng.random() < profile.acceptance
                break
        return touches

    def _convert(self, enrolments, profile: SdrProfile, pool) -> list[int]:
        """Accepted meetings become AE-qualified opportunities from the SDR's pool of the book's deals: a
        converting meeting takes the next unused deal created within 45 days after it, and the whole
        enrolment moves onto that deal's account. Returns the deals taken."""
        rng = self.rng
        times = [created for created, _, _ in pool]
        used = [False] * len(pool)
        meetings = sorted(
            (e["touches"][-1]["at"], i)
            for i, e in enumerate(enrolments)
            if e["touches"] and e["touches"][-1]["accepted"]
        )
        # A small book has fewer new deals than a year of meetings: scale every SDR's odds by the same
        # supply, so the SDR whose meetings convert badly still converts at about half the others' rate.
        supply = len(pool) * 1.3 / max(1, len(meetings) * NORMAL_CONVERSION)
        chance = profile.conversion * min(1.0, supply)
        taken = []
        for at, i in meetings:
            if rng.random() >= chance:
                continue
            j = bisect.bisect_left(times, at)
            while j < len(pool) and used[j]:
                j += 1
            if j == len(pool) or times[j] - at > dt.timedelta(days=45):
                continue
            used[j] = True
            _, opp_id, account_id = pool[j]
            e = enrolments[i]
            e["opportunity_id"], e["account_id"], e["contact_id"] = opp_id, account_id, None
            taken.append(opp_id)
        return taken

    def _touch_rows(self, sdr, enrolments) -> list[tuple]:
        rows = []
        first = self.ids.take(CadenceEventLog, sum(len(e["touches"]) for e in enrolments))
        pk = first
        for e in enrolments:
            cadence = e["cadence"]
            last = len(e["touches"]) - 1
            for n, t in enumerate(e["touches"]):
                rows.append(
                    (
                        pk,
                        f"cad-{pk}",
                        sdr.pk,
                        e["lead_id"],
                        e["account_id"],
                        e["contact_id"],
                        cadence.type,
                        cadence.cadence_id,
                        cadence.name,
                        t["step"],
                        t["channel"],
                        t["at"],
                        t["responded"],
                        t["responded_at"],
                        t["booked"],
                        t["accepted"],
                        e.get("opportunity_id") if n == last else None,
                        t["flags"],
                        self.now,
                        self.now,
                    )
                )
                pk += 1
        return rows

    # --- quotes: pricing/term negotiation patterns --------------------------------------------------
    def _quote_patterns(self) -> None:
        deep = []
        if len(self.by_role[Role.AE]) > 3:
            deep.append((self.by_role[Role.AE][3], None))
        if len(self.by_role[Role.AM]) > 1:
            deep.append((self.by_role[Role.AM][1], Opportunity.Type.EXPANSION))
        changed = 0
        for rep, kind in deep:
            quotes = Quote.objects.filter(opportunity__owner=rep)
            if kind:
                quotes = quotes.filter(opportunity__type=kind)
            changed += quotes.update(discount_pct=Least(F("discount_pct") + Value(Decimal(15)), Value(Decimal(45))))
            quotes.annotate(third=Mod("id", 3)).filter(third=0).update(term_exception=True)
        self.counts["deep-discount quotes (demo pattern)"] = changed


def _money(value: float) -> Decimal:
    return Decimal(round(value, -2)).quantize(Decimal("0.01"))


QUOTA_COLS = [
    "id",
    "rep_id",
    "period",
    "period_start",
    "period_end",
    "amount",
    "segment",
    "territory_id",
    "created_at",
    "updated_at",
]
LEDGER_COLS = [
    "id",
    "quota_id",
    "as_of_date",
    "closed_amount",
    "committed_amount",
    "rep_commit",
    "created_at",
    "updated_at",
]
CADENCE_COLS = [
    "id",
    "external_id",
    "sdr_id",
    "lead_id",
    "account_id",
    "contact_id",
    "cadence_type",
    "cadence_id",
    "cadence_name",
    "step",
    "channel",
    "occurred_at",
    "responded",
    "responded_at",
    "meeting_booked",
    "meeting_accepted",
    "opportunity_id",
    "risk_flags",
    "created_at",
    "updated_at",
]
