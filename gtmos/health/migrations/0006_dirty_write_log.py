"""The dirty marks become an append-only log of writes (issue 21: the API's usage batches at database speed).

The triggers upserted one ``health_healthdirty`` row per account: a 5,000-row usage batch updated 5,000 rows
(non-HOT: ``dirtied_at`` is indexed) and held their locks until it committed, so concurrent writers to one
account queued behind each other (and, before 0005, deadlocked). Now each feeding statement appends one row
per account it touched — a plain insert, no lock on anything another writer needs — and the drain sums and
deletes them (``services/intraday.py``). Marks waiting at migration time are carried over, one row per kind.
"""

import django.db.models.deletion
from django.db import migrations, models

APPEND = r"""
CREATE OR REPLACE FUNCTION health_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    feed text := TG_ARGV[0];  -- not "kind": several feeding tables have a column of that name
BEGIN
    IF TG_ARGV[1] = 'plan' THEN
        INSERT INTO health_healthdirtywrite (account_id, kind, rows, at)
        SELECT p.account_id, feed, count(*), clock_timestamp()
        FROM changed c JOIN onboarding_onboardingplan p ON p.id = c.plan_id GROUP BY p.account_id;
    ELSE
        INSERT INTO health_healthdirtywrite (account_id, kind, rows, at)
        SELECT c.account_id, feed, count(*), clock_timestamp()
        FROM changed c WHERE c.account_id IS NOT NULL GROUP BY c.account_id;
    END IF;
    RETURN NULL;
END $$;

-- An account's own columns feed seat utilisation, tenure and onboarding mode: only a change to one counts.
CREATE OR REPLACE FUNCTION health_mark_account_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO health_healthdirtywrite (account_id, kind, rows, at)
    SELECT n.id, 'account', 1, clock_timestamp()
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.contract_start_date, n.contracted_seats, n.contracted_consumption_units, n.onboarding_status,
           n.is_customer, n.churned_on)
          IS DISTINCT FROM (o.contract_start_date, o.contracted_seats, o.contracted_consumption_units,
                            o.onboarding_status, o.is_customer, o.churned_on);
    RETURN NULL;
END $$;
"""

CARRY_OVER = """
INSERT INTO health_healthdirtywrite (account_id, kind, rows, at)
SELECT d.account_id, w.key, w.value::int, d.first_dirty_at FROM health_healthdirty d, jsonb_each_text(d.writes) w;
"""


def _ordered_upserts() -> str:
    from importlib import import_module

    return import_module("gtmos.health.migrations.0005_dirty_triggers_in_account_order").ORDERED


class Migration(migrations.Migration):
    dependencies = [("health", "0005_dirty_triggers_in_account_order")]

    operations = [
        migrations.CreateModel(
            name="HealthDirtyWrite",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(help_text='The feed, as WRITE_LABELS names it: "usage_day".', max_length=16),
                ),
                (
                    "rows",
                    models.PositiveIntegerField(help_text="How many of the statement's rows were this account's."),
                ),
                (
                    "at",
                    models.DateTimeField(help_text="The database's clock at the write: the drain debounces on it."),
                ),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.account",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(CARRY_OVER, migrations.RunSQL.noop),
        migrations.RunSQL(APPEND, _ordered_upserts()),
        migrations.DeleteModel(name="HealthDirty"),
    ]
