"""Reads for the white-glove pages. Every one starts from ``Deal.objects.visible_to(user)``; list pages read a
fixed number of queries whatever the size of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, Window
from django.db.models.fields.json import KT
from django.db.models.functions import RowNumber
from django.urls import reverse

from gtmos.audit.models import Event
from gtmos.core import clock
from gtmos.crm.access import employee_of

from ..models import Deal
from ..models.deal import MEDDPICC_CELLS, MEDDPICC_LABELS, WhiteGloveSettings
from ..models.session import SessionState as S

CSS = {"green": "good", "amber": "warn", "red": "bad"}
ROWS_PER_STEP = 50  # the pipeline shows each step's oldest deals first; the count says how many in all
SCORECARD_ROWS = 100
STEP_ORDER = [
    Deal.Stage.BATTLEPACK,
    Deal.Stage.OUTREACH,
    Deal.Stage.DISCOVERY,
    Deal.Stage.DEMO,
    Deal.Stage.SEAT,
    Deal.Stage.CLOSED_WON,
]
STEP_SLUG = {
    S.W5_BATTLEPACK: "w5",
    S.W6_OUTREACH: "w6",
    S.W7_DISCOVERY: "w7",
    S.W8_DEMO: "w8",
    S.W9_SEAT: "w9",
    S.W10_CLOSED_WON: "w10",
    S.LOST: "w10",
}
STEPS = [
    ("w5", "W5 · Battle pack", "AE reviews, SDR sends"),
    ("w6", "W6 · Outreach", "SDR"),
    ("w7", "W7 · Discovery", "AE"),
    ("w8", "W8 · Demo", "AE"),
    ("w9", "W9 · Seat", "AE"),
    ("w10", "W10 · Closed", "AE → CSM"),
]


def next_action(deal: Deal, role: str | None) -> tuple[str, str]:
    """(who, what) is next on a deal — the pipeline's "next action" column."""
    stage = deal.stage
    if stage == Deal.Stage.BATTLEPACK:
        if deal.ae_reviewed_at is None:
            return "ae", "Review the battle pack and the drafted outreach"
        return "sdr", "Send the reviewed outreach"
    if stage == Deal.Stage.OUTREACH:
        return "sdr", "Book the insight call"
    if stage == Deal.Stage.DISCOVERY:
        missing = [MEDDPICC_LABELS[c].lower() for c in ("champion", "economic_buyer") if not deal.meddpicc_confirmed(c)]
        if missing:
            return "ae", "Confirm the " + " and ".join(missing)
        return "ae", "Mark MEDDPICC qualified"
    if stage == Deal.Stage.DEMO:
        return "ae", "Deliver the demo on their pursuit"
    if stage == Deal.Stage.SEAT:
        return "ae", "Get the contract signed" if deal.contract_sent_at else "Send the contract"
    if stage == Deal.Stage.CLOSED_WON:
        return "csm", "Onboarding"
    return "", "—"


@dataclass
class PipelineRow:
    deal: Deal
    company: str
    slug: str
    who: str
    action: str
    mine_next: bool
    age_days: int
    stale: bool
    amber: int
    green: int
    url: str = ""


def _open_deals(*, user, role: str):
    """(The deals the pipeline lists, whether they are the user's own): an AE's as owner, an SDR's as SDR; a
    manager or RevOps every visible deal."""
    employee = employee_of(user)
    deals = Deal.objects.visible_to(user).exclude(stage=Deal.Stage.CLOSED_LOST)
    mine = employee is not None and employee.role == role
    if mine:
        deals = deals.filter(**{"ae_owner" if role == "ae" else "sdr": employee})
    return deals, mine


