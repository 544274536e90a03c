"""The router (seed 002 "Routing logic — the pure function"): ``route(profile) -> RouteDecision``.

Pure and deterministic: no ORM, no clock, no randomness. Everything it needs arrives as arguments
(``Profile``, ``RouterConfig``), so the same input always gives the same decision and a replay of the
Event log reproduces every routing decision.

The smart rule, applied at every read of a field: assert it at confidence ≥ θ, ask it below θ, never re-ask
what is known. A gate whose flag is off behaves like today's form step for that field: it asks and asserts
nothing (DESIGN.md: "with all off, onboarding is today's form").
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .enums import (
    WARMTH_RANK,
    CloseMotion,
    Identity,
    OrgType,
    Persona,
    ProfileField,
    SizeBand,
    Surface,
    Track,
    Warmth,
)
from .questions import ROLE_QUESTION, compose_question
from .types import GateOutcome, Profile, RouteDecision, RouterConfig

F = ProfileField
DEFAULT_CONFIG = RouterConfig()
# Django's Choices.values builds a list on every access; the router reads these on every decision.
PERSONAS = frozenset(Persona.values)
SIZE_BANDS = frozenset(SizeBand.values)
B2B_ORG_TYPES = frozenset((OrgType.CONTRACTOR, OrgType.SUB_CONTRACTOR, OrgType.PLATFORM))

# The order asks are listed in (the confirm screen's chip order); fixed so decisions are deterministic.
ASK_ORDER = (F.COMPANY, F.ORG_TYPE, F.SIZE_BAND, F.ROLE, F.PERSONA, F.TRADE, F.SERVICE_AREA, F.SECTORS)

SURFACE_OF = {
    Persona.ESTIMATOR: Surface.JOBS,
    Persona.OWNER_EXEC: Surface.ANALYTICS,
    Persona.PM: Surface.NETWORK,
    Persona.FIELD: Surface.FIELD_OPS,  # field roles leave chat entirely
}
TRACK_OF_BAND = {
    SizeBand.MICRO: Track.SELF_SERVE,
    SizeBand.SMALL: Track.SELF_SERVE,
    SizeBand.MID: Track.WG_MID,
    SizeBand.LARGE: Track.WG_ENTERPRISE,
    SizeBand.ENTERPRISE: Track.WG_ENTERPRISE,
}
# When ACV decides the track, the band it implies (DESIGN.md: ACV bands are micro/small | mid | large).
BAND_OF_ACV_TRACK = {Track.SELF_SERVE: SizeBand.SMALL, Track.WG_MID: SizeBand.MID, Track.WG_ENTERPRISE: SizeBand.LARGE}


class _Reader:
    """Reads fields through the confidence gate and remembers what was asserted and what must be asked."""

    def __init__(self, profile: Profile, config: RouterConfig):
        self.profile, self.config = profile, config
        self.asserted: dict[str, Any] = {}
        self.asks: set[str] = set()
        self.trace: list[GateOutcome] = []
        self.reads: dict[str, list[str]] = {}  # gate → the fields it read (to credit the prospect's corrections)

    def on(self, gate: str) -> bool:
        return gate in self.config.gates_on

    def known(self, name: str, gate: str) -> bool:
        fv = self.profile.fields.get(name)
        return self.on(gate) and fv is not None and fv.value not in (None, "", [], {}) and fv.score >= self.config.theta

    def use(self, name: str, gate: str, *, ask: bool = True) -> Any:
        """The seed's ``use(f)``: the value if known at ≥ θ (asserted), else None (and ask it)."""
        self.reads.setdefault(gate, []).append(name)
        if self.known(name, gate):
            value = self.profile.fields[name].value
            self.asserted[name] = value
            return value
        if ask:
            self.asks.add(name)
        return None

    def note(self, gate: str, outcome: str, why: str) -> None:
        suffix = "" if self.on(gate) else " [flag off: today's form step]"
        fixed = [n for n in dict.fromkeys(self.reads.get(gate, ())) if n in self.profile.corrected]
        if fixed:
            suffix += "; " + ", ".join(str(F(n).label).lower() for n in fixed) + " corrected by the prospect"
        self.trace.append(GateOutcome(gate, outcome, why + suffix))

    def pct(self, name: str) -> str:
        return f"{self.profile.confidence(name):.2f}"


def _member(value: Any, allowed: frozenset) -> bool:
    """Set membership that a junk value (a list, a dict) cannot crash."""
    return isinstance(value, str) and value in allowed


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _band(amount: Decimal, edges) -> str:
    micro, small, mid, large = edges
    if amount < micro:
        return SizeBand.MICRO
    if amount < small:
        return SizeBand.SMALL
    if amount < mid:
        return SizeBand.MID
    if amount < large:
        return SizeBand.LARGE
    return SizeBand.ENTERPRISE


