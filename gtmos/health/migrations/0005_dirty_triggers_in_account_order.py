"""The dirty-marking triggers upsert their accounts in account order (issue 21).

Two concurrent batches that touch the same accounts (two usage feeds, two importers) each lock those accounts'
``health_healthdirty`` rows until they commit. In the grouped order PostgreSQL happened to produce, one could lock
account 7 then wait for 3 while the other held 3 and waited for 7: a deadlock, and one batch refused. Taken in one
order, the second simply waits for the first.
"""

from django.db import migrations

ORDERED = r"""
CREATE OR REPLACE FUNCTION health_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    feed text := TG_ARGV[0];  -- not "kind": several feeding tables have a column of that name
BEGIN
    IF TG_ARGV[1] = 'plan' THEN
        INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
        SELECT p.account_id, clock_timestamp(), clock_timestamp(), jsonb_build_object(feed, count(*))
        FROM changed c JOIN onboarding_onboardingplan p ON p.id = c.plan_id GROUP BY p.account_id
        ORDER BY p.account_id
        ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
            writes = d.writes || jsonb_build_object(feed,
                COALESCE((d.writes ->> feed)::int, 0) + (EXCLUDED.writes ->> feed)::int);
    ELSE
        INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
        SELECT c.account_id, clock_timestamp(), clock_timestamp(), jsonb_build_object(feed, count(*))
        FROM changed c WHERE c.account_id IS NOT NULL GROUP BY c.account_id
        ORDER BY c.account_id
        ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
            writes = d.writes || jsonb_build_object(feed,
                COALESCE((d.writes ->> feed)::int, 0) + (EXCLUDED.writes ->> feed)::int);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION health_mark_account_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
    SELECT n.id, clock_timestamp(), clock_timestamp(), jsonb_build_object('account', 1)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.contract_start_date, n.contracted_seats, n.contracted_consumption_units, n.onboarding_status,
           n.is_customer, n.churned_on)
          IS DISTINCT FROM (o.contract_start_date, o.contracted_seats, o.contracted_consumption_units,
                            o.onboarding_status, o.is_customer, o.churned_on)
    ORDER BY n.id
    ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
        writes = d.writes || jsonb_build_object('account', COALESCE((d.writes ->> 'account')::int, 0) + 1);
    RETURN NULL;
END $$;
"""


def _previous() -> str:
    from importlib import import_module

    return import_module("gtmos.health.migrations.0004_dirty_triggers").FUNCTION


class Migration(migrations.Migration):
    dependencies = [("health", "0004_dirty_triggers")]
    operations = [migrations.RunSQL(ORDERED, _previous())]