def _row(deal: Deal, role: str, *, now, stale_days: int, base: str, blank: str) -> PipelineRow:
    who, action = next_action(deal, role)
    age = max((now - deal.step_entered_at).days, 0)
    card = deal.meddpicc or {}
    slug = STEP_SLUG.get(deal.session.state, "w5")
    return PipelineRow(
        deal=deal,
        company=deal.company_name or "Unnamed prospect",
        slug=slug,
        who=who,
        action=action,
        mine_next=who == role,
        age_days=age,
        stale=age >= stale_days and deal.stage != Deal.Stage.CLOSED_WON,
        amber=sum(1 for c in MEDDPICC_CELLS if card.get(c, {}).get("status") == "amber"),
        green=sum(1 for c in MEDDPICC_CELLS if card.get(c, {}).get("status") == "green"),
        url=base.replace(blank, str(deal.pk)).replace("/w5/", f"/{slug}/"),
    )


def waiting_on(*, user, role: str) -> list[PipelineRow]:
    """The pipeline's rows whose next action is ``role``'s (all its rows for someone who is not an ``role``), in
    the pipeline's order: the home's "White-glove deals waiting on you" (issue 20: page speed). The pipeline
    caps each step at its ROWS_PER_STEP oldest deals with a window over the steps; when no step is that full
    (the step counts, one query, say so) the cap cannot bite, and one plain read of the few columns the row
    needs gives the same rows at a fraction of the pipeline's cost. A fuller step reads the pipeline itself."""
    deals, mine = _open_deals(user=user, role=role)
    counts = dict(deals.values_list("stage").annotate(n=Count("pk")).order_by())
    if any(n >= ROWS_PER_STEP for n in counts.values()):
        data = pipeline(user=user, role=role)
        return [row for _, step_rows, _ in data["groups"] for row in step_rows if row.mine_next or not data["mine"]]
    if not counts:
        return []
    deals = (
        deals.filter(stage__in=STEP_ORDER)
        .select_related("session")
        .annotate(company_name=KT("dossier__company__name"))
        .only("stage", "step_entered_at", "meddpicc", "ae_reviewed_at", "contract_sent_at", "session__state")
        .order_by("step_entered_at", "pk")
    )
    stale_days = WhiteGloveSettings.load().stale_step_days
    now, blank = clock.now(), "00000000-0000-0000-0000-000000000000"
    base = reverse("whiteglove:deal_step", args=[blank, "w5"])
    rows = [_row(deal, role, now=now, stale_days=stale_days, base=base, blank=blank) for deal in deals]
    order = {stage: i for i, stage in enumerate(STEP_ORDER)}
    rows.sort(key=lambda r: order[r.deal.stage])  # stable: oldest first within each step, as the pipeline
    return [row for row in rows if row.mine_next or not mine]


def pipeline(*, user, role: str) -> dict:
    """My white-glove deals by step (an AE's as owner, an SDR's as SDR); a manager or RevOps sees every deal
    visible to them. Three queries: the settings row, the employee chain (access), the deals."""
    deals, mine = _open_deals(user=user, role=role)
    counts = dict(deals.values_list("stage").annotate(n=Count("pk")).order_by())
    # Oldest first within each step, at most ROWS_PER_STEP rows per step (one query: a window over the steps),
    # so the page stays the same size however big the team's pipeline grows.
    deals = (
        deals.select_related("session", "ae_owner", "sdr", "opportunity")
        .annotate(
            company_name=KT("dossier__company__name"),
            place=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("step_entered_at").asc(), F("pk").asc()]),
        )
        .filter(place__lte=ROWS_PER_STEP)
        .defer("dossier", "takeoff", "drafted_outreach", "technical_win")
        .order_by("step_entered_at", "pk")
    )
    config = WhiteGloveSettings.load()
    now = clock.now()
    groups: dict[str, list[PipelineRow]] = {s: [] for s in STEP_ORDER}
    blank = "00000000-0000-0000-0000-000000000000"
    base = reverse("whiteglove:deal_step", args=[blank, "w5"])
    for deal in deals:
        groups.setdefault(deal.stage, []).append(
            _row(deal, role, now=now, stale_days=config.stale_step_days, base=base, blank=blank)
        )
    return {
        "groups": [(Deal.Stage(s).label, groups.get(s, []), counts.get(s, 0)) for s in STEP_ORDER],
        "mine": mine,
        "role": role,
        "total": sum(counts.get(s, 0) for s in STEP_ORDER),
        "stale_days": config.stale_step_days,
        "rows_per_step": ROWS_PER_STEP,
    }


