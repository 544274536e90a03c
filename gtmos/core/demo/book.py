"""The demo book: accounts, contacts, deals with stage history, quotes, calls, usage and activity.

Deterministic for a given seed and anchor date. Rows are generated as tuples and streamed into
``bulk.insert`` so 100,000 accounts fit in memory and time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from gtmos.core import bulk
from gtmos.crm.models import (
    Account,
    Contact,
    ConvIntelligenceCall,
    Opportunity,
    OpportunityStageChange,
    Product,
    Quote,
    QuoteLine,
    RepActivity,
    Role,
    Stage,
    UsageDaily,
    UsageEvent,
)

PRODUCTS = [
    ("CORE-SEAT", "Core platform (per seat)", False, False, "480.00"),
    ("ANALYTICS", "Analytics add-on", False, False, "9000.00"),
    ("API-UNITS", "API access (consumption)", True, False, "0.02"),
    ("CONNECT", "Data connectors pack", False, False, "6000.00"),
    ("IMPL-SVC", "Implementation services", False, True, "25000.00"),
    ("TRAIN-PKG", "Training package", False, True, "5000.00"),
    ("PREM-SUP", "Premium support", False, False, "12000.00"),
]
VERTICALS = [
    "Construction",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Financial services",
    "Retail",
    "Software",
    "Education",
    "Energy",
    "Public sector",
]
WORDS = [
    "Summit",
    "Harbor",
    "Granite",
    "Northwind",
    "Bluebird",
    "Keystone",
    "Ironwood",
    "Cedar",
    "Lumen",
    "Atlas",
    "Beacon",
    "Copper",
    "Delta",
    "Evergreen",
    "Falcon",
    "Juniper",
    "Meridian",
    "Orchard",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Sterling",
    "Tidewater",
    "Vantage",
    "Willow",
    "Zenith",
]
SUFFIXES = ["Builders", "Systems", "Logistics", "Health", "Partners", "Industries", "Group", "Labs", "Works"]
OBJECTIONS = [
    "price too high",
    "SSO requirement",
    "data residency",
    "integration effort",
    "competitor lock-in",
    "timing / budget cycle",
    "security review",
    "change management",
]
COMPETITORS = ["Acme Cloud", "Forge Suite", "Northstar CRM", "Beamline"]
NEXT_STEPS = [
    "send security questionnaire",
    "schedule technical deep-dive",
    "share ROI model",
    "intro to executive sponsor",
    "pilot with 10 users",
    "confirm SSO setup in onboarding",
    "deliver admin training in week 2",
    "connect ERP integration before go-live",
]
DEMOED = ["dashboards", "workflow automation", "API", "ERP connector", "mobile app", "reporting export"]
SEGMENT_MIX = [("smb", 0.55), ("mm", 0.30), ("ent", 0.15)]
ARR_RANGE = {"smb": (6_000, 40_000), "mm": (40_000, 180_000), "ent": (150_000, 900_000)}
SEATS_RANGE = {"smb": (5, 60), "mm": (50, 400), "ent": (300, 3000)}
OPEN_STAGES = [Stage.PROSPECTING, Stage.DISCOVERY, Stage.DEMO, Stage.PROPOSAL, Stage.NEGOTIATION]


def _pick_segment(rng: random.Random) -> str:
    roll, acc = rng.random(), 0.0
    for segment, share in SEGMENT_MIX:
        acc += share
        if roll < acc:
            return segment
    return "ent"


def _at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def seed_products() -> dict[str, Product]:
    products = {}
    for sku, name, api, service, price in PRODUCTS:
        products[sku] = Product.objects.update_or_create(
            sku=sku,
            defaults={
                "name": name,
                "is_api_consumption": api,
                "is_implementation_service": service,
                "list_price": Decimal(price),
            },
        )[0]
    return products


class BookGenerator:
    def __init__(self, rng: random.Random, today: dt.date, org, products, usage_days: int):
        self.rng, self.today, self.org, self.products, self.usage_days = rng, today, org, products, usage_days
        self.ids = bulk.IdAllocator()
        self.counts: dict[str, int] = {}
        r = org.by_role
        self.aes, self.ams, self.csms, self.sdrs, self.ses = (
            r[Role.AE],
            r[Role.AM],
            r[Role.CSM],
            r[Role.SDR],
            r[Role.SE],
        )

    def generate(self, n_accounts: int) -> dict[str, int]:
        accounts = [self._account(i) for i in range(n_accounts)]
        first = self.ids.take(Account, n_accounts)
        for offset, acc in enumerate(accounts):
            acc["id"] = first + offset
        self._insert(Account, ACCOUNT_COLS, ([a[c] for c in ACCOUNT_COLS] for a in accounts))
        self._insert(Contact, CONTACT_COLS, self._contacts(accounts))
        opps = list(self._opportunities(accounts))
        self._insert(Opportunity, OPP_COLS, ([o[c] for c in OPP_COLS] for o in opps))
        self._insert(OpportunityStageChange, STAGE_COLS, self._stage_history(opps))
        self._quotes(opps)
        self._insert(ConvIntelligenceCall, CALL_COLS, self._calls(accounts, opps))
        self._insert(UsageDaily, USAGE_COLS, self._usage(accounts))
        self._insert(UsageEvent, USAGE_EVENT_COLS, self._usage_events(accounts))
        self._insert(RepActivity, ACTIVITY_COLS, self._activities(accounts))
        self.ids.reset_sequences()
        return self.counts

    def _insert(self, model, cols, rows):
        self.counts[model._meta.verbose_name_plural] = bulk.insert(model, cols, rows)

    # --- accounts ------------------------------------------------------------------------------
    def _account(self, i: int) -> dict:
        rng = self.rng
        segment = _pick_segment(rng)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
        is_customer = rng.random() < 0.6
        start = self.today - dt.timedelta(days=rng.randint(5, 3 * 365)) if is_customer else None
        renewal = None
        if start:
            years = (self.today - start).days // 365 + 1
            renewal = start + dt.timedelta(days=365 * years)
        lo, hi = ARR_RANGE[segment]
        seats_lo, seats_hi = SEATS_RANGE[segment]
        now = _at(self.today, 9)
        return {
            "external_id": f"acct-{i + 1:06d}",
            "name": f"{name} #{i + 1}",
            "segment": segment,
            "domain": f"{name.split()[0].lower()}{i + 1}.example.com",
            "vertical": rng.choice(VERTICALS),
            "region": rng.choice(["West", "Central", "East"]),
            "owner_id": rng.choice(self.aes).pk,
            "am_id": rng.choice(self.ams).pk if is_customer else None,
            "csm_id": rng.choice(self.csms).pk if is_customer else None,
            "contract_start_date": start,
            "renewal_date": renewal,
            "contracted_seats": rng.randint(seats_lo, seats_hi) if is_customer else 0,
            "contracted_consumption_units": rng.randint(10_000, 5_000_000) if is_customer else 0,
            "arr": Decimal(rng.randrange(lo, hi, 500)) if is_customer else Decimal(0),
            "is_customer": is_customer,
            "churned_on": None,
            "onboarding_status": "not_started",
            "onboarding_start_date": None,
            "onboarding_complete_date": None,
            "ttv_achieved_days": None,
            "ttv_target_days": None,
            "created_at": now,
            "updated_at": now,
        }

    def _contacts(self, accounts) -> Iterator[tuple]:
        rng = self.rng
        roles = [r.value for r in Contact.BuyingRole]
        first = self.ids.take(Contact, 0)
        pk = first
        for acc in accounts:
            n = {"smb": 2, "mm": 3, "ent": 5}[acc["segment"]] + rng.randint(0, 2)
            for j in range(n):
                engaged = _at(self.today - dt.timedelta(days=rng.randint(0, 120))) if rng.random() < 0.8 else None
                yield (
                    pk,
                    f"ct-{acc['id']}-{j}",
                    acc["id"],
                    f"{rng.choice(('Alex', 'Sam', 'Chris', 'Pat', 'Robin', 'Jesse'))} {rng.choice(('Lee', 'Grant', 'Shaw', 'Ortiz', 'Brooks'))}",
                    f"contact{j}@{acc['domain']}",
                    rng.choice(("VP Operations", "IT Director", "CFO", "Project Manager", "Analyst", "COO")),
                    roles[j % len(roles)] if j < 3 else "end_user",
                    j == 0 and acc["segment"] != "smb",
                    engaged,
                )
                pk += 1
        self.ids.take(Contact, pk - first)

    # --- deals ---------------------------------------------------------------------------------
    def _opportunities(self, accounts) -> Iterator[dict]:
        rng = self.rng
        pk = self.ids.take(Opportunity, 0)
        start_pk = pk
        for acc in accounts:
            deals = []
            if acc["is_customer"]:
                deals.append(("new", Stage.CLOSED_WON, acc["contract_start_date"]))
                if acc["renewal_date"] and (acc["renewal_date"] - self.today).days < 150:
                    deals.append(("renewal", rng.choice(OPEN_STAGES[1:]), acc["renewal_date"]))
                if rng.random() < 0.15:
                    deals.append(
                        ("expansion", rng.choice(OPEN_STAGES), self.today + dt.timedelta(days=rng.randint(10, 120)))
                    )
            else:
                roll = rng.random()
                if roll < 0.7:
                    deals.append(("new", rng.choice(OPEN_STAGES), self.today + dt.timedelta(days=rng.randint(5, 150))))
                elif roll < 0.85:
                    deals.append(("new", Stage.CLOSED_LOST, self.today - dt.timedelta(days=rng.randint(10, 300))))
            for n, (kind, stage, close) in enumerate(deals):
                lo, hi = ARR_RANGE[acc["segment"]]
                acv = Decimal(rng.randrange(lo, hi, 500)) if kind != "renewal" else acc["arr"]
                created = _at(min(close, self.today) - dt.timedelta(days=rng.randint(30, 160)))
                closed = _at(close) if stage in (Stage.CLOSED_WON, Stage.CLOSED_LOST) else None
                yield {
                    "id": pk,
                    "external_id": f"opp-{acc['id']}-{n}",
                    "account_id": acc["id"],
                    "name": f"{acc['name']} — {kind}",
                    "type": kind,
                    "stage": stage,
                    "stage_changed_at": closed or created + dt.timedelta(days=rng.randint(1, 25)),
                    "acv": acv,
                    "sam_value": acv * rng.randint(2, 8),
                    "deal_health_score": rng.randint(25, 98)
                    if stage not in (Stage.CLOSED_LOST,)
                    else rng.randint(5, 40),
                    "deal_risk_flags": rng.sample(
                        [
                            "single-threaded",
                            "no exec sponsor",
                            "competitor active",
                            "pricing pushback",
                            "slipped close date",
                        ],
                        k=rng.randint(0, 2),
                    ),
                    "close_date": close,
                    "closed_at": closed,
                    "contract_start_date": close if stage == Stage.CLOSED_WON else None,
                    "lost_reason": "chose competitor" if stage == Stage.CLOSED_LOST else "",
                    "owner_id": acc["am_id"] if kind != "new" and acc["am_id"] else acc["owner_id"],
                    "se_id": rng.choice(self.ses).pk if acc["segment"] != "smb" else None,
                    "am_id": acc["am_id"],
                    "csm_id": acc["csm_id"],
                    "sdr_id": rng.choice(self.sdrs).pk if kind == "new" and rng.random() < 0.6 else None,
                    "created_at": created,
                    "updated_at": created,
                }
                pk += 1
        self.ids.take(Opportunity, pk - start_pk)

    def _stage_history(self, opps) -> Iterator[tuple]:
        ladder = [s.value for s in Stage.ladder()]
        pk = self.ids.take(OpportunityStageChange, 0)
        start_pk = pk
        for o in opps:
            target = o["stage"]
            reached = ladder.index(target) if target in ladder else self.rng.randint(1, 3)
            at = o["created_at"]
            previous = ""
            for step in ladder[: reached + 1]:
                yield (pk, o["id"], previous, step, at)
                pk += 1
                previous, at = step, at + dt.timedelta(days=self.rng.randint(5, 30))
            if target == Stage.CLOSED_LOST:
                yield (pk, o["id"], previous, target, o["closed_at"])
                pk += 1
        self.ids.take(OpportunityStageChange, pk - start_pk)

    def _quotes(self, opps) -> None:
        rng = self.rng
        late = set(Stage.at_or_after(Stage.PROPOSAL))
        quoted = [o for o in opps if o["stage"] in late]
        first = self.ids.take(Quote, len(quoted))
        quotes, lines = [], []
        line_pk = self.ids.take(QuoteLine, 0)
        start_line = line_pk
        for n, o in enumerate(quoted):
            qid = first + n
            quotes.append(
                (
                    qid,
                    f"q-{o['id']}",
                    o["id"],
                    "accepted" if o["stage"] == Stage.CLOSED_WON else "sent",
                    rng.choice((12, 12, 24, 36)),
                    Decimal(rng.choice((0, 5, 10, 15, 20, 30))),
                    rng.random() < 0.08,
                    "Configured: " + ", ".join(rng.sample(DEMOED, 2)),
                    o["created_at"] + dt.timedelta(days=20),
                )
            )
            skus = ["CORE-SEAT"] + rng.sample(["ANALYTICS", "API-UNITS", "CONNECT", "PREM-SUP"], rng.randint(0, 2))
            if rng.random() < 0.3:
                skus.append("IMPL-SVC")
            for sku in skus:
                product = self.products[sku]
                lines.append((line_pk, qid, product.pk, rng.randint(1, 200), product.list_price, Decimal(0)))
                line_pk += 1
        self.ids.take(QuoteLine, line_pk - start_line)
        self._insert(Quote, QUOTE_COLS, quotes)
        self._insert(QuoteLine, LINE_COLS, lines)

    # --- signals -------------------------------------------------------------------------------
    def _calls(self, accounts, opps) -> Iterator[tuple]:
        rng = self.rng
        pk = self.ids.take(ConvIntelligenceCall, 0)
        start = pk
        employees = {e.pk: e for role in self.org.by_role.values() for e in role}
        for o in opps:
            if o["stage"] == Stage.PROSPECTING:
                continue
            for _ in range(rng.randint(1, 3)):
                owner = employees[o["owner_id"]] if rng.random() < 0.7 or not o["sdr_id"] else employees[o["sdr_id"]]
                day = o["created_at"].date() + dt.timedelta(days=rng.randint(0, 40))
                yield self._call(
                    pk,
                    owner,
                    o["account_id"],
                    o["id"],
                    min(day, self.today),
                    "discovery" if owner.role == Role.SDR else rng.choice(("demo", "discovery", "negotiation")),
                )
                pk += 1
        for acc in accounts:
            if acc["csm_id"] and rng.random() < 0.7:
                owner = employees[acc["csm_id"]]
                yield self._call(
                    pk,
                    owner,
                    acc["id"],
                    None,
                    self.today - dt.timedelta(days=rng.randint(0, 60)),
                    rng.choice(("check_in", "qbr", "onboarding")),
                )
                pk += 1
        self.ids.take(ConvIntelligenceCall, pk - start)

    def _call(self, pk, owner, account_id, opp_id, day, call_type) -> tuple:
        rng = self.rng
        return (
            pk,
            f"call-{pk}",
            owner.pk,
            owner.role,
            account_id,
            opp_id,
            _at(day, rng.randint(13, 21)),
            call_type,
            rng.randint(600, 3600),
            rng.sample(OBJECTIONS, rng.randint(0, 2)),
            rng.sample(COMPETITORS, 1) if rng.random() < 0.25 else [],
            rng.sample(NEXT_STEPS, rng.randint(1, 2)),
            rng.sample(DEMOED, rng.randint(0, 2)),
            round(rng.uniform(-0.4, 0.9), 2),
            round(rng.uniform(0.3, 0.75), 2),
            rng.randint(3, 25),
            rng.randint(35, 95),
            "",
        )

    def _usage(self, accounts) -> Iterator[tuple]:
        rng = self.rng
        days = [self.today - dt.timedelta(days=d) for d in range(self.usage_days, 0, -1)]
        pk = self.ids.take(UsageDaily, 0)
        start = pk
        for acc in accounts:
            if not acc["is_customer"] or not acc["contracted_seats"]:
                continue
            level = rng.uniform(0.2, 0.95)
            drift = rng.uniform(-0.004, 0.004)
            seats = acc["contracted_seats"]
            for day in days:
                if acc["contract_start_date"] and day < acc["contract_start_date"]:
                    continue
                level = min(1.0, max(0.02, level + drift + rng.uniform(-0.02, 0.02)))
                active = int(seats * level)
                yield (pk, acc["id"], day, active, active * rng.randint(20, 200), int(active * rng.uniform(0.6, 1.4)))
                pk += 1
        self.ids.take(UsageDaily, pk - start)

    def _usage_events(self, accounts) -> Iterator[tuple]:
        rng = self.rng
        pk = self.ids.take(UsageEvent, 0)
        start = pk
        names = ["first_report_exported", "workflow_triggered", "api_call", "dashboard_shared"]
        for acc in accounts:
            if not acc["is_customer"]:
                continue
            for name in rng.sample(names, rng.randint(0, 3)):
                day = self.today - dt.timedelta(days=rng.randint(1, max(1, self.usage_days)))
                yield (pk, acc["id"], day, name, rng.randint(1, 500))
                pk += 1
        self.ids.take(UsageEvent, pk - start)

    def _activities(self, accounts) -> Iterator[tuple]:
        rng = self.rng
        kinds = [k.value for k in RepActivity.ActivityType]
        pk = self.ids.take(RepActivity, 0)
        start = pk
        roles = {e.pk: e.role for role in self.org.by_role.values() for e in role}
        for acc in accounts:
            reps = [r for r in (acc["owner_id"], acc["am_id"], acc["csm_id"]) if r]
            for _ in range(rng.randint(1, 4)):
                rep = rng.choice(reps)
                yield (
                    pk,
                    f"act-{pk}",
                    rep,
                    roles[rep],
                    self.today - dt.timedelta(days=rng.randint(0, 90)),
                    rng.choice(kinds),
                    acc["id"],
                    None,
                    "",
                )
                pk += 1
        self.ids.take(RepActivity, pk - start)


ACCOUNT_COLS = [
    "id",
    "external_id",
    "name",
    "segment",
    "domain",
    "vertical",
    "region",
    "owner_id",
    "am_id",
    "csm_id",
    "contract_start_date",
    "renewal_date",
    "contracted_seats",
    "contracted_consumption_units",
    "arr",
    "is_customer",
    "churned_on",
    "onboarding_status",
    "onboarding_start_date",
    "onboarding_complete_date",
    "ttv_achieved_days",
    "ttv_target_days",
    "created_at",
    "updated_at",
]
CONTACT_COLS = [
    "id",
    "external_id",
    "account_id",
    "name",
    "email",
    "title",
    "buying_role",
    "is_executive_sponsor",
    "last_engaged_at",
]
OPP_COLS = [
    "id",
    "external_id",
    "account_id",
    "name",
    "type",
    "stage",
    "stage_changed_at",
    "acv",
    "sam_value",
    "deal_health_score",
    "deal_risk_flags",
    "close_date",
    "closed_at",
    "contract_start_date",
    "lost_reason",
    "owner_id",
    "se_id",
    "am_id",
    "csm_id",
    "sdr_id",
    "created_at",
    "updated_at",
]
STAGE_COLS = ["id", "opportunity_id", "from_stage", "to_stage", "changed_at"]
QUOTE_COLS = [
    "id",
    "external_id",
    "opportunity_id",
    "status",
    "term_months",
    "discount_pct",
    "term_exception",
    "configuration_notes",
    "created_at",
]
LINE_COLS = ["id", "quote_id", "product_id", "quantity", "unit_price", "discount_pct"]
CALL_COLS = [
    "id",
    "external_id",
    "owner_id",
    "owner_role",
    "account_id",
    "opportunity_id",
    "occurred_at",
    "call_type",
    "duration_seconds",
    "objections",
    "competitor_mentions",
    "next_steps",
    "demoed",
    "sentiment",
    "talk_ratio",
    "question_count",
    "quality_score",
    "summary",
]
USAGE_COLS = ["id", "account_id", "day", "active_seats", "consumption_units", "logins"]
USAGE_EVENT_COLS = ["id", "account_id", "day", "event_name", "count"]
ACTIVITY_COLS = [
    "id",
    "external_id",
    "rep_id",
    "role",
    "activity_date",
    "activity_type",
    "account_id",
    "contact_id",
    "notes",
]