def _acv_track(amount: Decimal, edges) -> str:
    small, mid = edges
    if amount < small:
        return Track.SELF_SERVE
    if amount < mid:
        return Track.WG_MID
    return Track.WG_ENTERPRISE


def route(profile: Profile, config: RouterConfig = DEFAULT_CONFIG) -> RouteDecision:
    r = _Reader(profile, config)
    warmth = profile.warmth if profile.warmth in WARMTH_RANK else Warmth.COLD

    # G0 — entry / warmth: warm identity can skip the confirm, but only when the role is known (below, G4).
    warm = r.on("G0") and WARMTH_RANK[warmth] >= WARMTH_RANK[Warmth.WARM]
    r.note("G0", warmth, "warm link carries identity" if warm else "cold: confirm before routing")

    # G1 — identity: a work domain lets the company come from the domain; free-mail and disposable don't.
    identity = r.use(F.IDENTITY, "G1", ask=False)
    company = r.use(F.COMPANY, "G1")
    if identity in (Identity.FREE_MAIL, Identity.DISPOSABLE):
        r.note("G1", str(identity), "personal email domain: nothing about the company inferred from it")
    elif company is not None:
        r.note("G1", "company_known", f"company at confidence {r.pct(F.COMPANY)} ≥ θ")
    else:
        r.note("G1", "ask_company", f"company at confidence {r.pct(F.COMPANY)} < θ: ask")

    # G2 — type: a homeowner exits the B2B funnel.
    org_type = r.use(F.ORG_TYPE, "G2")
    if org_type == OrgType.CONSUMER:
        r.note("G2", "consumer", f"org type consumer at {r.pct(F.ORG_TYPE)} ≥ θ: route to the homeowner product")
        return _disqualified(r, warmth)
    if not _member(org_type, B2B_ORG_TYPES):
        if org_type is not None:  # a value outside the enum is as good as unknown
            r.asserted.pop(F.ORG_TYPE, None)
            r.asks.add(F.ORG_TYPE)
        org_type = None
        r.note("G2", "ask_org_type", f"org type at {r.pct(F.ORG_TYPE)} < θ (or unreadable): ask; GC bands meanwhile")
    else:
        r.note("G2", str(org_type), f"org type at {r.pct(F.ORG_TYPE)} ≥ θ")
    is_sub = org_type == OrgType.SUB_CONTRACTOR

    # G3 — track by size; thresholds differ GC vs sub; ACV wins ties.
    band, track, why = _g3(r, is_sub)
    r.note("G3", track, why)

    # G4 — persona → surface; field roles leave chat; unknown → the one allowed ask, chat until answered.
    title = r.use(F.ROLE, "G4", ask=False)
    persona = r.use(F.PERSONA, "G4", ask=False)
    if not _member(persona, PERSONAS):
        if persona is not None:
            r.asserted.pop(F.PERSONA, None)
        persona = None
        # The one allowed ask. If the title is known but its persona isn't, ask the persona, not the title
        # again (never re-ask what is known).
        r.asks.add(F.ROLE if title is None else F.PERSONA)
        surface = Surface.CHAT
        r.note("G4", "ask_role", f"persona at {r.pct(F.PERSONA)} < θ: ask the role; chat until answered")
    else:
        surface = SURFACE_OF[persona]
        if persona == Persona.OWNER_EXEC and track == Track.SELF_SERVE:
            # DESIGN.md: on micro/small firms the owner does the bidding (the cold Squires walkthrough).
            surface = Surface.JOBS
            r.note("G4", f"{persona}->{surface}", "owner on the self-serve track bids: jobs, not analytics")
        else:
            r.note("G4", f"{persona}->{surface}", f"persona at {r.pct(F.PERSONA)} ≥ θ")

    # G5 — trade lander + Sarah recipe (subs only).
    trade_spec = None
    if is_sub:
        trade = r.use(F.TRADE, "G5")
        trade_spec = config.trades.get(trade) if isinstance(trade, str) else None
        if trade_spec is not None:
            r.note(
                "G5",
                trade_spec.trade,
                f"trade at {r.pct(F.TRADE)} ≥ θ: {trade_spec.lander_title}, {trade_spec.takeoff_family} takeoff",
            )
        else:
            if trade is not None:  # known but not in the library (retired or unknown): ask again
                r.asserted.pop(F.TRADE, None)
                r.asks.add(F.TRADE)
            r.note("G5", "ask_trade", f"subcontractor, trade at {r.pct(F.TRADE)} < θ or not in the library: ask")
    else:
        r.note("G5", "general", "not a subcontractor: the general lander, no trade recipe")

    # The confirm's other chips (today's service_area and market_sectors steps) describe the company, so
    # they read through G1 like the company itself: same θ rule, asked when G1's flag is off.
    for name in (F.SERVICE_AREA, F.SECTORS):
        r.use(name, "G1")

    # G6 — compose the next question.
    question = (
        compose_question(persona, band, trade_spec)
        if r.on("G6")
        else ROLE_QUESTION
        if persona is None
        else "What would you like to do first?"
    )
    r.note(
        "G6",
        "role_question" if persona is None else f"{persona}/{band or 'unknown'}",
        "unknown role: the one allowed ask" if persona is None else "role-conditioned question",
    )

    # G7 — close motion: in-flow card on self-serve, AE + MEDDPICC on white-glove.
    if r.on("G7"):
        close = CloseMotion.IN_FLOW_CARD if track == Track.SELF_SERVE else CloseMotion.AE_MEDDPICC
    else:
        close = CloseMotion.IN_FLOW_CARD  # today's flow has only the self-serve close
    r.note("G7", close, f"track {track}")

    # The warm skip (seed: "warm & role known → skip ask") only when nothing else is asked either: a big warm
    # lead whose size is below θ is asked it like anyone else ("assert only at conf ≥ θ, else ask").
    skip_confirm = warm and persona is not None and not r.asks
    return RouteDecision(
        track=track,
        persona=persona,
        primary_surface=surface,
        close_motion=close,
        next_question=question,
        size_band=band,
        trade=trade_spec.trade if trade_spec else None,
        lander=trade_spec.lander if trade_spec else "/",
        takeoff_family=trade_spec.takeoff_family if trade_spec else None,
        takeoff_recipe=tuple(trade_spec.takeoff_recipe) if trade_spec else (),
        asserted=dict(sorted(r.asserted.items())),
        asks=tuple(f for f in ASK_ORDER if f in r.asks),
        skip_confirm=skip_confirm,
        disqualified=False,
        disqualify_reason="",
        gate_trace=tuple(r.trace),
    )


