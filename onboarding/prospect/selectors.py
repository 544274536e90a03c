"""Reads for the prospect pages, the sales queue and RevOps' funnel. Each page's reads are a fixed number of
queries whatever the data size (boards are capped; the funnel aggregates two queries in Python)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

from enrichment.enums import SYNC_AGENTS, AgentId, JobStatus, PursuitStatus
from enrichment.models import AgentJob, NetworkLink, Profile, Pursuit
from gtmos.audit.models import Event
from gtmos.core import clock
from routing.enums import ProfileField as F

from ..models import OnboardingSession, Takeoff, TeamInvite
from ..models.session import SessionState as S

BOARD_LIMIT = 60
NETWORK_LIMIT = 30


# --- enriching screen ----------------------------------------------------------------------------------------

AGENT_WORDS = {
    AgentId.DOMAIN_SITE: "Reading your company's website",
    AgentId.CLASSIFIER: "Working out what kind of work you do",
    AgentId.SIZE_ESTIMATOR: "Sizing the business",
    AgentId.ROLE_RESOLVER: "Finding your role",
    AgentId.PROJECT_FINDER: "Finding projects you could bid",
    AgentId.NETWORK_SEEDER: "Lining up the GCs and subs you work with",
}
DONE = {
    JobStatus.SUCCEEDED: "done",
    JobStatus.ABANDONED: "skipped",
    JobStatus.SKIPPED: "skipped",
    JobStatus.RETRY_WAIT: "retrying",
    JobStatus.RUNNING: "working",
    JobStatus.PENDING: "waiting",
}


def agent_progress(session: OnboardingSession) -> list[dict]:
    """Each agent's progress on the lead's run, sync agents first (one query)."""
    jobs = {
        j["agent"]: j for j in AgentJob.objects.filter(run__lead_id=session.lead_id).values("agent", "status", "sync")
    }
    rows = []
    for agent in (*SYNC_AGENTS, AgentId.PROJECT_FINDER, AgentId.NETWORK_SEEDER):
        job = jobs.get(agent)
        status = DONE.get(job["status"], "waiting") if job else "off"
        rows.append({"agent": agent, "words": AGENT_WORDS[agent], "status": status, "sync": agent in SYNC_AGENTS})
    return rows


# --- confirm -------------------------------------------------------------------------------------------------

CHIP_FIELDS = (
    F.COMPANY,
    F.WEBSITE,
    F.HQ,
    F.ORG_TYPE,
    F.SIZE_BAND,
    F.ROLE,
    F.PERSONA,
    F.TRADE,
    F.SERVICE_AREA,
    F.SECTORS,
)


def _chip_text(name: str, value) -> str:
    from . import forms

    labels = {
        F.ORG_TYPE: dict(forms.ORG_TYPES),
        F.SIZE_BAND: dict(forms.SIZE_BANDS),
        F.PERSONA: dict(forms.PERSONAS),
        F.SECTORS: dict(forms.MARKET_SECTORS),
    }.get(name, {})
    if name == F.TRADE:
        from routing.models import TradeConfig

        labels = (
            dict(TradeConfig.objects.filter(trade=value).values_list("trade", "label"))
            if isinstance(value, str)
            else {}
        )
    if isinstance(value, (list, tuple)):
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(labels.get(value, value))


def confirm_shown(decision) -> dict:
    """What the confirm screen asserts, field → value: the Profile's fields held at ≥ θ (the router's
    ``asserted``, never the low ones) and the size band G3 read (from the revenue when that decided it)."""
    shown = {}
    for name in CHIP_FIELDS:
        value = decision.size_band if name == F.SIZE_BAND else decision.asserted.get(name)
        if name == F.SIZE_BAND and not ({F.SIZE_BAND, F.REVENUE, F.ACV} & set(decision.asserted)):
            value = None  # G3 fell back to a default: nothing was asserted about the size
        if value in (None, "", [], ()):
            continue
        shown[name] = value
    return shown


def confirm_chips(decision, profile: Profile | None) -> list[dict]:
    """The chips of the confirm screen, in order, each with a label and its value as the prospect reads it; one
    role chip (the title, or the persona when no title is known)."""
    shown = confirm_shown(decision)
    return [
        {
            "field": name,
            "label": "Role" if name == F.PERSONA else F(name).label,
            "value": _chip_text(name, value),
            "raw": value,
        }
        for name, value in shown.items()
        if not (name == F.PERSONA and F.ROLE in shown)
    ]


# --- workspace -----------------------------------------------------------------------------------------------


@dataclass
class Workspace:
    columns: list[tuple[str, str, list]] = field(default_factory=list)
    network: list = field(default_factory=list)
    filling: bool = False
    retrying: bool = False
    pursuit_count: int = 0


def workspace(session: OnboardingSession) -> Workspace:
    """The pursuits board (found / scoped / watching) and the network, and whether agents are still filling them
    in — working now (``filling``) or waiting on the retry ladder (``retrying``) (three queries)."""
    owner = {"org_id": session.org_id} if session.org_id else {"lead_id": session.lead_id}
    pursuits = list(Pursuit.objects.filter(**owner).order_by("-match_score", "bid_date", "name")[:BOARD_LIMIT])
    network = list(NetworkLink.objects.filter(lead_id=session.lead_id)[:NETWORK_LIMIT])
    # Any agent still at work (an async agent, or a sync one that outlived its budget) can change the board,
    # the network or the Profile; one waiting on the retry ladder still may, but minutes or hours from now.
    open_jobs = set(
        AgentJob.objects.filter(
            run__lead_id=session.lead_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING, JobStatus.RETRY_WAIT]
        ).values_list("status", flat=True)
    )
    pending = bool(open_jobs & {JobStatus.PENDING, JobStatus.RUNNING})
    by_status = defaultdict(list)
    for p in pursuits:
        by_status[p.status].append(p)
    columns = [
        (PursuitStatus.FOUND, "Found", by_status[PursuitStatus.FOUND]),
        (PursuitStatus.SCOPED, "Scoped", by_status[PursuitStatus.SCOPED]),
        (PursuitStatus.WATCHING, "Watching", by_status[PursuitStatus.WATCHING]),
    ]
    return Workspace(
        columns=columns,
        network=network,
        filling=pending,
        retrying=JobStatus.RETRY_WAIT in open_jobs,
        pursuit_count=len(pursuits),
    )


@dataclass
class InboxConsent:
    granted: bool
    granted_at: datetime | None
    version: str
    from_invites: int  # network entries read from bid invites (0 whenever consent is withdrawn)
    reading: bool  # the network_seeder is reading them right now
    history: list = field(default_factory=list)  # the audit rows: (at, action, text version)


def inbox_consent(session: OnboardingSession) -> InboxConsent:
    """The prospect's inbox opt-in as it stands, and its audit trail (three queries)."""
    lead = session.lead
    history = list(
        Event.objects.filter(type="lead.consent_changed", subject_type="enrichment.lead", subject_id=str(lead.pk))
        .order_by("-occurred_at")
        .values_list("occurred_at", "payload")[:20]
    )
    return InboxConsent(
        granted=lead.consent_inbox,
        granted_at=lead.consent_inbox_at,
        version=lead.consent_inbox_version,
        from_invites=NetworkLink.objects.filter(lead_id=lead.pk, source="bid_invite").count(),
        reading=lead.consent_inbox
        and AgentJob.objects.filter(
            run__lead_id=lead.pk, agent=AgentId.NETWORK_SEEDER, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
        ).exists(),
        history=[(at, p.get("action", ""), p.get("text_version", "")) for at, p in history],
    )


