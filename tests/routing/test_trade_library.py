"""The 34-trade library as data: loaded by migration, RevOps-editable, and what the router reads."""

import pytest

from routing.config import router_config_load
from routing.enums import OrgType, Persona, TakeoffFamily
from routing.models import RouterSettings, TradeConfig
from routing.router import route
from routing.types import Profile


@pytest.mark.django_db
def test_migration_loads_34_trades_across_all_six_takeoff_families():
    rows = list(TradeConfig.objects.all())
    assert len(rows) == 34
    assert {r.takeoff_family for r in rows} == set(TakeoffFamily.values)
    assert len({r.lander for r in rows}) == 34
    for row in rows:
        assert row.lander == "/" + row.trade.replace("_", "-")
        assert row.takeoff_recipe and row.value_lever and row.money_flag and row.keywords
        assert row.lander_title == f"{row.label} OS"


@pytest.mark.django_db
def test_router_reads_revops_edits_and_ignores_retired_trades():
    TradeConfig.objects.filter(trade="tile").update(takeoff_recipe=["tile area by room"], active=True)
    TradeConfig.objects.filter(trade="fencing").update(active=False)
    RouterSettings.objects.filter(pk=1).update(theta="0.90")
    config = router_config_load()
    assert config.theta == 0.9 and "fencing" not in config.trades
    base = dict(org_type=(OrgType.SUB_CONTRACTOR, 0.95), persona=(Persona.ESTIMATOR, 0.95))
    tile = route(Profile.of("cold", trade=("tile", 0.95), **base), config)
    assert tile.takeoff_recipe == ("tile area by room",)
    fencing = route(Profile.of("cold", trade=("fencing", 0.95), **base), config)
    assert fencing.trade is None and "trade" in fencing.asks
    assert "org_type" in route(Profile.of("cold", org_type=(OrgType.CONTRACTOR, 0.88)), config).asks
