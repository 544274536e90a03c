"""The usage tables' own account_id indexes go (issue 21): the unique (account, day) and (account, day,
event_name) keys lead with the account and serve every lookup by it; the second index was a tenth of a
5,000-row usage batch's write.

Only the indexes: Django's AlterField would drop and re-add the foreign keys, re-checking every usage row
(83 M at a million customers) under a lock. The constraints stay exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("crm_usagedaily", "crm_usagedaily_account_id_a1d5bfb0"),
    ("crm_usageevent", "crm_usageevent_account_id_c8d77b2f"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_saved_view"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="usagedaily",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_days",
                        to="crm.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="usageevent",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_events",
                        to="crm.account",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("account_id")',
                )
                for table, index in INDEXES
            ],
        ),
    ]
