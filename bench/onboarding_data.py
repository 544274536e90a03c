"""Test data for the onboarding_daily benchmark: customer accounts in active onboarding, on top of seed_demo.

``python -m bench.onboarding_data --plans N`` (with the bench DATABASE_URL, see ``db.env()``) takes N of the
demo book's closed-won new-business deals into onboarding and prints one JSON line (row counts, ``today``).

Rows are generated as tuples and COPYed in with explicit ids (``gtmos.core.bulk``), like the demo book:
the onboarding services cost dozens of queries per plan, which would make the setup slower than the jobs
being measured. Accounts seed_demo already took through onboarding are left alone. The mix is chosen so
that the first daily run has real work in every branch (holds to open, payouts to hold and release,
escalations of every kind, M4/M6 to detect) and the second has none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_SEED = 11
MAX_DAYS_IN = 120  # contract starts spread over the last 1..120 days
HOLD = "map_signoff_hold"
PACE_DONE_SHARE = {"on_track": 0.92, "lagging": 0.55, "stalled": 0.15}  # share of due milestones done


@dataclass
class Deal:
    """One closed-won deal taken into onboarding, with the story its rows are generated from."""

    opp_id: int
    account_id: int
    owner_id: int
    csm_id: int | None
    csm_user_id: int | None
    segment: str
    acv: Decimal
    map_id: int = 0
    plan_id: int = 0
    start: dt.date = dt.date.min
    ttv: int = 90
    value_events: list = field(default_factory=list)
    signoff: str = "pending"  # pending / accepted / rejected
    signoff_at: dt.datetime | None = None
    override_at: dt.datetime | None = None
    hold: str = "none"  # none / active / released: the map_signoff_hold ExceptionLog, if any
    hold_opened: dt.datetime | None = None
    hold_released: dt.datetime | None = None
    payouts: str = "scheduled"  # scheduled / held / released: what the comp run last did
    comp_hold_active: bool = False
    pace: str = "on_track"  # a key of PACE_DONE_SHARE
    done: dict = field(default_factory=dict)  # milestone code -> completed_on (done ones only)


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def build(plans: int, seed: int = DEFAULT_SEED) -> dict:
    from django.db import connection, transaction

    from gtmos.core import clock

    today = clock.today()
    with transaction.atomic():
        counts = _Builder(random.Random(seed), today).generate(plans)
    # Planner statistics as autovacuum would have them on a live database. Straight after COPY they are
    # stale or missing, and whether autovacuum got there before the measured run would decide the plans
    # (e.g. a sequential scan of quote lines per deal), making the figures depend on timing.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"today": today.isoformat(), "plans": plans, "rows": counts}


class _Builder:
    def __init__(self, rng: random.Random, today: dt.date):
        from gtmos.core import bulk
        from gtmos.crm.models import Employee, Role
        from onboarding.models import OnboardingSettings

        self.rng, self.today = rng, today
        self.bulk = bulk
        self.ids = bulk.IdAllocator()
        self.cfg = OnboardingSettings.load()
        self.post_sales = list(Employee.objects.filter(role=Role.POST_SALES).values_list("pk", flat=True))
        self.slm = Employee.objects.filter(role=Role.SLM).values_list("pk", flat=True).first()
        self.counts: dict[str, int] = {}

    def generate(self, n: int) -> dict[str, int]:
        from gtmos.audit.models import ExceptionLog
        from gtmos.comp.models import Payout
        from onboarding.models import Escalation, MilestoneItem, MutualActionPlan, OnboardingLog, OnboardingPlan

        self.value_events = self._value_events()
        deals = self._pick(n)
        first_map, first_plan = self.ids.take(MutualActionPlan, n), self.ids.take(OnboardingPlan, n)
        for i, d in enumerate(deals):
            d.map_id, d.plan_id = first_map + i, first_plan + i
            self._story(d)
        milestones = [row for d in deals for row in self._milestones(d)]  # decides d.done, which the rest reads
        self._insert(MutualActionPlan, MAP_COLS, (self._map_row(d) for d in deals))
        self._insert(OnboardingPlan, PLAN_COLS, (self._plan_row(d) for d in deals))
        self._insert(MilestoneItem, MILESTONE_COLS, self._numbered(MilestoneItem, milestones))
        self._insert(OnboardingLog, LOG_COLS, self._numbered(OnboardingLog, (r for d in deals for r in self._log(d))))
        self._insert(Escalation, ESCALATION_COLS, self._numbered(Escalation, self._escalations(deals)))
        self._insert(ExceptionLog, EXCEPTION_COLS, self._numbered(ExceptionLog, self._holds(deals)))
        self._insert(Payout, PAYOUT_COLS, self._numbered(Payout, self._payouts(deals)))
        self._update_book(deals)
        self.ids.reset_sequences()
        return self.counts

    def _insert(self, model, cols, rows) -> None:
        """COPY the rows; columns not listed get the model field's default (COPY would write NULL), so a
        field added to a model later does not break the benchmark."""
        extra = [f for f in model._meta.concrete_fields if f.attname not in cols]
        missing = [f.name for f in extra if not f.has_default() and not f.null]
        if missing:
            raise SystemExit(f"{model.__name__}: no value and no default for {', '.join(missing)}")
        defaults = tuple(f.get_default() if f.has_default() else None for f in extra)
        rows = (tuple(row) + defaults for row in rows)
        count = self.bulk.insert(model, [*cols, *(f.attname for f in extra)], rows)
        self.counts[str(model._meta.verbose_name_plural)] = count

    def _numbered(self, model, rows):
        """Prefix each row with an id; ids are reserved once the count is known (the generator is lazy)."""
        first = pk = self.ids.take(model, 0)
        for row in rows:
            yield (pk, *row)
            pk += 1
        self.ids.take(model, pk - first)

    # --- which deals, and what happened to them ------------------------------------------------
    def _value_events(self) -> tuple[list[int], list[int]]:
        """The demo's value events (seed_demo may have made them already): (usage-feed detectable, manual)."""
        from onboarding.demo import seed_value_events

        events = seed_value_events()
        auto = [e.pk for e in events if e.auto_detectable]
        manual = [e.pk for e in events if not e.auto_detectable]
        if not auto or not manual:
            raise SystemExit("the demo value events need an auto-detectable and a manual one")
        return auto, manual

    def _pick(self, n: int) -> list[Deal]:
        from gtmos.crm.models import Opportunity, Stage

        # seed_demo takes a few recent customers through onboarding (and pre-boards open deals): leave
        # those accounts alone, a deal has one MAP and one plan.
        rows = list(
            Opportunity.objects.filter(
                type="new",
                stage=Stage.CLOSED_WON,
                account__csm__isnull=False,
                account__onboarding_status="not_started",
                map__isnull=True,
            )
            .order_by("pk")
            .values_list(
                "pk", "account_id", "owner_id", "account__csm_id", "account__csm__user_id", "account__segment", "acv"
            )
        )
        if len(rows) < n:
            raise SystemExit(f"only {len(rows)} closed-won deals in the book; need {n} (seed more accounts)")
        return [Deal(*row) for row in sorted(self.rng.sample(rows, n))]

    def _story(self, d: Deal) -> None:
        rng, today, window = self.rng, self.today, self.cfg.map_signoff_window_days
        d.start = today - dt.timedelta(days=rng.randint(1, MAX_DAYS_IN))
        days_in = (today - d.start).days
        # The TTV target comes from the earliest selected value event's date (rules.ttv_target_days).
        default = self.cfg.ttv_default(d.segment)
        d.ttv = max(14, default + rng.choice((-10, 0, 0, 0, 15, 30)))
        auto, manual = self.value_events
        d.value_events = [
            {
                "value_event_id": rng.choice(auto if rng.random() < 0.8 else manual),
                "target_date": (d.start + dt.timedelta(days=d.ttv)).isoformat(),
            }
        ]

        roll = rng.random()
        if days_in <= window:  # still inside the sign-off window: mostly not signed yet
            d.signoff = "pending" if roll < 0.6 else "accepted" if roll < 0.97 else "rejected"
        else:
            d.signoff = "accepted" if roll < 0.75 else "pending" if roll < 0.92 else "rejected"
        window_end = _at(d.start + dt.timedelta(days=window + 1), 5)
        if d.signoff == "accepted":
            late = days_in > window + 2 and rng.random() < 0.25
            if late:  # the window expired first: a hold was opened, then released at sign-off
                d.signoff_at = _at(d.start + dt.timedelta(days=rng.randint(window + 2, days_in - 1)), 16)
                d.hold, d.hold_opened, d.hold_released = "released", window_end, d.signoff_at
                # Half of them signed since the last comp run: their payouts still wait to be released.
                d.payouts = "held" if rng.random() < 0.5 else "released"
            else:
                d.signoff_at = _at(d.start + dt.timedelta(days=rng.randint(0, min(window, days_in - 1))), 16)
        elif d.signoff == "rejected":
            d.signoff_at = _at(d.start + dt.timedelta(days=rng.randint(0, min(window, days_in - 1))), 11)
            d.hold, d.hold_opened = "active", d.signoff_at
            if rng.random() < 0.3:  # the SLM let the deal proceed: hold released
                d.override_at = min(
                    d.signoff_at + dt.timedelta(days=rng.randint(1, 3)), _at(today - dt.timedelta(days=1), 18)
                )
                d.hold, d.hold_released, d.payouts = "released", d.override_at, "released"
            else:
                d.comp_hold_active = True
                d.payouts = "held" if rng.random() < 0.8 else "scheduled"  # 20%: comp run not yet applied
        elif days_in > window + 1 and rng.random() < 0.5:
            # Pending past the window, already caught by an earlier daily scan. The other half is the
            # backlog the first measured run opens holds for.
            d.hold, d.hold_opened, d.comp_hold_active, d.payouts = "active", window_end, True, "held"

    # --- rows ----------------------------------------------------------------------------------
    def _map_row(self, d: Deal) -> tuple:
        signed = d.signoff != "pending"
        locked = d.signoff_at if d.signoff == "accepted" else d.override_at
        created = _at(d.start - dt.timedelta(days=self.rng.randint(10, 60)), 10)
        return (
            d.map_id,
            d.opp_id,
            d.account_id,
            d.value_events,
            "Demoed / validated: dashboards, API",
            "- deliver admin training in week 2",
            [],
            None,
            d.ttv,
            locked,
            d.signoff,
            self.rng.choice(self.post_sales) if signed else None,
            d.signoff_at,
            "Integration scope not agreed with the customer" if d.signoff == "rejected" else "",
            "SSO depends on the customer's IdP team" if d.signoff == "accepted" else "",
            d.override_at is not None,
            self.slm if d.override_at else None,
            d.override_at,
            "Customer exec committed to the scope" if d.override_at else "",
            None,
            "",
            d.comp_hold_active,
            created,
            created,
        )

    def _plan_row(self, d: Deal) -> tuple:
        ttv_done = d.done.get("M4") and d.done.get("M6")
        preboarded = d.segment == "ent" and self.rng.random() < 0.5
        return (
            d.plan_id,
            d.account_id,
            d.opp_id,
            d.map_id,
            "active",
            preboarded,
            "Auto: Enterprise segment" if preboarded else "",
            False,
            {},
            d.start,
            d.csm_id,
            _at(d.start, 8),
            max(d.done["M4"], d.done["M6"]) if ttv_done else None,
            None,
            _at(d.start - dt.timedelta(days=1), 8),
        )

    def _milestones(self, d: Deal):
        from onboarding import rules
        from onboarding.models import MilestoneCode
        from onboarding.services.preclose import DEFAULT_OFFSETS

        rng = self.rng
        d.pace = rng.choices(list(PACE_DONE_SHARE), weights=(0.55, 0.3, 0.15))[0]
        share = PACE_DONE_SHARE[d.pace]
        for code, base in DEFAULT_OFFSETS.items():
            offset = rules.scaled_offset(base, d.ttv)
            target = d.start + dt.timedelta(days=offset)
            done_on = None
            if code != "M7" and target < self.today and rng.random() < share:  # M7 closes the plan: never here
                done_on = min(
                    self.today - dt.timedelta(days=1), max(d.start, target + dt.timedelta(days=rng.randint(-4, 6)))
                )
                d.done[code] = done_on
            yield (
                d.plan_id,
                code,
                MilestoneCode(code).label,
                d.csm_id,
                "csm",
                offset,
                target,
                "done" if done_on else "pending",
                code == "M3",
                "Attendance log: 12 of 14 users" if code == "M3" and done_on else "",
                ["Admin training session"] if code == "M2" else ["End-user training session"] if code == "M3" else [],
                done_on,
                d.csm_user_id if done_on else None,
                "csm" if done_on else "",
                None,
            )

    def _log(self, d: Deal):
        """The running log: activation, milestones, CSM outreach and replies, exec touchpoints, recovery plans.

        A fifth of the customers stop answering: their last 2–4 outreaches have no reply, which is what the
        unresponsive rules (2 → CSM + AM, 3 → SLM) look for. Responsive ones may have one open outreach.
        """
        rng, today = self.rng, self.today
        last = today - dt.timedelta(days=1)
        entries = [(d.start, 9, "csm_activity", "note", "", "Onboarding activated at close")]
        entries += [(on, 14, "milestone_complete", "", code, f"{code} complete") for code, on in d.done.items()]
        outreach, day = [], d.start + dt.timedelta(days=rng.randint(1, 4))
        while day <= last:
            outreach.append(day)
            day += dt.timedelta(days=rng.randint(4, 10))
        unanswered = rng.randint(2, 4) if rng.random() < 0.2 else int(rng.random() < 0.3)
        for i, day in enumerate(outreach):
            entries.append((day, 10, "csm_activity", "outreach", "", "Checked in on setup progress"))
            reply = day + dt.timedelta(days=rng.randint(0, 2))
            if i < len(outreach) - unanswered and reply <= last:
                entries.append((reply, 17, "csm_activity", "customer_reply", "", "Customer replied"))
                if rng.random() < 0.3 and reply + dt.timedelta(days=1) <= last:
                    entries.append((reply + dt.timedelta(days=1), 15, "csm_activity", "meeting", "", "Working session"))
        touches = []
        if rng.random() < 0.3:
            touches.append(d.start + dt.timedelta(days=rng.randint(0, (last - d.start).days)))
            entries.append((touches[-1], 13, "exec_touchpoint", "", "", "Exec sponsor call"))
        if d.pace != "on_track" and (today - d.start).days > d.ttv / 2 and rng.random() < 0.4:
            on = max(d.start, today - dt.timedelta(days=rng.randint(1, 10)))
            entries.append((on, 16, "recovery_plan", "", "", "Recovery plan agreed with the customer"))
        entries.sort(key=lambda e: (e[0], e[1]))  # ids follow time: the scans order by (-logged_at, -id)
        for on, hour, entry_type, activity, milestone, notes in entries:
            complete = sum(1 for done_on in d.done.values() if done_on <= on)
            engaged = any(on - dt.timedelta(days=30) < t <= on for t in touches)
            author = d.csm_id if entry_type in ("csm_activity", "exec_touchpoint", "recovery_plan") else None
            yield (
                d.account_id,
                d.plan_id,
                on,
                _at(on, hour),
                entry_type,
                activity,
                milestone,
                "",
                "active",
                (on - d.start).days,
                d.ttv,
                complete,
                7,
                engaged,
                True,
                notes,
                author,
            )

    def _escalations(self, deals):
        """The MAP_REJECTED escalation map_reject fired (resolved by the SLM override)."""
        for d in deals:
            if d.signoff == "rejected":
                yield (
                    d.plan_id,
                    "map_rejected",
                    f"map_rejected:{d.map_id}",
                    d.signoff_at,
                    d.override_at,
                    {"reason": "Integration scope not agreed with the customer"},
                )

    def _holds(self, deals):
        for d in deals:
            if d.hold == "none":
                continue
            reason = (
                "Post-sales rejected the handoff"
                if d.signoff == "rejected"
                else f"MAP sign-off missing {self.cfg.map_signoff_window_days} days after close"
            )
            yield (
                HOLD,
                d.hold,
                d.account_id,
                d.opp_id,
                d.owner_id,
                reason,
                {"map_id": d.map_id},
                d.hold_opened,
                None,
                d.hold_released,
                None,
                "MAP sign-off recorded" if d.hold == "released" else "",
            )

    def _payouts(self, deals):
        """ACV commission (due at 30 days) and usage realization (90) per deal, as payouts_create_for_close."""
        from django.conf import settings

        plan = [
            ("acv_commission", settings.COMP_ACV_COMMISSION_RATE, settings.COMP_ACV_PAYOUT_DAYS),
            ("usage_realization", settings.COMP_USAGE_REALIZATION_RATE, settings.COMP_USAGE_PAYOUT_DAYS),
        ]
        for d in deals:
            clear = d.signoff == "accepted" or d.override_at is not None
            for kind, rate, days in plan:
                due = d.start + dt.timedelta(days=days)
                status, reason, held, released = "scheduled", "", None, None
                if d.payouts == "held":
                    status, reason, held = "held", HOLD, d.hold_opened
                elif d.payouts == "released":
                    held, released = d.hold_opened, d.hold_released
                if status == "scheduled" and clear and due < self.today:
                    status = "paid"
                amount = (d.acv * Decimal(str(rate))).quantize(Decimal("0.01"))
                yield (d.owner_id, d.opp_id, kind, amount, due, status, reason, held, released, _at(d.start, 18))

    def _update_book(self, deals) -> None:
        """Move each deal's close (and the account's contract) to the plan's start, and mark it onboarding."""
        from django.db import connection

        ids = [d.account_id for d in deals]
        starts = [d.start for d in deals]
        ttvs = [d.ttv for d in deals]
        achieved = [(d.done["M4"] - d.start).days if d.done.get("M4") and d.done.get("M6") else None for d in deals]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE crm_account a SET onboarding_status = 'active', onboarding_start_date = v.start,
                       contract_start_date = v.start, renewal_date = v.start + 365, ttv_target_days = v.ttv,
                       ttv_achieved_days = v.achieved
                FROM unnest(%s::bigint[], %s::date[], %s::int[], %s::int[]) AS v(id, start, ttv, achieved)
                WHERE a.id = v.id""",
                [ids, starts, ttvs, achieved],
            )
            cursor.execute(
                """
                UPDATE crm_opportunity o SET close_date = v.start, contract_start_date = v.start,
                       closed_at = v.start + time '15:00', stage_changed_at = v.start + time '15:00'
                FROM unnest(%s::bigint[], %s::date[]) AS v(id, start) WHERE o.id = v.id""",
                [[d.opp_id for d in deals], starts],
            )


MAP_COLS = [
    "id",
    "opportunity_id",
    "account_id",
    "selected_value_events",
    "technical_win_details",
    "selling_team_commitments",
    "customer_stakeholder_map",
    "implementation_sow_id",
    "ttv_target_days",
    "ttv_locked_at",
    "postsales_signoff_status",
    "signoff_by_id",
    "signoff_timestamp",
    "rejection_reason",
    "risk_notes",
    "slm_override",
    "slm_override_by_id",
    "slm_override_at",
    "slm_override_note",
    "targets_escalated_at",
    "targets_escalation_note",
    "comp_hold_active",
    "created_at",
    "updated_at",
]
PLAN_COLS = [
    "id",
    "account_id",
    "opportunity_id",
    "map_id",
    "status",
    "preboarded",
    "preboard_reason",
    "implementation_track",
    "kickoff_brief",
    "contract_start_date",
    "csm_id",
    "activated_at",
    "ttv_completed_on",
    "completed_at",
    "created_at",
]
MILESTONE_COLS = [
    "id",
    "plan_id",
    "code",
    "name",
    "owner_id",
    "owner_role",
    "day_offset",
    "target_date",
    "status",
    "evidence_required",
    "evidence",
    "scheduled_items",
    "completed_on",
    "completed_by_id",
    "detected_by",
    "flagged_at",
]
LOG_COLS = [
    "id",
    "account_id",
    "plan_id",
    "log_date",
    "logged_at",
    "entry_type",
    "activity_kind",
    "milestone_id",
    "escalation_type",
    "onboarding_status",
    "ttv_days_elapsed",
    "ttv_target_days",
    "milestones_complete",
    "milestones_total",
    "exec_sponsor_engaged",
    "in_onboarding",
    "notes",
    "author_id",
]
ESCALATION_COLS = ["id", "plan_id", "kind", "dedupe_key", "fired_at", "resolved_at", "details"]
EXCEPTION_COLS = [
    "id",
    "exception_type",
    "status",
    "account_id",
    "opportunity_id",
    "employee_id",
    "reason",
    "details",
    "opened_at",
    "opened_by_id",
    "released_at",
    "released_by_id",
    "release_reason",
]
PAYOUT_COLS = [
    "id",
    "employee_id",
    "opportunity_id",
    "kind",
    "amount",
    "due_date",
    "status",
    "hold_reason",
    "held_at",
    "released_at",
    "created_at",
]


def main() -> None:
    import django

    parser = argparse.ArgumentParser(prog="python -m bench.onboarding_data")
    parser.add_argument("--plans", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    django.setup()
    print(json.dumps(build(args.plans, args.seed)), flush=True)


if __name__ == "__main__":
    main()
