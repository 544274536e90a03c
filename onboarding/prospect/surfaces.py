"""Reads for the persona surfaces of the workspace (seed 002 G4: "estimator:jobs, owner_exec:analytics,
pm:network, field:field_ops"; "field → Field Ops, not chat").

Each surface is computed from what the swarm produced for this prospect — the Profile, the Lead's (or, after S8,
the Org's) pursuits, the network links, the takeoff and the invites — with a fixed number of queries whatever
the data size (totals are database aggregates; lists are capped). Nothing is predicted: every figure on these
pages is a count or a sum of records the prospect can see on their board."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum

from enrichment.enums import PursuitSource, PursuitStatus
from enrichment.models import NetworkLink, Pursuit
from gtmos.core import clock
from routing.enums import Surface

from ..models import OnboardingSession, TeamInvite
from ..models.session import SessionState as S

# URL slug → surface. The four persona surfaces are pages of the workspace; a persona the router could not
# place (chat) and the surfaces that are not pages here (Sarah is the S7 step, Company Brain the note) land on
# the jobs board, where the value loop is.
SURFACE_SLUGS = {
    "jobs": Surface.JOBS,
    "analytics": Surface.ANALYTICS,
    "network": Surface.NETWORK,
    "field-ops": Surface.FIELD_OPS,
}
SLUG_OF = {surface: slug for slug, surface in SURFACE_SLUGS.items()}
SURFACE_TITLES = {
    Surface.JOBS: "Jobs",
    Surface.ANALYTICS: "Analytics",
    Surface.NETWORK: "Network",
    Surface.FIELD_OPS: "Field Ops",
}
STRONG_MATCH = 0.7  # Pursuit.match_score at or above which company, trade and geography matched closely
NETWORK_SHOWN = 60


def landing_surface(decision) -> str:
    """Where the prospect lands: the decision's primary surface when it is one of the four pages, else jobs."""
    surface = getattr(decision, "primary_surface", "") or ""
    return surface if surface in SLUG_OF else Surface.JOBS


def _owner(session: OnboardingSession) -> dict:
    return {"org_id": session.org_id} if session.org_id else {"lead_id": session.lead_id}


def _soon_days() -> int:
    return getattr(settings, "PROSPECT_BID_SOON_DAYS", 14)


# --- owner_exec: analytics --------------------------------------------------------------------------------------


@dataclass
class Lever:
    title: str
    figure: str
    detail: str
    link: str = ""  # a surface slug or "" (the action lives on that page)


@dataclass
class Analytics:
    found: int = 0
    valued: int = 0
    value: int = 0
    by_status: list[tuple[str, int, int]] = field(default_factory=list)  # (label, count, value)
    by_source: list[tuple[str, int, int]] = field(default_factory=list)
    soon: int = 0
    soon_value: int = 0
    soon_days: int = 14
    levers: list[Lever] = field(default_factory=list)


