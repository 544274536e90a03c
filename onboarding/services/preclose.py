"""Pre-close trigger: eligibility gate, auto-fire, manual start, and the internal-only outputs
(draft plan, kickoff brief, resource flag, post-sales risk alert). No customer contact here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from gtmos.audit.services import event_record, exception_open
from gtmos.core import clock
from gtmos.crm.models import (
    ConvIntelligenceCall,
    DiscoveryBriefLog,
    Employee,
    Opportunity,
    OpportunityBriefLog,
    QuoteLine,
    Role,
    Stage,
)

from .. import rules
from ..models import MutualActionPlan, OnboardingLog, OnboardingMilestoneConfig, OnboardingPlan, OnboardingSettings
from ..models.config import Milestone
from .alerts import notify, users_of
from .log import log_write

MANUAL_START_ROLES = (Role.AM, Role.CSM, Role.REVOPS)


def deal_facts(*, opportunity: Opportunity, config: OnboardingSettings) -> rules.DealFacts:
    lines = QuoteLine.objects.filter(quote__opportunity=opportunity).values_list(
        "product__is_implementation_service", "product__is_api_consumption"
    )
    has_services = any(service for service, _ in lines)
    has_api = any(api for _, api in lines)
    return rules.DealFacts(
        segment=opportunity.account.segment,
        acv=opportunity.acv,
        sam_value=opportunity.sam_value,
        stage_rank=Stage.rank(opportunity.stage),
        health=opportunity.deal_health_score,
        has_services_line=has_services,
        has_api_sku=has_api,
        complex_integration=_mentions_complexity(opportunity, config.complexity_keywords or []),
    )


def _mentions_complexity(opportunity: Opportunity, keywords: list[str]) -> bool:
    if not keywords:
        return False
    text = " ".join(
        DiscoveryBriefLog.objects.filter(opportunity=opportunity).values_list("technical_requirements", flat=True)
    ).lower()
    objections = ConvIntelligenceCall.objects.filter(opportunity=opportunity).values_list("objections", flat=True)
    text += " " + " ".join(" ".join(items) for items in objections).lower()
    return any(word.lower() in text for word in keywords)


def onboarding_applies(*, opportunity: Opportunity, config: OnboardingSettings) -> bool:
    """New business onboards; a renewal or expansion only for a SKU RevOps marked for product onboarding."""
    if opportunity.type == Opportunity.Type.NEW:
        return True
    skus = set(QuoteLine.objects.filter(quote__opportunity=opportunity).values_list("product__sku", flat=True))
    return rules.onboarding_applies(
        deal_type=opportunity.type, skus=skus, product_onboarding_skus=set(config.product_onboarding_skus or [])
    )


def preclose_evaluate(*, opportunity: Opportunity) -> OnboardingPlan | None:
    """Auto-fire: eligible (any one gate) AND deal health ≥ threshold AND stage ≥ Proposal. Once per deal."""
    if opportunity.is_closed or OnboardingPlan.objects.filter(opportunity=opportunity).exists():
        return None
    config = OnboardingSettings.load()
    if not onboarding_applies(opportunity=opportunity, config=config):
        return None
    facts = deal_facts(opportunity=opportunity, config=config)
    reasons = rules.eligibility_reasons(
        facts, acv_threshold=config.eligibility_acv_threshold, sam_threshold=config.eligibility_sam_threshold
    )
    fires = rules.auto_fires(
        facts, min_stage_rank=Stage.rank(config.preclose_min_stage), health_threshold=config.preclose_health_threshold
    )
    if not (reasons and fires):
        return None
    return plan_draft_create(opportunity=opportunity, reason="Auto: " + "; ".join(reasons), preboarded=True)


def preboarding_start(*, opportunity: Opportunity, by: Employee) -> OnboardingPlan:
    """An AM or CSM starts pre-boarding by hand, regardless of the eligibility gate."""
    if by.role not in MANUAL_START_ROLES:
        raise PermissionError("only an AM or a CSM can start pre-boarding")
    if opportunity.is_closed:
        raise ValueError("stage: pre-boarding is for open deals; closed-won deals onboard at close")
    if not onboarding_applies(opportunity=opportunity, config=OnboardingSettings.load()):
        raise ValueError(
            "type: renewals and expansions do not onboard again (unless RevOps marks a SKU on the "
            "quote for product onboarding)"
        )
    return plan_draft_create(
        opportunity=opportunity, reason=f"Manual: started by {by.name}", preboarded=True, actor=by.user
    )


@transaction.atomic
def plan_draft_create(*, opportunity: Opportunity, reason: str, preboarded: bool, actor=None) -> OnboardingPlan:
    """The MAP (if the selling team has none yet) and a draft plan with its milestone schedule."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("account").get(pk=opportunity.pk)
    existing = OnboardingPlan.objects.filter(opportunity=opportunity).first()
    if existing is not None:
        return existing
    config = OnboardingSettings.load()
    account = opportunity.account
    map_ = MutualActionPlan.objects.filter(opportunity=opportunity).first() or map_create(opportunity=opportunity)
    provisional_start = opportunity.close_date or clock.today()
    ttv = map_.ttv_target_days or config.ttv_default(account.segment)
    if map_.ttv_target_days is None:
        MutualActionPlan.objects.filter(pk=map_.pk).update(ttv_target_days=ttv)
        map_.refresh_from_db()
    sow = map_.implementation_sow or account.sows.filter(opportunity=opportunity).first()
    plan = OnboardingPlan.objects.create(
        account=account,
        opportunity=opportunity,
        map=map_,
        preboarded=preboarded,
        preboard_reason=reason,
        product_onboarding=opportunity.type != Opportunity.Type.NEW,
        implementation_track=sow is not None,
        csm=opportunity.csm or account.csm,
        kickoff_brief=kickoff_brief(opportunity=opportunity),
    )
    milestones_build(plan=plan, start=provisional_start, ttv_target=ttv)
    if account.onboarding_status == "not_started" and not plan.product_onboarding:
        type(account).objects.filter(pk=account.pk).update(onboarding_status="pre_close")
    event_record(
        type="onboarding.plan_drafted",
        subject=plan,
        account_id=account.pk,
        actor=actor,
        payload={"opportunity_id": opportunity.pk, "preboarded": preboarded, "reason": reason},
        idempotency_key=f"onboarding.plan_drafted:{opportunity.pk}",
    )
    if preboarded:
        _resource_flag(plan=plan, config=config)
        _postsales_risk_alert(plan=plan)
    return plan


