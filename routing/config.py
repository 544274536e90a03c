"""Load the router's configuration from RevOps' settings (the one place routing touches the database)."""

from __future__ import annotations

from types import MappingProxyType

from .models import RouterSettings, TradeConfig
from .trades import TradeSpec
from .types import GATES, RouterConfig


def trade_library_load() -> dict[str, TradeSpec]:
    """The active TradeConfig rows as the router's library (RevOps' edits included)."""
    return {
        row.trade: TradeSpec(trade=row.trade, label=row.label, takeoff_family=row.takeoff_family,
                             takeoff_recipe=tuple(row.takeoff_recipe), value_lever=row.value_lever,
                             money_flag=row.money_flag, keywords=tuple(row.keywords))
        for row in TradeConfig.objects.filter(active=True)
    }


def router_config_load(*, gates_on=GATES, trades: dict[str, TradeSpec] | None = None) -> RouterConfig:
    s = RouterSettings.load()
    return RouterConfig(
        theta=float(s.theta),
        gc_bands=(s.gc_micro_max, s.gc_small_max, s.gc_mid_max, s.gc_large_max),
        sub_bands=(s.sub_micro_max, s.sub_small_max, s.sub_mid_max, s.sub_large_max),
        acv_bands=(s.acv_small_max, s.acv_mid_max),
        trades=MappingProxyType(trades if trades is not None else trade_library_load()),
        gates_on=frozenset(gates_on),
    )