def scorecard(*, user) -> dict:
    """The MEDDPICC scorecard across the open white-glove deals the user can see (one query)."""
    employee = employee_of(user)
    deals = Deal.objects.visible_to(user).filter(stage__in=STEP_ORDER[:-1])
    if employee is not None and employee.role == "ae":
        deals = deals.filter(ae_owner=employee)
    elif employee is not None and employee.role == "sdr":
        deals = deals.filter(sdr=employee)
    deals = (
        deals.select_related("session", "ae_owner", "opportunity")
        .annotate(company_name=KT("dossier__company__name"))
        .defer("dossier", "takeoff", "drafted_outreach", "technical_win")
        .order_by("step_entered_at", "pk")[:SCORECARD_ROWS]
    )
    rows = []
    # Pre-computed per row (URL, css class per cell) so the template does no per-cell logic: 200 rows × 8 cells.
    base = reverse("whiteglove:deal_meddpicc", args=["00000000-0000-0000-0000-000000000000"])
    for deal in deals:
        card = deal.meddpicc or {}
        cells = []
        for c in MEDDPICC_CELLS:
            status = card.get(c, {}).get("status", "red")
            cells.append((CSS.get(status, "bad"), status, card.get(c, {}).get("value", "")))
        rows.append(
            {
                "deal": deal,
                "company": deal.company_name or "Unnamed prospect",
                "url": base.replace("00000000-0000-0000-0000-000000000000", str(deal.pk)),
                "stage": deal.get_stage_display(),
                "health": deal.opportunity.deal_health_score if deal.opportunity else None,
                "cells": cells,
            }
        )
    return {"rows": rows, "labels": [MEDDPICC_LABELS[c] for c in MEDDPICC_CELLS], "cells": MEDDPICC_CELLS}


def deal_get(*, user, pk) -> Deal:
    return (
        Deal.objects.visible_to(user)
        .select_related("session__lead", "opportunity__account__csm", "ae_owner", "sdr", "pursuit", "pre_run_takeoff")
        .get(pk=pk)
    )


def deal_history(*, deal: Deal) -> list[Event]:
    """The Event log as the deal's history: the session's events (every W transition, the battle pack, the
    AE's review and edits) and the opportunity's (stage changes, close)."""
    q = Q(subject_type="onboarding.onboardingsession", subject_id=str(deal.session_id))
    if deal.opportunity_id:
        q |= Q(subject_type="crm.opportunity", subject_id=str(deal.opportunity_id))
    return list(Event.objects.filter(q).select_related("actor").order_by("-occurred_at", "-id")[:100])


def research_state(*, deal: Deal) -> dict:
    """W5: has the deep swarm found more since the pack was built, and are its async agents still running?
    (Their reports rebuild the pack by themselves when they change a cell — battlepack.research_arrived; this
    says what is still to come, or what arrived without changing a cell.)"""
    from enrichment.enums import ASYNC_AGENTS, JobStatus
    from enrichment.models import AgentJob, Pursuit

    session = deal.session
    q = Q(lead_id=session.lead_id)
    if session.org_id:
        q |= Q(org_id=session.org_id)
    found = Pursuit.objects.filter(q).count()
    running = (
        AgentJob.objects.filter(run__lead_id=session.lead_id, agent__in=ASYNC_AGENTS)
        .exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.ABANDONED, JobStatus.SKIPPED])
        .exists()
    )
    in_pack = len((deal.dossier or {}).get("pursuits", []))
    return {"new_pursuits": max(min(found, 10) - in_pack, 0), "agents_running": running}


def deal_plan(*, deal: Deal):
    from ..models import OnboardingPlan

    if deal.opportunity_id is None:
        return None
    return OnboardingPlan.objects.filter(opportunity_id=deal.opportunity_id).select_related("map", "csm").first()