def map_create(*, opportunity: Opportunity) -> MutualActionPlan:
    """The selling team's MAP, pre-filled from the deal: commitments from call next steps, technical win
    details from calls, brief logs and quotes, stakeholders from contacts."""
    calls = list(
        ConvIntelligenceCall.objects.filter(opportunity=opportunity).select_related("owner").order_by("occurred_at")
    )
    commitments = [f"- {step} ({c.occurred_at:%Y-%m-%d}, {c.owner.name})" for c in calls for step in c.next_steps]
    demoed = sorted({item for c in calls for item in c.demoed})
    objections = sorted({item for c in calls for item in c.objections})
    details = []
    if demoed:
        details.append("Demoed / validated: " + ", ".join(demoed))
    if objections:
        details.append("Unresolved objections: " + ", ".join(objections))
    details += [
        f"Quote configuration: {q}"
        for q in opportunity.quotes.exclude(configuration_notes="").values_list("configuration_notes", flat=True)[:3]
    ]
    stakeholders = [{"contact_id": c.pk, "role": _stakeholder_role(c)} for c in opportunity.account.contacts.all()[:20]]
    map_ = MutualActionPlan.objects.create(
        opportunity=opportunity,
        account=opportunity.account,
        technical_win_details="\n".join(details),
        selling_team_commitments="\n".join(commitments),
        customer_stakeholder_map=stakeholders,
        implementation_sow=opportunity.sows.first(),
    )
    event_record(
        type="onboarding.map_created",
        subject=map_,
        account_id=opportunity.account_id,
        payload={"opportunity_id": opportunity.pk},
        idempotency_key=f"onboarding.map_created:{opportunity.pk}",
    )
    return map_


def _stakeholder_role(contact) -> str:
    if contact.is_executive_sponsor:
        return "executive_sponsor"
    return {"technical_buyer": "technical_setup", "champion": "training", "end_user": "training"}.get(
        contact.buying_role, "stakeholder"
    )


def milestone_configs(*, plan: OnboardingPlan) -> dict[str, OnboardingMilestoneConfig]:
    """The plan's milestone set: the segment default, overridden by rows for SKUs on the deal's quotes."""
    skus = QuoteLine.objects.filter(quote__opportunity_id=plan.opportunity_id).values("product_id")
    configs: dict[str, OnboardingMilestoneConfig] = {}
    for cfg in OnboardingMilestoneConfig.objects.filter(segment=plan.account.segment).filter(
        Q(product__isnull=True) | Q(product_id__in=skus)
    ):
        if cfg.product_id is not None:
            configs[cfg.code] = cfg  # a product-specific row overrides the segment default
        else:
            configs.setdefault(cfg.code, cfg)
    return configs


