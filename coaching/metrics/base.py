"""The shape every role's metrics share: a registry entry per metric and a reading per rep.

One architecture, four role configs (seed 001): each role module returns readings for all its reps in a
fixed number of queries; ``benchmarks`` then compares each reading with its benchmark the same way for
every role. A metric without enough data is simply absent for that rep (a gap, never a zero)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Benchmark kinds (seed 001: segment benchmark, segment median, team median, role-cohort quartile; plus
# the two fixed targets the seed names: quota pace and the comp plan's activity expectations).
SEGMENT = "segment"  # median of the role's reps in the same segment
TEAM = "team"  # median of the reps sharing the rep's manager
COHORT_Q1 = "cohort_q1"  # bottom quartile of the role cohort: below it is a gap
TARGET = "target"  # a fixed target carried by the reading (pace 100%, plan 100%, a limit)

# Where each metric sits in the output skeleton.
SUMMARY = "summary"
DIAGNOSIS = "diagnosis"
SKILL = "skill"


@dataclass(frozen=True)
class Metric:
    code: str
    role: str
    label: str
    source: str
    unit: str  # "%", "days", "pts", "/call", "score", "ratio", "count"
    higher_is_better: bool
    benchmark: str
    gap: float  # how far past the benchmark (in ``unit``, or a fraction of it when ``relative``) is a gap
    section: str = DIAGNOSIS
    relative: bool = False

    @property
    def family(self) -> str:
        return self.code.split(":", 1)[0]


@dataclass
class Reading:
    value: float
    sample: int = 0
    evidence: dict = field(default_factory=dict)
    target: float | None = None  # for TARGET benchmarks


@dataclass(frozen=True)
class Rep:
    id: int
    name: str
    role: str
    segment: str
    manager_id: int | None
    slm_id: int | None


@dataclass(frozen=True)
class Window:
    """Trailing windows ending on ``as_of`` (inclusive)."""

    as_of: dt.date

    def start(self, days: int) -> dt.date:
        return self.as_of - dt.timedelta(days=days - 1)

    def start_dt(self, days: int) -> dt.datetime:
        return dt.datetime.combine(self.start(days), dt.time.min, tzinfo=dt.UTC)

    @property
    def end_dt(self) -> dt.datetime:
        return dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


Readings = dict[int, dict[str, Reading]]


def put(out: Readings, rep_id: int, code: str, reading: Reading) -> None:
    out.setdefault(rep_id, {})[code] = reading