def session_takeoff(session: OnboardingSession) -> Takeoff | None:
    """The prospect's own takeoff (S7), never the white-glove pre-run one Sarah ran for the AE."""
    return Takeoff.objects.filter(session=session, pre_run=False).first()


def session_invites(session: OnboardingSession) -> list[TeamInvite]:
    """The session's invites, each with ``send`` — its invite email's row (status, next attempt, last error) or
    None — so the inviter sees "send failed, retrying at …" (two queries)."""
    from ..models import OutboundEmail

    invites = list(TeamInvite.objects.filter(session=session).order_by("created_at")[:100])
    emails = {}
    for email in OutboundEmail.objects.filter(invite__in=invites, kind="invite").order_by("created_at"):
        emails[email.invite_id] = email  # the latest per invite
    for invite in invites:
        invite.send = emails.get(invite.pk)
    return invites


# --- sales: re-engage queue and hand-offs ---------------------------------------------------------------------


def reengage_rows(limit: int = 200):
    """ABANDONED sessions, most recently active first, with the lead and its profile (one query)."""
    return (
        OnboardingSession.objects.filter(state=S.ABANDONED)
        .select_related("lead", "lead__profile")
        .order_by("-last_event_at")[:limit]
    )


def handed_off_rows(limit: int = 200):
    """Self-serve accounts handed to white-glove (expansion), newest first, with the reason (one query)."""
    return (
        OnboardingSession.objects.filter(handed_off_at__isnull=False)
        .select_related("lead", "lead__profile")
        .order_by("-handed_off_at")[:limit]
    )


# --- the auditable why: a session's routing decisions with their G0–G7 trace ---------------------------------

GATE_NAMES = {
    "G0": "Entry / warmth",
    "G1": "Identity",
    "G2": "Org type",
    "G3": "Track (size, ACV)",
    "G4": "Persona → surface",
    "G5": "Trade",
    "G6": "Next question",
    "G7": "Close motion",
}


def session_search(*, query: str = "", limit: int = 100):
    """Recent sessions for the routing pages, newest first; ``query`` matches the email (one query)."""
    rows = OnboardingSession.objects.select_related("lead", "lead__profile", "route").defer(
        "route__decision", "route__gate_trace"
    )
    if query.strip():
        rows = rows.filter(lead__email__icontains=query.strip())
    return rows.order_by("-created_at")[:limit]