def baseline_offset(configs: dict[str, OnboardingMilestoneConfig], code: str) -> int:
    cfg = configs.get(code)
    return cfg.day_offset if cfg else DEFAULT_OFFSETS[code]


def milestones_build(*, plan: OnboardingPlan, start: dt.date, ttv_target: int) -> None:
    """M1–M7 from OnboardingMilestoneConfig (segment default, overridden per product), scaled to the TTV."""
    configs = milestone_configs(plan=plan)
    from .milestones import owner_for

    items = []
    for code in Milestone.values:
        cfg = configs.get(code)
        if cfg is not None and not cfg.included:
            continue
        offset = rules.scaled_offset(baseline_offset(configs, code), ttv_target)
        role = cfg.owner_role if cfg else "csm"
        if code == "M1" and plan.implementation_track:
            role = Role.IMPLEMENTATION_ENGINEER
        items.append(
            plan.milestones.model(
                plan=plan,
                code=code,
                name=(cfg.name if cfg and cfg.name else Milestone(code).label),
                owner_role=role,
                owner=owner_for(plan=plan, role=role),
                day_offset=offset,
                target_date=start + dt.timedelta(days=offset),
                evidence_required=cfg.evidence_required if cfg else code == "M3",
                scheduled_items=cfg.scheduled_items if cfg else [],
            )
        )
    plan.milestones.model.objects.bulk_create(items)


DEFAULT_OFFSETS = {"M1": 7, "M2": 14, "M3": 21, "M4": 30, "M5": 45, "M6": 60, "M7": 90}


def kickoff_brief(*, opportunity: Opportunity) -> dict:
    """AM + CSM prep: the institutional memory transfer from the selling team to post-sales."""
    account = opportunity.account
    calls = list(
        ConvIntelligenceCall.objects.filter(
            Q(opportunity=opportunity) | Q(account=account, occurred_at__gte=clock.now() - dt.timedelta(days=180))
        ).order_by("-occurred_at")[:30]
    )
    objections = [{"source": f"call {c.occurred_at:%Y-%m-%d}", "text": o} for c in calls for o in c.objections]
    objections += [
        {"source": f"discovery brief {d.logged_at:%Y-%m-%d}", "text": t}
        for d in DiscoveryBriefLog.objects.filter(opportunity=opportunity)
        for t in d.technical_objections
    ]
    risks = [
        {"source": f"deal brief {b.logged_at:%Y-%m-%d}", "text": r}
        for b in OpportunityBriefLog.objects.filter(opportunity=opportunity)
        for r in b.risks
    ]
    quotes = list(opportunity.quotes.prefetch_related("lines__product"))
    return {
        "generated_at": clock.now().isoformat(),
        "account": {
            "name": account.name,
            "segment": account.get_segment_display(),
            "vertical": account.vertical,
            "arr": str(account.arr),
            "contracted_seats": account.contracted_seats,
            "acv": str(opportunity.acv),
        },
        "stakeholders": [
            {
                "name": c.name,
                "title": c.title,
                "buying_role": c.get_buying_role_display(),
                "executive_sponsor": c.is_executive_sponsor,
                "last_engaged": c.last_engaged_at.date().isoformat() if c.last_engaged_at else None,
            }
            for c in account.contacts.order_by("-is_executive_sponsor", "name")[:25]
        ],
        "deal_health": {"score": opportunity.deal_health_score, "risk_flags": list(opportunity.deal_risk_flags)},
        "technical_objections": objections[:40],
        "deal_risks": risks[:20],
        "competitors": sorted({m for c in calls for m in c.competitor_mentions}),
        "demoed": sorted({d for c in calls for d in c.demoed}),
        "promised": [step for c in calls if c.opportunity_id == opportunity.pk for step in c.next_steps],
        "quote": [
            {
                "status": q.get_status_display(),
                "configuration": q.configuration_notes,
                "lines": [f"{ln.product.name} × {ln.quantity}" for ln in q.lines.all()],
            }
            for q in quotes
        ],
    }


