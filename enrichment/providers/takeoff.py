"""Sarah's takeoff behind a provider interface (seed 002 S7 "value proof" and the white-glove pre-run takeoff).

``takeoff(pursuit, trade_config) -> TakeoffResult``: the scope lines (item, quantity, unit, basis) for one
real pursuit, in the trade's takeoff family. Which implementation serves it is ``TAKEOFF_PROVIDER`` (a dotted
path; default the offline one), so a vendor's plan-reading service can replace it without a code change.

The offline implementation reads no plans: it builds the scope from the trade's takeoff recipe (what Sarah
extracts, from TradeConfig) and sizes each line from the pursuit's published value with rule-of-thumb
ratios per takeoff family. Every result it returns says so (``offline=True`` and ``label``), and every line
carries its basis, so no page can present an estimate as a measured takeoff.

Pure: no database, no clock, no network. ``pursuit`` is anything with ``id``, ``name``, ``value`` (``None``
when unpublished); ``trade_config`` anything with ``trade``, ``label``, ``takeoff_family``,
``takeoff_recipe`` and ``money_flag`` (a ``routing.models.TradeConfig`` row or a ``routing.trades.TradeSpec``),
or ``None`` for a general contractor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_PROVIDER = "enrichment.providers.takeoff.OfflineRecipeTakeoff"
# An unpublished value gets this project size, and the result says it assumed one.
DEFAULT_PROJECT_VALUE = Decimal(2_000_000)


@dataclass(frozen=True)
class ScopeLine:
    item: str
    quantity: Decimal
    unit: str
    basis: str  # where the number came from (measured from sheet A-101, or the rule of thumb used)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["quantity"] = str(self.quantity)
        return data


@dataclass(frozen=True)
class TakeoffResult:
    pursuit_id: str
    pursuit_name: str
    trade: str  # "" for a general contractor
    trade_label: str
    family: str
    lines: tuple[ScopeLine, ...]
    provider: str
    offline: bool
    label: str  # one sentence a page shows next to the result: what this is and is not
    money_flag: str
    project_value: Decimal
    value_assumed: bool

    def as_dict(self) -> dict:
        """JSON-ready (an Event payload, a Deal's battle pack)."""
        data = {k: v for k, v in asdict(self).items() if k != "lines"}
        data["project_value"] = str(self.project_value)
        data["lines"] = [line.as_dict() for line in self.lines]
        return data


class TakeoffProvider(Protocol):
    name: str
    offline: bool

    def takeoff(self, pursuit: Any, trade_config: Any | None) -> TakeoffResult: ...


@dataclass(frozen=True)
class _Family:
    unit: str
    per_million: Decimal  # quantity of the family's main measure per $1M of project value
    rule: str  # the rule of thumb, in words


# Rule-of-thumb sizing per takeoff family (commercial work at ~$250 per gross square foot).
FAMILIES: dict[str, _Family] = {
    "count": _Family("ea", Decimal(12), "about 12 units per $1M of project value"),
    "area": _Family("sf", Decimal(4000), "about 4,000 sf per $1M (≈ $250/sf gross)"),
    "linear": _Family("lf", Decimal(6000), "about 1.5 lf per gross sf (≈ 6,000 lf per $1M)"),
    "volume": _Family("cy", Decimal(80), "about 0.02 cy per gross sf (≈ 80 cy per $1M)"),
    "weight": _Family("tons", Decimal(20), "about 10 lb per gross sf (≈ 20 tons per $1M)"),
    "systems": _Family("zones", Decimal("0.8"), "about one system zone per 5,000 sf (≈ 0.8 per $1M)"),
}
# The recipe's first item is the main measure; later items are smaller shares of it (a recipe lists what
# matters most first).
SHARES = (Decimal(1), Decimal("0.6"), Decimal("0.35"), Decimal("0.2"), Decimal("0.1"))

GC_LABEL = "General contractor"
GC_FAMILY = "area"
GC_RECIPE = ("gross floor area by level", "sitework and paving area", "roof area", "exterior envelope area")
GC_MONEY_FLAG = "Scope gaps between trade packages surface as change orders after buyout"


def _quantize(value: Decimal, unit: str) -> Decimal:
    step = Decimal("0.1") if unit in ("tons", "cy") and value < 100 else Decimal(1)
    return max(value.quantize(step, rounding=ROUND_HALF_UP), step)


class OfflineRecipeTakeoff:
    """The honest offline takeoff: the trade's recipe, sized from the project value. Labelled as such."""

    name = "offline_recipe"
    offline = True

    def takeoff(self, pursuit: Any, trade_config: Any | None) -> TakeoffResult:
        if trade_config is not None:
            trade, label = trade_config.trade, trade_config.label
            family, recipe = trade_config.takeoff_family, tuple(trade_config.takeoff_recipe)
            money_flag = trade_config.money_flag
        else:
            trade, label, family, recipe, money_flag = "", GC_LABEL, GC_FAMILY, GC_RECIPE, GC_MONEY_FLAG
        spec = FAMILIES.get(family, FAMILIES["area"])
        raw_value = getattr(pursuit, "value", None)
        assumed = raw_value in (None, "") or Decimal(raw_value) <= 0
        value = DEFAULT_PROJECT_VALUE if assumed else Decimal(raw_value)
        main = value / Decimal(1_000_000) * spec.per_million
        value_words = (
            f"an assumed ${value:,.0f} project (value not published)"
            if assumed
            else f"the published ${value:,.0f} project value"
        )
        lines = []
        for position, item in enumerate(recipe or (f"{label} scope",)):
            share = SHARES[min(position, len(SHARES) - 1)]
            share_words = "" if share == 1 else f", {share * 100:.0f}% of the main measure"
            lines.append(
                ScopeLine(
                    item=item,
                    quantity=_quantize(main * share, spec.unit),
                    unit=spec.unit,
                    basis=f"estimated from {value_words}: {spec.rule}{share_words}",
                )
            )
        return TakeoffResult(
            pursuit_id=str(getattr(pursuit, "id", "") or ""),
            pursuit_name=str(getattr(pursuit, "name", "")),
            trade=trade,
            trade_label=label,
            family=family,
            lines=tuple(lines),
            provider=self.name,
            offline=True,
            label=(
                f"Offline estimate: Sarah's {label.lower()} recipe sized from the project value by rules of "
                f"thumb — not measured from the plans."
            ),
            money_flag=money_flag,
            project_value=value,
            value_assumed=assumed,
        )


@cache
def _provider(path: str) -> TakeoffProvider:
    return import_string(path)()


def takeoff_provider() -> TakeoffProvider:
    return _provider(getattr(settings, "TAKEOFF_PROVIDER", DEFAULT_PROVIDER) or DEFAULT_PROVIDER)


def takeoff(pursuit: Any, trade_config: Any | None) -> TakeoffResult:
    """Sarah's takeoff of one pursuit for one trade (``None``: a general contractor), by the configured provider."""
    return takeoff_provider().takeoff(pursuit, trade_config)
