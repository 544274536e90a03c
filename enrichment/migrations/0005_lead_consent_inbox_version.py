from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0004_remote_quota")]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="consent_inbox_version",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The consent text version the prospect agreed to (enrichment.consent).",
                max_length=40,
            ),
        ),
    ]
