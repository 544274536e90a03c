"""Mark an account dirty in the same transaction as any write that feeds a health measure (issue 21).

Statement-level triggers with transition tables: one grouped upsert per statement, whatever the number of
rows, so a 1M-row COPY of usage costs one pass over its new rows, not a million upserts.
"""

from django.db import migrations

# (table, kind, how the row names its account)
FEEDS = [
    ("crm_usagedaily", "usage_day", "account_id"),
    ("crm_usageevent", "usage_event", "account_id"),
    ("health_surveyresponse", "survey", "account_id"),
    ("health_supportticket", "ticket", "account_id"),
    ("health_qbrlog", "qbr", "account_id"),
    ("health_expansionlog", "expansion", "account_id"),
    ("health_advocacyrecord", "advocacy", "account_id"),
    ("crm_contact", "contact", "account_id"),
    ("crm_repactivity", "activity", "account_id"),
    ("onboarding_onboardinglog", "onboarding_log", "account_id"),
    ("onboarding_milestoneitem", "milestone", "plan"),
]

FUNCTION = r"""
CREATE OR REPLACE FUNCTION health_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    feed text := TG_ARGV[0];  -- not "kind": several feeding tables have a column of that name
BEGIN
    IF TG_ARGV[1] = 'plan' THEN
        INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
        SELECT p.account_id, clock_timestamp(), clock_timestamp(), jsonb_build_object(feed, count(*))
        FROM changed c JOIN onboarding_onboardingplan p ON p.id = c.plan_id GROUP BY p.account_id
        ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
            writes = d.writes || jsonb_build_object(feed,
                COALESCE((d.writes ->> feed)::int, 0) + (EXCLUDED.writes ->> feed)::int);
    ELSE
        INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
        SELECT c.account_id, clock_timestamp(), clock_timestamp(), jsonb_build_object(feed, count(*))
        FROM changed c WHERE c.account_id IS NOT NULL GROUP BY c.account_id
        ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
            writes = d.writes || jsonb_build_object(feed,
                COALESCE((d.writes ->> feed)::int, 0) + (EXCLUDED.writes ->> feed)::int);
    END IF;
    RETURN NULL;
END $$;

-- An account's own columns feed seat utilisation, tenure and onboarding mode: only a change to one counts.
CREATE OR REPLACE FUNCTION health_mark_account_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO health_healthdirty AS d (account_id, first_dirty_at, dirtied_at, writes)
    SELECT n.id, clock_timestamp(), clock_timestamp(), jsonb_build_object('account', 1)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.contract_start_date, n.contracted_seats, n.contracted_consumption_units, n.onboarding_status,
           n.is_customer, n.churned_on)
          IS DISTINCT FROM (o.contract_start_date, o.contracted_seats, o.contracted_consumption_units,
                            o.onboarding_status, o.is_customer, o.churned_on)
    ON CONFLICT (account_id) DO UPDATE SET dirtied_at = EXCLUDED.dirtied_at,
        writes = d.writes || jsonb_build_object('account', COALESCE((d.writes ->> 'account')::int, 0) + 1);
    RETURN NULL;
END $$;
"""


def _triggers() -> str:
    sql = []
    for table, kind, how in FEEDS:
        for event, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            sql.append(
                f"CREATE TRIGGER health_dirty_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {ref} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION health_mark_dirty('{kind}', '{how}');"
            )
    sql.append(
        "CREATE TRIGGER health_dirty_update AFTER UPDATE ON crm_account REFERENCING NEW TABLE AS new_rows "
        "OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION health_mark_account_dirty();"
    )
    return "\n".join(sql)


def _drop() -> str:
    sql = [
        f"DROP TRIGGER IF EXISTS health_dirty_{e} ON {table};"
        for table, _, _ in FEEDS
        for e in ("insert", "update", "delete")
    ]
    sql.append("DROP TRIGGER IF EXISTS health_dirty_update ON crm_account;")
    sql.append("DROP FUNCTION IF EXISTS health_mark_dirty(); DROP FUNCTION IF EXISTS health_mark_account_dirty();")
    return "\n".join(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0003_intraday_rescore"),
        ("crm", "0002_performance_records"),
        ("onboarding", "0009_session_route"),
    ]
    operations = [migrations.RunSQL(FUNCTION + _triggers(), _drop())]
