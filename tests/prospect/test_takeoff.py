"""The takeoff provider: the trade's recipe, sized from the pursuit's value, always labelled offline."""

from dataclasses import dataclass
from decimal import Decimal

from enrichment.providers.takeoff import GC_RECIPE, OfflineRecipeTakeoff, takeoff
from routing.trades import LIBRARY


@dataclass
class _Pursuit:
    id: str
    name: str
    value: Decimal | None


def test_offline_takeoff_builds_every_recipe_line_in_the_trades_family():
    spec = LIBRARY["doors_hardware"]
    result = takeoff(_Pursuit("p1", "Riverside Clinic", Decimal(5_000_000)), spec)
    assert [line.item for line in result.lines] == list(spec.takeoff_recipe)
    assert result.family == spec.takeoff_family == "count"
    assert {line.unit for line in result.lines} == {"ea"}
    assert result.lines[0].quantity == Decimal(60)  # 12 per $1M
    assert result.offline is True and result.provider == "offline_recipe"
    assert "not measured from the plans" in result.label
    assert all("estimated from the published $5,000,000" in line.basis for line in result.lines)
    assert result.money_flag == spec.money_flag


def test_unpublished_value_is_assumed_and_says_so():
    result = OfflineRecipeTakeoff().takeoff(_Pursuit("p2", "School", None), LIBRARY["drywall"])
    assert result.value_assumed is True
    assert "assumed" in result.lines[0].basis


def test_general_contractor_gets_the_gc_recipe():
    result = takeoff(_Pursuit("p3", "Warehouse", Decimal(1_000_000)), None)
    assert [line.item for line in result.lines] == list(GC_RECIPE)
    assert result.trade == "" and result.lines[0].quantity == Decimal(4000)


def test_result_is_json_ready():
    import json

    data = takeoff(_Pursuit("p4", "X", Decimal(100)), LIBRARY["drywall"]).as_dict()
    json.dumps(data)
    assert data["offline"] is True and data["lines"][0]["quantity"]