def analytics(session: OnboardingSession, *, decision=None, trade=None, network_counts=None) -> Analytics:
    """owner_exec: the pipeline value the swarm found (sums of the board's pursuits, by status and by source)
    and the levers that move the win rate, each a count of the prospect's own records (three queries)."""
    today = clock.today()
    days = _soon_days()
    soon = Q(bid_date__gte=today, bid_date__lte=today + timedelta(days=days))
    strong = Q(match_score__gte=STRONG_MATCH)
    pursuits = Pursuit.objects.filter(**_owner(session))
    totals = pursuits.aggregate(
        found=Count("pk"),
        valued=Count("value"),
        total_value=Sum("value"),
        soon=Count("pk", filter=soon),
        soon_value=Sum("value", filter=soon),
        strong=Count("pk", filter=strong),
        strong_value=Sum("value", filter=strong),
        scoped=Count("pk", filter=Q(status=PursuitStatus.SCOPED)),
        past=Count("pk", filter=Q(bid_date__lt=today)),
    )
    rows = {
        (r["status"], r["source"]): (r["n"], int(r["v"] or 0))
        for r in pursuits.values("status", "source").annotate(n=Count("pk"), v=Sum("value")).order_by()
    }

    def rollup(key_index: int, choices) -> list[tuple[str, int, int]]:
        out = []
        for value, label in choices:
            n = sum(c for k, (c, _) in rows.items() if k[key_index] == value)
            v = sum(s for k, (_, s) in rows.items() if k[key_index] == value)
            out.append((str(label), n, v))
        return out

    data = Analytics(
        found=totals["found"],
        valued=totals["valued"],
        value=int(totals["total_value"] or 0),
        by_status=rollup(0, PursuitStatus.choices),
        by_source=rollup(1, PursuitSource.choices),
        soon=totals["soon"],
        soon_value=int(totals["soon_value"] or 0),
        soon_days=days,
    )
    if not data.found:
        return data  # the page shows its empty state; levers over nothing would be noise
    data.levers.append(
        Lever(
            "Bid the closest fits first",
            f"{totals['strong']} of {data.found}",
            f"projects match your company, trade and area closely (${int(totals['strong_value'] or 0):,} of value). "
            "Pricing fewer, better-fitting bids is the first lever on the win rate.",
            "jobs",
        )
    )
    data.levers.append(
        Lever(
            "Price before the deadline",
            f"{data.soon}",
            f"bid in the next {days} days (${data.soon_value:,})."
            + (f" {totals['past']} already closed: watch them for re-bids." if totals["past"] else ""),
            "jobs",
        )
    )
    counts = network_counts if network_counts is not None else network_relation_counts(session)
    gcs, subs = counts.get(NetworkLink.Relation.GC, 0), counts.get(NetworkLink.Relation.SUB, 0)
    data.levers.append(
        Lever(
            "Bid with the companies you know",
            f"{gcs + subs}",
            f"in your network ({gcs} general contractors, {subs} subcontractors): invitations from them are bids "
            "you are already trusted on.",
            "network",
        )
    )
    data.levers.append(
        Lever(
            "Scope with Sarah",
            f"{totals['scoped']} of {data.found}",
            "projects taken off. A takeoff turns a found project into a priced bid.",
            "jobs",
        )
    )
    if trade is not None and trade.value_lever:
        data.levers.append(
            Lever(
                f"Your trade: {trade.label}",
                "",
                f"{trade.value_lever}" + (f" Watch for: {trade.money_flag}" if trade.money_flag else ""),
            )
        )
    return data


# --- pm: network ----------------------------------------------------------------------------------------------


def network_relation_counts(session: OnboardingSession) -> dict[str, int]:
    return dict(
        NetworkLink.objects.filter(lead_id=session.lead_id)
        .values_list("relation")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("relation", "n")
    )


@dataclass
class Network:
    gcs: list = field(default_factory=list)
    subs: list = field(default_factory=list)
    total: int = 0
    counts: dict = field(default_factory=dict)
    shown: int = 0


def network(session: OnboardingSession) -> Network:
    """pm: the GCs and subs the swarm lined up, strongest first, split by relation (two queries)."""
    counts = network_relation_counts(session)
    links = list(NetworkLink.objects.filter(lead_id=session.lead_id).order_by("-strength", "company")[:NETWORK_SHOWN])
    return Network(
        gcs=[n for n in links if n.relation == NetworkLink.Relation.GC],
        subs=[n for n in links if n.relation == NetworkLink.Relation.SUB],
        total=sum(counts.values()),
        counts=counts,
        shown=len(links),
    )


# --- field: Field Ops -----------------------------------------------------------------------------------------


@dataclass
class Step:
    title: str
    done: bool
    detail: str
    link: str = ""  # a URL or an anchor on the page


@dataclass
class FieldOps:
    steps: list[Step] = field(default_factory=list)
    done: int = 0
    jobsites: list = field(default_factory=list)
    recipe: list[str] = field(default_factory=list)
    money_flag: str = ""


