"""Demo data for customer onboarding, built through the real services so the demo shows real states."""

from __future__ import annotations

import datetime as dt
import random

from gtmos.core import clock
from gtmos.crm.models import Employee, Opportunity, Product, Role, Stage

from .models import Escalation, MilestoneItem, MutualActionPlan, ProductValueEvent, TrainingSession
from .services import activity, map_signoff, milestones, preclose, training
from .services.escalations import escalation_scan
from .services.map_signoff import map_signoff_scan
from .services.milestones import usage_milestones_detect
from .services.postclose import onboarding_start_on_close

VALUE_EVENTS = [
    ("CORE-SEAT", "First report exported with live data", "auto_usage_feed", "first_report_exported"),
    ("API-UNITS", "First API call returning data", "auto_usage_feed", "api_call"),
    ("ANALYTICS", "First dashboard shared with the team", "both", "dashboard_shared"),
    ("CONNECT", "First workflow automation triggered", "csm_manual", ""),
]
SEGMENT_TTV = {"smb": 30, "mm": 60, "ent": 90}


def seed_value_events() -> list[ProductValueEvent]:
    events = []
    for sku, name, method, signal in VALUE_EVENTS:
        product = Product.objects.filter(sku=sku).first()
        if product is not None:
            events.append(
                ProductValueEvent.objects.get_or_create(
                    product=product,
                    event_name=name,
                    defaults={
                        "detection_method": method,
                        "detection_signal": signal,
                        "segment_ttv_default_days": SEGMENT_TTV,
                    },
                )[0]
            )
    return events


def seed_onboarding(rng: random.Random, *, limit: int = 30, preclose_limit: int = 12) -> dict[str, int]:
    """Recent customers enter onboarding at various points; a few open deals are pre-boarded."""
    events = seed_value_events()
    today = clock.today()
    post_sales = Employee.objects.filter(role=Role.POST_SALES).first()
    recent = list(
        Opportunity.objects.filter(
            stage=Stage.CLOSED_WON, type="new", contract_start_date__gte=today - dt.timedelta(days=100)
        )
        .select_related("account")
        .order_by("contract_start_date")[:limit]
    )
    schedule: list[tuple[dt.date, int]] = []  # (due, milestone id), walked week by week below
    chatter: dict[int, list[tuple[dt.date, str]]] = {}
    plans = []
    trainings: list = []  # (day held, session, attendee ids)
    for opp in recent:
        plan = onboarding_start_on_close(opportunity=opp)
        plans.append(plan)
        start = plan.contract_start_date
        ttv = plan.map.ttv_target_days
        if events:
            event = rng.choice(events)
            MutualActionPlan.objects.filter(pk=plan.map_id).update(
                selected_value_events=[
                    {"value_event_id": event.pk, "target_date": (start + dt.timedelta(days=ttv // 2)).isoformat()}
                ]
            )
        fate = rng.random()
        if post_sales and fate < 0.6:
            map_signoff.map_accept(map_=plan.map, by=post_sales, risk_notes="Standard risks reviewed.")
        elif post_sales and fate < 0.7:
            map_signoff.map_reject(map_=plan.map, by=post_sales, reason="Commitments exceed what we can deliver.")
        pace = rng.uniform(0.4, 1.3)  # how fast this customer moves relative to plan
        for item in MilestoneItem.objects.filter(plan=plan).exclude(code="M7").order_by("code"):
            schedule.append((start + dt.timedelta(days=int(item.day_offset / pace)), item.pk))
        if plan.csm and rng.random() < 0.35:
            first = start + dt.timedelta(days=rng.randint(3, 40))
            steps = [(first, "outreach"), (first + dt.timedelta(days=3), "outreach")]
            if rng.random() < 0.6:  # most customers answer in the end
                steps.append((first + dt.timedelta(days=rng.randint(5, 12)), "customer_reply"))
            chatter[plan.pk] = steps
        contacts = list(plan.account.contacts.order_by("pk").values_list("pk", flat=True)[:4])
        if plan.csm and contacts:
            # Seed 004's "Week 3-4: Training & Enablement": an admin session around day 10, held (attendance
            # recorded in the walk below) once its day has passed.
            at = dt.datetime.combine(start + dt.timedelta(days=10), dt.time(10, 0), tzinfo=dt.UTC)
            session = training.training_schedule(
                plan=plan,
                by=plan.csm,
                title="Admin training: setup and permissions",
                audience="admin",
                scheduled_for=at,
                invitee_ids=contacts,
            )
            came = [c for c in contacts if rng.random() < 0.75] or contacts[:1]
            trainings.append((at.date(), session, came))
    # Walk the plans through time a week at a step, so escalations fire, clear and resolve as they would
    # have: resolution times in the report come from the real services, not from made-up timestamps.
    by_pk = {p.pk: p for p in plans}
    first_day = min((p.contract_start_date for p in plans), default=today)
    steps = [first_day + dt.timedelta(days=d) for d in range(0, (today - first_day).days, 7)] + [today]
    pending = sorted(schedule)
    for day in steps:
        with clock.frozen(day):
            while pending and pending[0][0] <= day:
                due, item_id = pending.pop(0)
                item = MilestoneItem.objects.get(pk=item_id)
                milestones.milestone_complete(
                    item=item, on=due, evidence="Attendance log: training roster" if item.evidence_required else ""
                )
            for plan_id, entries in chatter.items():
                for on, kind in [e for e in entries if e[0] <= day]:
                    activity.activity_log(plan=by_pk[plan_id], kind=kind, by=by_pk[plan_id].csm, on=on)
                    entries.remove((on, kind))
            for held, session, came in [t for t in trainings if t[0] <= day]:
                training.training_record(
                    session=session, by=by_pk[session.plan_id].csm, attendee_ids=came, on=held, notes="Demo session"
                )
                trainings.remove((held, session, came))
            escalation_scan(today=day)
    open_deals = Opportunity.objects.filter(
        stage__in=[Stage.PROPOSAL, Stage.NEGOTIATION], deal_health_score__gte=70, onboarding_plan__isnull=True
    ).select_related("account")[: preclose_limit * 3]
    preboarded = 0
    for opp in open_deals:
        if preboarded >= preclose_limit:
            break
        preboarded += preclose.preclose_evaluate(opportunity=opp) is not None
    # The daily job's steps for the demo accounts (its pre-close backstop only looks at recent changes).
    usage_milestones_detect(today=today)
    map_signoff_scan(today=today)
    escalation_scan(today=today)
    return {
        "onboarding plans": len(recent),
        "pre-boarded deals": preboarded,
        "escalations fired": Escalation.objects.count(),
        "training sessions": TrainingSession.objects.count(),
    }
