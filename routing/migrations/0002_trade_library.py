"""Seed the 34-trade library (routing.trades) and the router settings row with the seed's defaults."""

from django.db import migrations


def load(apps, schema_editor):
    from routing.trades import TRADES

    TradeConfig = apps.get_model("routing", "TradeConfig")
    for position, spec in enumerate(TRADES):
        TradeConfig.objects.update_or_create(
            trade=spec.trade,
            defaults=dict(
                label=spec.label,
                lander=spec.lander,
                takeoff_family=str(spec.takeoff_family),
                takeoff_recipe=list(spec.takeoff_recipe),
                value_lever=spec.value_lever,
                money_flag=spec.money_flag,
                keywords=list(spec.keywords),
                position=position,
            ),
        )
    apps.get_model("routing", "RouterSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