def _g3(r: _Reader, is_sub: bool) -> tuple[str | None, str, str]:
    edges = r.config.sub_bands if is_sub else r.config.gc_bands
    kind = "sub" if is_sub else "GC"
    revenue = _money(r.use(F.REVENUE, "G3", ask=False))
    if revenue is None:
        r.asserted.pop(F.REVENUE, None)
    acv_field = r.profile.fields.get(F.ACV)
    derived_acv = acv_field is not None and acv_field.derived
    # Only an ACV known on its own (a quote, a stated contract value) can outvote the revenue band: one computed
    # from headcount or revenue restates the size, and would let a guess at seats override a known revenue.
    acv = None if derived_acv else _money(r.use(F.ACV, "G3", ask=False))
    if acv is None:
        r.asserted.pop(F.ACV, None)
    stated = r.use(F.SIZE_BAND, "G3", ask=False)
    if not _member(stated, SIZE_BANDS):
        r.asserted.pop(F.SIZE_BAND, None)
        stated = None

    rev_band = _band(revenue, edges) if revenue is not None else stated
    basis = (
        f"revenue ${revenue:,.0f} ({kind} bands)"
        if revenue is not None
        else f"size band {stated}"
        if stated is not None
        else ""
    )
    if derived_acv and basis:
        basis += " (ACV estimated from headcount: not evidence of its own)"
    acv_track = _acv_track(acv, r.config.acv_bands) if acv is not None else None

    if rev_band is None and acv_track is None:
        r.asks.add(F.SIZE_BAND)
        return None, Track.SELF_SERVE, "size unknown at θ: ask; self-serve until answered"
    if rev_band is None:
        return BAND_OF_ACV_TRACK[acv_track], acv_track, f"ACV ${acv:,.0f} → {acv_track}"
    rev_track = TRACK_OF_BAND[rev_band]
    if acv_track is None or acv_track == rev_track:
        extra = f"; ACV ${acv:,.0f} agrees" if acv_track is not None else ""
        return rev_band, rev_track, f"{basis} → {rev_band}{extra}"
    return (
        BAND_OF_ACV_TRACK[acv_track],
        acv_track,
        f"{basis} → {rev_band} ({rev_track}) but ACV ${acv:,.0f} → {acv_track}: ACV wins ties",
    )


def _disqualified(r: _Reader, warmth: str) -> RouteDecision:
    for gate in ("G3", "G4", "G5", "G6", "G7"):
        r.trace.append(GateOutcome(gate, "skipped", "disqualified at G2"))
    # Nothing more is asked of a homeowner: the B2B questions don't apply.
    r.asks.clear()
    return RouteDecision(
        track=None,
        persona=None,
        primary_surface=None,
        close_motion=None,
        next_question="",
        size_band=None,
        trade=None,
        lander="/",
        takeoff_family=None,
        takeoff_recipe=(),
        asserted=dict(sorted(r.asserted.items())),
        asks=(),
        skip_confirm=False,
        disqualified=True,
        disqualify_reason="route_to_homeowner_product",
        gate_trace=tuple(r.trace),
    )
