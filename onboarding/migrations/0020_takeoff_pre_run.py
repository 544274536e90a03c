"""Takeoff.pre_run: the white-glove pre-run takeoff is not the prospect's own (issue 17 review). Existing ones:
a deal's pre_run_takeoff, and any takeoff of a deal's session made after the deal was (a rebuild superseded it —
the prospect's own takeoff is S7, before any white-glove deal)."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def mark_pre_run(apps, schema_editor):
    Deal = apps.get_model("onboarding", "Deal")
    Takeoff = apps.get_model("onboarding", "Takeoff")
    deal_created = Deal.objects.filter(session_id=OuterRef("session_id")).values("created_at")[:1]
    Takeoff.objects.filter(
        Q(pk__in=Deal.objects.filter(pre_run_takeoff__isnull=False).values("pre_run_takeoff_id"))
        | Q(session_id__in=Deal.objects.values("session_id"), created_at__gte=Subquery(deal_created))
    ).update(pre_run=True)


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0019_outbound_email_for_scheduled_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="takeoff",
            name="pre_run",
            field=models.BooleanField(
                default=False,
            ),
        ),
        migrations.RunPython(mark_pre_run, migrations.RunPython.noop),
    ]