FIELD_STATES_PICKED = (S.S7_VALUE_PROOF, S.S8_ACTIVATE, S.S9_TRIAL, S.S10_CLOSED_WON)


def field_ops(session: OnboardingSession, *, choice=None, takeoff=None, trade=None, network_total=0) -> FieldOps:
    """field: a checklist for the first jobsite, each step's done-ness read from the session's own records
    (the chosen project, Sarah's takeoff, the network, the invites, the trial), and the jobsites found near them
    (two queries; the caller passes what the page already loaded)."""
    from django.urls import reverse

    picked = session.state in FIELD_STATES_PICKED
    chosen = ""
    if picked and choice:
        chosen = (choice.get("project") or {}).get("name") or ""
    if picked and not chosen and takeoff is not None:
        chosen = takeoff.pursuit_name
    invites = TeamInvite.objects.filter(session=session).count()
    jobsites = list(
        Pursuit.objects.filter(**_owner(session)).exclude(location="").order_by("-match_score", "bid_date", "name")[:5]
    )
    steps = [
        Step(
            "Pick your first jobsite",
            picked,
            f"Chosen: {chosen}."
            if chosen
            else ("Chosen." if picked else "Answer the question above, or tap a jobsite below."),
            "#q-title" if not picked else "",
        ),
        Step(
            "Get the quantities your crew installs",
            takeoff is not None,
            "Sarah's takeoff is below." if takeoff is not None else "Sarah takes it off once the jobsite is chosen.",
            "#sarah" if session.state == S.S7_VALUE_PROOF else "",
        ),
        Step(
            "Know who's on site",
            network_total > 0,
            f"{network_total} GCs and subs in your network." if network_total else "No GCs or subs found yet.",
            reverse("prospect:workspace_surface", args=[session.pk, "network"]),
        ),
        Step(
            "Bring your crew",
            invites > 0,
            f"{invites} teammate{'s' if invites != 1 else ''} invited." if invites else "Invite your foreman and crew.",
            reverse("prospect:invites", args=[session.pk]),
        ),
        Step(
            "Keep it: start the free trial",
            session.state in (S.S9_TRIAL, S.S10_CLOSED_WON),
            "Your trial is on." if session.state in (S.S9_TRIAL, S.S10_CLOSED_WON) else "After the takeoff, one step.",
            reverse("prospect:activate", args=[session.pk]) if session.state == S.S8_ACTIVATE else "",
        ),
    ]
    return FieldOps(
        steps=steps,
        done=sum(1 for s in steps if s.done),
        jobsites=jobsites,
        recipe=list(trade.takeoff_recipe) if trade is not None else [],
        money_flag=trade.money_flag if trade is not None else "",
    )


# --- the header every surface shares (updated live while agents fill in) -----------------------------------------


@dataclass
class Header:
    pursuits: int = 0
    value: int = 0
    network: int = 0
    chips: list[tuple[str, str]] = field(default_factory=list)  # (label, text)


HEADER_CHIPS = ("hq", "trade", "service_area", "sectors", "size_band")


def header(session: OnboardingSession, profile, *, theta: float, network_total: int | None = None) -> Header:
    """The workspace header: what was found so far (pursuits, their value, the network) and the Profile's
    facts held at ≥ θ as chips — re-read on every poll, so a late agent or a retry shows without a reload."""
    from routing.enums import ProfileField as F

    from .selectors import _chip_text

    totals = Pursuit.objects.filter(**_owner(session)).aggregate(n=Count("pk"), v=Sum("value"))
    if network_total is None:
        network_total = NetworkLink.objects.filter(lead_id=session.lead_id).count()
    chips = []
    confidence = (profile.confidence or {}) if profile is not None else {}
    for name in HEADER_CHIPS if profile is not None else ():
        value = getattr(profile, name, None)
        if value in (None, "", [], {}) or confidence.get(name, 0) < theta:
            continue
        chips.append((str(F(name).label), _chip_text(name, value)))
    return Header(pursuits=totals["n"], value=int(totals["v"] or 0), network=network_total, chips=chips)