def _resource_flag(*, plan: OnboardingPlan, config: OnboardingSettings) -> None:
    signals = rules.needs_services_flag(deal_facts(opportunity=plan.opportunity, config=config))
    if not signals:
        return
    opportunity = plan.opportunity
    am = opportunity.am or plan.account.am or opportunity.owner
    _, opened = exception_open(
        exception_type="resource_flag",
        opportunity=opportunity,
        employee=am,
        reason="Services needed but no implementation services line on the quote: " + "; ".join(signals),
        details={"signals": signals},
    )
    if opened:
        # Seed 000: every escalation flag writes a record to OnboardingLog, the resource flag included.
        log_write(
            plan=plan,
            entry_type=OnboardingLog.EntryType.ESCALATION,
            escalation_type=OnboardingLog.EscalationType.OTHER,
            notes="Resource flag: services needed but no implementation services line on the quote — "
            + "; ".join(signals),
        )
        notify(
            recipients=users_of(am),
            rule="onboarding.resource_flag",
            title=f"Add implementation services to the quote: {opportunity.name}",
            body=f"{'; '.join(signals)} — but the quote has no implementation services line. "
            "Please add services to the quote before close.",
            link=reverse("onboarding:preclose_detail", args=[opportunity.pk]),
            key=f"resource_flag:{opportunity.pk}",
        )


def postsales_risk_lines(plan: OnboardingPlan) -> list[str]:
    brief = plan.kickoff_brief
    lines = [f"Objection: {o['text']} ({o['source']})" for o in brief.get("technical_objections", [])[:8]]
    lines += [f"Deal risk: {r}" for r in brief.get("deal_health", {}).get("risk_flags", [])]
    lines += [f"Deal brief risk: {r['text']}" for r in brief.get("deal_risks", [])[:8]]
    lines += [f"Commitment: {p}" for p in brief.get("promised", [])[:8]]
    return lines


def post_sales_team() -> list:
    return users_of(
        *Employee.objects.filter(role=Role.POST_SALES, is_active=True, user__isnull=False).select_related("user")
    )


def _postsales_risk_alert(*, plan: OnboardingPlan) -> None:
    lines = postsales_risk_lines(plan)
    notify(
        recipients=post_sales_team(),
        rule="onboarding.postsales_risk_alert",
        title=f"Incoming deal to review: {plan.opportunity.name}",
        body="\n".join(lines) or "No recorded objections, risks or commitments.",
        link=reverse("onboarding:review_detail", args=[plan.map_id]),
        key=f"postsales_alert:{plan.pk}",
    )


def signoff_due_notify(*, plan: OnboardingPlan, closed_on: dt.date, window_days: int) -> None:
    """At close, post-sales learns the sign-off deadline — so the comp hold never lands unannounced. A deal
    that was not pre-boarded also carries its risks and commitments here (it had no pre-close alert)."""
    due = closed_on + dt.timedelta(days=window_days)
    body = (
        f"MAP sign-off is due by {due.isoformat()} ({window_days} days after close). Without it the rep's ACV "
        "commission and usage realization payouts go on hold."
    )
    if not plan.preboarded:
        body += "\n" + ("\n".join(postsales_risk_lines(plan)) or "No recorded objections, risks or commitments.")
    notify(
        recipients=post_sales_team(),
        rule="onboarding.signoff_due",
        title=f"Sign off the MAP by {due:%Y-%m-%d}: {plan.opportunity.name}",
        body=body,
        link=reverse("onboarding:review_detail", args=[plan.map_id]),
        key=f"signoff_due:{plan.pk}",
    )


BACKSTOP_LOOKBACK = dt.timedelta(days=2)


def preclose_scan(*, now: dt.datetime | None = None) -> int:
    """Backstop for the signal path: deals changed in the last two days that meet the stage and health bar
    and pass the eligibility gate (all in SQL), without a plan yet. The rest of the book was evaluated when
    it changed, so the scan does not re-read it every day."""
    from django.db.models import Exists, OuterRef

    config = OnboardingSettings.load()
    since = (now or clock.now()) - BACKSTOP_LOOKBACK
    services = QuoteLine.objects.filter(quote__opportunity=OuterRef("pk"), product__is_implementation_service=True)
    candidates = (
        Opportunity.objects.filter(
            stage__in=[s for s in Stage.at_or_after(config.preclose_min_stage) if s != Stage.CLOSED_WON],
            deal_health_score__gte=config.preclose_health_threshold,
            updated_at__gte=since,
            onboarding_plan__isnull=True,
        )
        .filter(
            Q(account__segment="ent")
            | Q(acv__gte=config.eligibility_acv_threshold)
            | Q(sam_value__gte=config.eligibility_sam_threshold)
            | Exists(services)
        )
        .select_related("account")
    )
    return sum(1 for opportunity in candidates if preclose_evaluate(opportunity=opportunity))
