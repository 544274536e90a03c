"""The router's input and output as plain, immutable values (no ORM): ``Profile`` in, ``RouteDecision`` out."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .enums import Warmth
from .trades import LIBRARY, TradeSpec

GATES = ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7")


@dataclass(frozen=True)
class FieldValue:
    value: Any
    confidence: float
    source: str = ""  # provenance (the agent, or "user"); informational only, never read by a rule
    # Computed from other fields of the same profile (the size estimator's ACV is seats × price from headcount):
    # a restatement of those fields, not evidence of its own (issue 17).
    derived: bool = False

    @property
    def score(self) -> float:
        """The confidence as a number in [0, 1]; anything unreadable counts as 0 (ask, don't assert)."""
        try:
            c = float(self.confidence)
        except (TypeError, ValueError):
            return 0.0
        if math.isnan(c):
            return 0.0
        return min(max(c, 0.0), 1.0)


@dataclass(frozen=True)
class Profile:
    """What the router sees of a lead: warmth and, per field, one value with its confidence."""

    warmth: str = Warmth.COLD
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    # Fields the prospect corrected on the confirm screen (a chip said one thing, they said another): the
    # gateTrace says so, so the auditable why names who decided.
    corrected: frozenset[str] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "corrected", frozenset(self.corrected))

    @classmethod
    def of(cls, warmth: str = Warmth.COLD, **values: tuple[Any, float]) -> Profile:
        """``Profile.of("warm", org_type=("contractor", 0.95), role=("estimator", 0.6))``."""
        return cls(warmth=warmth, fields={k: FieldValue(v, c) for k, (v, c) in values.items()})

    def confidence(self, name: str) -> float:
        fv = self.fields.get(name)
        return fv.score if fv is not None else 0.0


@dataclass(frozen=True)
class RouterConfig:
    """Everything the router reads besides the profile; loaded from RevOps' settings by the caller."""

    theta: float = 0.85
    gc_bands: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal(2_000_000),
        Decimal(10_000_000),
        Decimal(500_000_000),
        Decimal(2_000_000_000),
    )
    sub_bands: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal(2_000_000),
        Decimal(10_000_000),
        Decimal(100_000_000),
        Decimal(500_000_000),
    )
    acv_bands: tuple[Decimal, Decimal] = (Decimal(25_000), Decimal(150_000))
    trades: Mapping[str, TradeSpec] = field(default_factory=lambda: MappingProxyType(dict(LIBRARY)))
    gates_on: frozenset[str] = frozenset(GATES)


@dataclass(frozen=True)
class GateOutcome:
    gate: str
    outcome: str
    why: str


@dataclass(frozen=True)
class RouteDecision:
    """The router's answer. ``asserted`` holds only fields at or above θ; ``asks`` only fields below it."""

    track: str | None
    persona: str | None
    primary_surface: str | None
    close_motion: str | None
    next_question: str
    size_band: str | None
    trade: str | None
    lander: str
    takeoff_family: str | None
    takeoff_recipe: tuple[str, ...]
    asserted: Mapping[str, Any]
    asks: tuple[str, ...]
    skip_confirm: bool
    disqualified: bool
    disqualify_reason: str
    gate_trace: tuple[GateOutcome, ...]

    def as_dict(self) -> dict:
        """JSON-ready (RouteDecision rows and Event payloads store this)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["asserted"] = {k: _jsonable(v) for k, v in self.asserted.items()}
        data["asks"] = list(self.asks)
        data["takeoff_recipe"] = list(self.takeoff_recipe)
        data["gate_trace"] = [asdict(g) for g in self.gate_trace]
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
