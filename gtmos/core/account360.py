"""The account 360 (issue 20): everything a CSM, AM or AE needs about one account on one page.

Health (score, tier, a dated trend, why it moved), the open risk case, the onboarding plan with its TTV bar and
milestone timeline, the MAP summary and its customer links, renewals, contacts with buying roles, and one
activity timeline across calls, rep activities, onboarding log entries (milestones), emails sent and
escalations. It lives in core because it reads every domain (crm, health, onboarding); each source is one
bounded query, so the page costs the same whatever the account's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gtmos.core import charts, clock

TIMELINE_KINDS = {
    "call": "Calls",
    "activity": "Activities",
    "milestone": "Milestones",
    "email": "Emails sent",
    "escalation": "Escalations",
}
OPPORTUNITY_TIMELINE_KINDS = {
    "call": "Calls",
    "activity": "Activities",
    "stage": "Stage changes",
    "milestone": "Onboarding",
    "email": "Emails sent",
    "escalation": "Escalations",
}
TIMELINE_LIMIT = 40
TREND_DAYS = 90


@dataclass
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    who: str = ""


def health_block(*, account) -> dict:
    from gtmos.health.models import OPEN_STAGES, ChurnRiskLog, CustomerHealthLog

    since = clock.today() - dt.timedelta(days=TREND_DAYS)
    history = list(
        CustomerHealthLog.objects.filter(account=account, day__gte=since)
        .order_by("day")
        .only("day", "score", "tier", "score_change", "drivers", "in_onboarding", "coverage_pct")
    )
    latest = history[-1] if history else None
    case = (
        ChurnRiskLog.objects.filter(account=account, stage__in=OPEN_STAGES)
        .select_related("playbook")
        .order_by("-opened_at")
        .first()
    )
    from gtmos.health.explain import describe
    from gtmos.health.measures import BY_CODE

    # Why it moved: the measures behind the latest day the score changed (as the health page explains it).
    last_move = next((h for h in reversed(history) if h.score_change), None)
    drivers = [
        {
            **d,
            "label": BY_CODE[d["measure"]].label if d.get("measure") in BY_CODE else "Onboarding",
            "detail": describe(d["measure"], d.get("raw")) if d.get("measure") in BY_CODE else "",
        }
        for d in ((last_move.drivers or [])[:3] if last_move else [])
    ]
    return {
        "latest": latest,
        "trend": charts.sparkline([(h.day, h.score) for h in history], label="score"),
        "drivers": drivers,
        "last_move": last_move,
        "case": case,
    }


def onboarding_block(*, account, user) -> dict:
    from django.db.models import Prefetch

    from gtmos.crm.access import employee_of
    from onboarding import gantt, selectors
    from onboarding.models import MilestoneItem, OnboardingPlan, OnboardingSettings, ProductValueEvent
    from onboarding.services.map_share import MAX_AGE_DAYS, SHARER_ROLES

    # The account itself passed visible_to(user) (crm.selectors.account_get), and plan visibility is "whoever
    # sees its account, plus …" (onboarding/access.py), so every plan of this account is visible: no second check.
    plan = (
        OnboardingPlan.objects.filter(account=account)
        .select_related("map__signoff_by", "csm", "opportunity")
        .prefetch_related(
            Prefetch("milestones", queryset=MilestoneItem.objects.select_related("owner").order_by("code"))
        )
        .order_by("-created_at")
        .first()
    )
    if plan is None:
        return {"plan": None}
    plan.account = account  # the projection reads the segment: no second account read
    # The plan page's selector (plan_detail) also reads the log, the SOW and the handoff; the 360 needs only the
    # projection, so it builds the view itself: one settings read, milestones with their owners in one query.
    view = selectors._view(plan, clock.today(), OnboardingSettings.load())
    value_event_ids = [e.get("value_event_id") for e in plan.map.selected_value_events or []]
    detail = {
        "escalations": plan.escalations.order_by("-fired_at")[:20],
        "value_events": ProductValueEvent.objects.filter(pk__in=value_event_ids).select_related("product")
        if value_event_ids
        else [],
    }
    today = clock.today()
    target = plan.map.ttv_target_days or 90
    timeline = (
        gantt.build(
            milestones=[
                {
                    "code": m.code,
                    "name": m.name,
                    "owner": m.owner.name if m.owner else m.owner_role.replace("_", " "),
                    "target": m.target_date,
                    "completed": m.completed_on,
                }
                for m in view.milestones
            ],
            start=plan.contract_start_date,
            today=today,
        )
        if plan.contract_start_date and view.milestones
        else None
    )
    employee = employee_of(user)
    return {
        "plan": plan,
        "view": view,
        "map": plan.map,
        "target": target,
        "elapsed_pct": min(round(100 * view.elapsed / target), 100) if target else 0,
        "gantt": timeline,
        "escalations": list(detail["escalations"]),
        "value_events": list(detail["value_events"]),
        "share_links": list(plan.map.share_links.filter(revoked_at__isnull=True).select_related("created_by")[:5]),
        "can_share": employee is not None and employee.role in SHARER_ROLES,
        "share_days": MAX_AGE_DAYS,
    }


def renewals_block(*, account) -> dict:
    from gtmos.crm.models import Opportunity

    today = clock.today()
    renewals = list(
        account.opportunities.filter(type=Opportunity.Type.RENEWAL).select_related("owner").order_by("-close_date")[:5]
    )
    return {
        "date": account.renewal_date,
        "days": (account.renewal_date - today).days if account.renewal_date else None,
        "opportunities": renewals,
    }


def timeline(*, account, kind: str = "", opportunity=None) -> list[TimelineItem]:
    """The unified activity timeline, newest first; ``kind`` narrows it to one source.

    With ``opportunity`` it is the deal's own timeline (the opportunity page): its calls, the account's rep
    activities by the deal's team, its stage changes, and the onboarding entries of the deal's plan. Each
    source is one bounded query (newest ``TIMELINE_LIMIT``), so the cost never grows with history."""
    from gtmos.crm.models import ConvIntelligenceCall, OpportunityStageChange, RepActivity
    from onboarding.models import Escalation, OnboardingLog, ScheduledMessage

    items: list[TimelineItem] = []
    kinds = OPPORTUNITY_TIMELINE_KINDS if opportunity is not None else TIMELINE_KINDS

    def want(k):
        return k in kinds and kind in ("", k)

    # Onboarding rows hang off the plan: the deal's plan on the opportunity page, any of the account's otherwise.
    on_plan = {"plan__opportunity": opportunity} if opportunity is not None else {"plan__account": account}
    n = TIMELINE_LIMIT
    if want("call"):
        calls = ConvIntelligenceCall.objects.filter(account=account)
        if opportunity is not None:
            calls = calls.filter(opportunity=opportunity)
        for c in calls.select_related("owner").order_by("-occurred_at")[:n]:
            detail = "; ".join(c.next_steps or [])[:200]
            if c.objections:
                detail = f"objections: {', '.join(c.objections)}" + (f" · next: {detail}" if detail else "")
            items.append(TimelineItem(c.occurred_at, "call", f"{c.get_call_type_display()} call", detail, c.owner.name))
    if want("activity"):
        activities = RepActivity.objects.filter(account=account)
        if opportunity is not None:
            # RepActivity has no deal link (seed 001): the deal's timeline takes the account's activities by the
            # deal's own people (owner, SE, SDR, AM, CSM). Not a date cut: an imported deal's created_at is the
            # import's time, not the deal's start.
            team = [opportunity.owner_id, opportunity.se_id, opportunity.sdr_id, opportunity.am_id, opportunity.csm_id]
            activities = activities.filter(rep_id__in=[pk for pk in team if pk])
        for a in activities.select_related("rep").order_by("-activity_date")[:n]:
            at = dt.datetime.combine(a.activity_date, dt.time(12), tzinfo=dt.UTC)
            items.append(TimelineItem(at, "activity", a.get_activity_type_display(), (a.notes or "")[:200], a.rep.name))
    if want("stage"):
        for c in OpportunityStageChange.objects.filter(opportunity=opportunity).order_by("-changed_at")[:n]:
            title = f"{c.get_from_stage_display() or 'New'} → {c.get_to_stage_display()}"
            items.append(TimelineItem(c.changed_at, "stage", title))
    if want("milestone"):
        log = OnboardingLog.objects.filter(account=account, **on_plan)
        for e in log.select_related("author").order_by("-logged_at")[:n]:
            title = f"{e.milestone_id} done" if e.entry_type == "milestone_complete" else e.get_entry_type_display()
            items.append(
                TimelineItem(e.logged_at, "milestone", title, (e.notes or "")[:200], e.author.name if e.author else "")
            )
    if want("email"):
        for m in ScheduledMessage.objects.filter(status="sent", **on_plan).order_by("-sent_at")[:n]:
            items.append(TimelineItem(m.sent_at, "email", f"Email sent: {m.subject}"))
    if want("escalation"):
        for e in Escalation.objects.filter(**on_plan).order_by("-fired_at")[:n]:
            state = f"resolved {e.resolved_at:%-d %b}" if e.resolved_at else "open"
            items.append(TimelineItem(e.fired_at, "escalation", e.get_kind_display(), state))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:n]


# Deal health bands for the opportunity page. AGT-401 sends a 0–100 score and its flags; the seeds name no bands,
# so the page uses the health app's own cut-offs (70 healthy, 40 watch) to keep one vocabulary across the cockpit.
DEAL_HEALTHY = 70
DEAL_WATCH = 40
# Buying roles a multi-threaded deal reaches (the MEDDICC pair plus the technical evaluator).
KEY_BUYING_ROLES = ("economic_buyer", "champion", "technical_buyer")


def deal_block(*, opportunity, stakeholders, calls) -> dict:
    """Deal health as a CRM user reads it: the score in words, the flags, days in stage and to close, how many
    of the key buying roles the deal reaches, and the last touch. From rows the page already holds."""
    today = clock.today()
    score = opportunity.deal_health_score
    if score is None:
        band, band_class = "not scored", ""
    elif score >= DEAL_HEALTHY:
        band, band_class = "healthy", "good"
    elif score >= DEAL_WATCH:
        band, band_class = "watch", "warn"
    else:
        band, band_class = "at risk", "bad"
    roles = {c.buying_role for c in stakeholders}
    return {
        "score": score,
        "band": band,
        "band_class": band_class,
        "flags": [str(f).replace("_", " ") for f in (opportunity.deal_risk_flags or [])],
        "days_in_stage": (today - opportunity.stage_changed_at.date()).days if opportunity.stage_changed_at else None,
        "days_to_close": (opportunity.close_date - today).days if opportunity.close_date else None,
        "roles_reached": [r for r in KEY_BUYING_ROLES if r in roles],
        "roles_missing": [r.replace("_", " ") for r in KEY_BUYING_ROLES if r not in roles],
        "exec_sponsor": any(c.is_executive_sponsor for c in stakeholders),
        "last_call": calls[0].occurred_at if calls else None,
    }