def session_route_history(session: OnboardingSession) -> list[dict]:
    """Every decision the router made for the session, newest first, each gate with its outcome and why."""
    from ..models import RouteDecision

    decisions = []
    for row in RouteDecision.objects.filter(session=session).order_by("-decided_at", "-pk"):
        gates = [
            {
                "gate": g.get("gate"),
                "name": GATE_NAMES.get(g.get("gate"), ""),
                "outcome": g.get("outcome"),
                "why": g.get("why"),
                "corrected": "corrected by the prospect" in (g.get("why") or ""),
            }
            for g in row.gate_trace or []
        ]
        decisions.append({"row": row, "gates": gates, "recomputed": row.decision.get("recomputed", False)})
    return decisions


# --- RevOps funnel ---------------------------------------------------------------------------------------------

# (key, label, event types that mark the step reached). Warm arrivals skip the email: lead.identified
# counts for both the arrival and the email step.
FUNNEL_STEPS = (
    ("arrived", "Arrived", ("lead.captured", "lead.identified")),
    ("identified", "Email given / identified", ("email.submitted", "lead.identified")),
    ("confirmed", "Confirmed", ("onboarding.confirmed", "onboarding.role_captured", "onboarding.fallback_completed")),
    ("routed", "Routed", ("route.decided", "onboarding.fallback_completed")),
    ("value", "Saw the board", ("value.revealed",)),
    ("question", "Answered the next question", ("next_question.asked",)),
    ("takeoff", "Takeoff done", ("takeoff.completed",)),
    ("activated", "Activated", ("account.activated",)),
    ("card", "Card captured", ("card.captured",)),
)
DIMENSIONS = {"source": "Source", "warmth": "Warmth", "track": "Track"}
_TYPES = sorted({t for _, _, types in FUNNEL_STEPS for t in types})


@dataclass
class FunnelRow:
    key: str
    label: str
    reached: int
    conversion: float  # of arrivals
    step_conversion: float  # of the previous step
    median_seconds: float | None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def funnel(*, days: int = 30, by: str = "") -> dict[str, list[FunnelRow]]:
    """Conversion and median time per step from the Event log, overall or grouped by source, warmth or track.
    Two queries: the step events since ``days`` ago, and the sessions they belong to."""
    since = clock.now() - timedelta(days=days)
    firsts: dict[str, dict[str, object]] = defaultdict(dict)
    events = Event.objects.filter(
        subject_type="onboarding.onboardingsession", type__in=_TYPES, occurred_at__gte=since
    ).values_list("subject_id", "type", "occurred_at")
    step_of_type = defaultdict(list)
    for key, _, types in FUNNEL_STEPS:
        for t in types:
            step_of_type[t].append(key)
    for subject_id, type_, at in events.iterator(chunk_size=5000):
        for key in step_of_type[type_]:
            seen = firsts[subject_id].get(key)
            if seen is None or at < seen:
                firsts[subject_id][key] = at
    groups: dict[str, list[str]] = defaultdict(list)
    if by in DIMENSIONS and firsts:
        column = {"source": "lead__source", "warmth": "warmth", "track": "track"}[by]
        for pk, value in OnboardingSession.objects.filter(pk__in=list(firsts)).values_list("pk", column):
            groups[value or "unrouted"].append(str(pk))
    else:
        groups["all"] = list(firsts)
    return {name: _rows(firsts, ids) for name, ids in sorted(groups.items())}


def funnel_recent(*, days: int = 30, by: str = "") -> tuple[datetime, dict[str, list[FunnelRow]]]:
    """``funnel`` as of at most PROSPECT_FUNNEL_CACHE_SECONDS ago, and when it was computed. It reads every
    step event of the window, and RevOps re-reading the page within the minute should not pay for that again."""
    ttl = settings.PROSPECT_FUNNEL_CACHE_SECONDS
    key = f"prospect-funnel:{days}:{by}"
    hit = cache.get(key) if ttl > 0 else None
    if hit is None:
        hit = (clock.now(), funnel(days=days, by=by))
        if ttl > 0:
            cache.set(key, hit, ttl)
    return hit


def _rows(firsts, ids) -> list[FunnelRow]:
    rows: list[FunnelRow] = []
    arrived = sum(1 for i in ids if "arrived" in firsts[i]) or 0
    previous_key, previous_count = None, None
    for key, label, _ in FUNNEL_STEPS:
        reached_ids = [i for i in ids if key in firsts[i] and "arrived" in firsts[i]]
        durations = []
        if previous_key is not None:
            for i in reached_ids:
                before = firsts[i].get(previous_key)
                if before is not None:
                    durations.append(max((firsts[i][key] - before).total_seconds(), 0.0))
        count = len(reached_ids)
        rows.append(
            FunnelRow(
                key=key,
                label=label,
                reached=count,
                conversion=count / arrived if arrived else 0.0,
                step_conversion=(count / previous_count) if previous_count else (1.0 if count else 0.0),
                median_seconds=_median(durations),
            )
        )
        previous_key, previous_count = key, count
    return rows
