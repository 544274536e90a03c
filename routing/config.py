"""Load the router's configuration from RevOps' settings (the one place routing touches the database)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from gtmos.core.ttl import TtlValue

from .models import RouterSettings, TradeConfig
from .trades import TradeSpec
from .types import GATES, RouterConfig


def trade_library_load() -> dict[str, TradeSpec]:
    """The active TradeConfig rows as the router's library (RevOps' edits included)."""
    return {
        row.trade: TradeSpec(
            trade=row.trade,
            label=row.label,
            takeoff_family=row.takeoff_family,
            takeoff_recipe=tuple(row.takeoff_recipe),
            value_lever=row.value_lever,
            money_flag=row.money_flag,
            keywords=tuple(row.keywords),
        )
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


# One load per process per SWARM_FLAG_CACHE_SECONDS, by one thread (gtmos.core.ttl: the worker's 120 threads
# would otherwise all load it at the start of a burst).
_cached = TtlValue(router_config_load)


def router_config_cached(*, gates_on=GATES) -> RouterConfig:
    """``router_config_load`` for the hot path (every agent report, every settle): cached in this process for
    ``SWARM_FLAG_CACHE_SECONDS``; a RevOps save in this process clears it at once."""
    return replace(_cached.get(settings.SWARM_FLAG_CACHE_SECONDS), gates_on=frozenset(gates_on))


def clear_cache(**kwargs) -> None:
    _cached.clear()


for _model in (RouterSettings, TradeConfig):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"router-config-{_model.__name__}-save")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"router-config-{_model.__name__}-delete")
