"""Create the swarm's waffle flags and the SWARM_ENABLED switch, all off: the flow ships dark."""

from django.db import migrations

AGENTS = ("domain_site", "classifier", "size_estimator", "role_resolver", "project_finder", "network_seeder")
GATES = ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7")


def create(apps, schema_editor):
    Flag = apps.get_model("waffle", "Flag")
    Switch = apps.get_model("waffle", "Switch")
    for agent in AGENTS:
        Flag.objects.get_or_create(
            name=f"swarm_agent_{agent}",
            defaults={"everyone": False, "superusers": False, "note": f"Enrichment agent {agent} (seed 002)."},
        )
    for gate in GATES:
        Flag.objects.get_or_create(
            name=f"swarm_gate_{gate}",
            defaults={"everyone": False, "superusers": False, "note": f"Router gate {gate} (seed 002)."},
        )
    Switch.objects.get_or_create(
        name="SWARM_ENABLED",
        defaults={"active": False, "note": "Kill switch: off drops every prospect session to FALLBACK_FORM."},
    )


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0001_initial"), ("waffle", "0004_update_everyone_nullbooleanfield")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
