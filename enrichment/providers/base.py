"""The provider interface every agent sits behind, and the values that cross it.

An agent task loads its inputs, calls its provider with a deadline, and writes what comes back. Providers do
the work (offline on local data, or over HTTP) and never write to the database themselves, so a provider can
be swapped — for a vendor API, or for a fixed-latency double in the benchmark — without touching the task.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol


class BudgetExceeded(Exception):
    """The agent ran out of its latency budget (a timeout yields a partial result, not a hang)."""


class ProviderError(Exception):
    """The source failed (site down, bad data). The retry ladder takes it from here."""


@dataclass(frozen=True)
class AgentInput:
    lead_id: str
    email: str
    name: str
    title: str
    consent_inbox: bool
    known: dict[str, tuple[Any, float]] = field(default_factory=dict)  # the profile as it stood at start

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].strip().lower() if "@" in self.email else ""

    def value(self, name: str, *, at_least: float = 0.0) -> Any:
        value, confidence = self.known.get(name, (None, 0.0))
        return value if confidence >= at_least else None


@dataclass(frozen=True)
class SignalOut:
    field: str
    value: Any
    confidence: float
    evidence: str = ""


@dataclass(frozen=True)
class PursuitOut:
    record_id: int
    name: str
    source: str
    value: Decimal | None
    bid_date: date | None
    location: str
    trade: str
    match_score: float
    status: str


@dataclass(frozen=True)
class NetworkOut:
    company: str
    domain: str
    relation: str
    trade: str
    source: str
    account_id: int | None
    strength: int


@dataclass
class AgentOutput:
    signals: list[SignalOut] = field(default_factory=list)
    pursuits: list[PursuitOut] = field(default_factory=list)
    network: list[NetworkOut] = field(default_factory=list)


class Provider(Protocol):
    agent: str

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput: ...


def remaining(deadline: float) -> float:
    return deadline - time.monotonic()


def check_budget(deadline: float) -> None:
    if time.monotonic() >= deadline:
        raise BudgetExceeded("latency budget spent")
