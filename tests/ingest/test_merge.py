"""Imports at database speed (issue 21): COPY into staging + one merge, still all-or-nothing, every bad row
named, replays writing nothing; the merge is all-or-nothing under a failure injected after the staging COPY.
A small batch (≤ INGEST_SMALL_BATCH_ROWS) skips the staging table: one multi-row INSERT … ON CONFLICT with the
same results — the tests below run both ways."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from gtmos.audit.models import Event
from gtmos.crm.models import Account, Contact, Employee, RepActivity, UsageDaily
from gtmos.ingest import merge
from gtmos.ingest.csv_import import import_csv

pytestmark = pytest.mark.django_db

ACCOUNTS = "external_id,name,segment,owner_email,arr,contracted_seats\n"
USAGE = "account_external_id,day,active_seats,logins\n"


@pytest.fixture(params=["small", "staged"])
def batch_path(request, settings):
    """Every row through the small-batch VALUES merge, or every row through the staging table."""
    settings.INGEST_SMALL_BATCH_ROWS = 10**6 if request.param == "small" else 0
    return request.param


def accounts_csv(n: int, *, last: str = "") -> io.StringIO:
    rows = "".join(f"a-{i},Account {i},smb,ae@example.test,{1000 + i},{i}\n" for i in range(n))
    return io.StringIO(ACCOUNTS + rows + last)


def test_accounts_are_created_then_a_replay_changes_nothing(ae, batch_path):
    report = import_csv("accounts", accounts_csv(50))
    assert (report.ok, report.created, report.updated) == (True, 50, 0)
    assert (
        Account.objects.get(external_id="a-7").owner == ae
        and Event.objects.filter(type="account.created").count() == 50
    )
    stamps = dict(Account.objects.values_list("external_id", "updated_at"))
    again = import_csv("accounts", accounts_csv(50))
    assert (again.created, again.updated) == (0, 50)
    assert dict(Account.objects.values_list("external_id", "updated_at")) == stamps  # nothing rewritten
    assert Event.objects.filter(type="account.created").count() == 50


def test_an_update_changes_only_the_columns_the_file_gives(ae, batch_path):
    import_csv("accounts", accounts_csv(2))
    Account.objects.filter(external_id="a-1").update(onboarding_status="active", is_customer=True)
    import_csv("accounts", io.StringIO(ACCOUNTS + "a-1,Renamed,mm,ae@example.test,5,9\n"))
    account = Account.objects.get(external_id="a-1")
    assert (account.name, account.segment, account.contracted_seats) == ("Renamed", "mm", 9)
    assert account.onboarding_status == "active"  # not the feed's to reset
    assert account.is_customer is False  # the file's default, as account_upsert writes it


def test_one_bad_row_in_the_last_line_imports_nothing_and_is_named(ae, batch_path):
    report = import_csv("accounts", accounts_csv(500, last="a-x,Bad,smb,ghost@example.test,1,1\n"))
    assert [(e.line, e.field) for e in report.errors] == [(502, "owner_email")]
    assert not Account.objects.exists()


def test_usage_rows_merge_last_row_wins_and_every_bad_reference_is_named(ae, batch_path):
    import_csv("accounts", accounts_csv(2))
    bad = import_csv("usage", io.StringIO(USAGE + "a-0,2026-03-01,1,1\nnope,2026-03-01,1,1\nzip,2026-03-02,1,1\n"))
    assert [(e.line, e.field) for e in bad.errors] == [(3, "account_external_id"), (4, "account_external_id")]
    assert not UsageDaily.objects.exists()
    good = import_csv("usage", io.StringIO(USAGE + "a-0,2026-03-01,1,1\na-0,2026-03-01,5,7\na-1,2026-03-01,2,2\n"))
    assert good.ok and good.created == 2
    assert UsageDaily.objects.get(account__external_id="a-0").logins == 7


def test_the_merge_is_all_or_nothing_under_a_failure_after_the_staging_copy(ae, monkeypatch, settings):
    settings.INGEST_SMALL_BATCH_ROWS = 0  # every batch through the staging table
    import_csv("accounts", accounts_csv(3))
    real = merge._merge
    seen = {}

    def merge_then_fail(cursor, spec, stage, *args):
        cursor.execute(f"SELECT count(*) FROM {stage}")
        seen["staged"] = cursor.fetchone()[0]
        real(cursor, spec, stage, *args)  # the merge itself ran…
        raise RuntimeError("injected after the staging COPY and the merge")  # …then the import fails

    monkeypatch.setattr(merge, "_merge", merge_then_fail)
    with pytest.raises(RuntimeError):
        import_csv(
            "usage", io.StringIO(USAGE + "".join(f"a-{i % 3},2026-03-{1 + i // 3:02d},1,1\n" for i in range(30)))
        )
    assert seen["staged"] == 30
    assert not UsageDaily.objects.exists()


def test_the_command_draws_a_progress_bar(ae, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(accounts_csv(12_000).getvalue())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", "accounts", str(path), "--progress", stdout=out, stderr=err)
    assert "100%  12,000 / 12,000 rows" in err.getvalue() and "5,000 / 12,000" in err.getvalue()
    assert "12000 row(s) imported (12000 created, 0 updated)" in out.getvalue()


def test_a_small_batch_merge_is_all_or_nothing_under_a_failure_after_its_insert(ae, monkeypatch):
    import_csv("accounts", accounts_csv(3))
    real = merge._upsert
    seen = {}

    def upsert_then_fail(cursor, *args, **kwargs):
        seen["created"], _ = real(cursor, *args, **kwargs)  # the one INSERT … ON CONFLICT ran…
        raise RuntimeError("injected after the small-batch merge")  # …then the import fails

    monkeypatch.setattr(merge, "_upsert", upsert_then_fail)
    with pytest.raises(RuntimeError):
        import_csv(
            "usage", io.StringIO(USAGE + "".join(f"a-{i % 3},2026-03-{1 + i // 3:02d},1,1\n" for i in range(30)))
        )
    assert len(seen["created"]) == 30
    assert not UsageDaily.objects.exists()


def _state():
    """What the tables hold, without ids or timestamps (which differ between two runs)."""
    accounts = sorted(
        Account.objects.values_list(
            "external_id", "name", "segment", "owner__email", "arr", "contracted_seats", "onboarding_status"
        )
    )
    usage = sorted(UsageDaily.objects.values_list("account__external_id", "day", "active_seats", "logins"))
    return accounts, usage, Event.objects.filter(type="account.created").count()


def test_small_and_staged_batches_write_the_same_rows_and_counts(ae, settings):
    steps = [
        ("accounts", accounts_csv(40).getvalue()),
        ("accounts", ACCOUNTS + "a-1,Renamed,mm,ae@example.test,5,9\na-1,Renamed again,ent,ae@example.test,6,9\n"),
        ("usage", USAGE + "".join(f"a-{i % 7},2026-03-{1 + i // 7:02d},{i},{i % 5}\n" for i in range(60))),
        ("usage", USAGE + "a-0,2026-03-01,99,1\na-0,2026-03-01,98,2\na-39,2026-04-01,1,1\n"),
        ("accounts", accounts_csv(40).getvalue()),  # a replay of the first file, after the update
    ]
    results = {}
    for path, threshold in (("small", 10**6), ("staged", 0)):
        settings.INGEST_SMALL_BATCH_ROWS = threshold
        with transaction.atomic():  # each way from the same empty tables
            counts = [(r.ok, r.created, r.updated) for r in (import_csv(t, io.StringIO(text)) for t, text in steps)]
            results[path] = (counts, _state())
            transaction.set_rollback(True)
    assert results["small"] == results["staged"]
    assert results["small"][0] == [(True, 40, 0), (True, 0, 1), (True, 60, 0), (True, 1, 1), (True, 0, 40)]


def _row_versions():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM crm_usagedaily ORDER BY id")
        return cursor.fetchall()


def test_a_small_batch_replay_writes_nothing(ae, api):
    import_csv("accounts", accounts_csv(2))
    body = {"days": [{"account_external_id": "a-0", "day": "2026-03-01", "active_seats": 3, "logins": 2}]}
    assert api.post("/usage", body, key="first").status_code == 200
    before = _row_versions()
    assert len(before) == 1
    # The same row again under a new key (the feed re-sent it): the merge finds nothing changed, rewrites nothing.
    assert api.post("/usage", body, key="second").status_code == 200
    assert _row_versions() == before
    body["days"][0]["logins"] = 5
    assert api.post("/usage", body, key="third").status_code == 200
    assert _row_versions() != before and UsageDaily.objects.get().logins == 5


def test_a_constraint_broken_in_the_merge_imports_nothing_and_is_reported(ae, monkeypatch):
    """A table constraint the schemas do not state breaks the one statement: the rows are tried one by one
    (rolled back) to name the bad lines; nothing is imported, and the report is never empty."""
    import_csv("accounts", accounts_csv(3))

    def broken(*args, **kwargs):
        raise IntegrityError("injected: a constraint of the table")

    monkeypatch.setattr(merge, "_upsert", broken)
    report = import_csv("usage", io.StringIO(USAGE + "a-0,2026-03-01,1,1\na-1,2026-03-01,1,1\n"))
    monkeypatch.undo()
    assert not report.ok and (report.created, report.updated) == (0, 0)
    assert [e.field for e in report.errors] == ["row"]
    assert not UsageDaily.objects.exists()


CONTACTS = "external_id,account_external_id,name,email,buying_role\n"
ACTIVITIES = "external_id,rep_email,activity_date,activity_type,account_external_id,contact_external_id\n"


def test_contacts_merge_set_based_every_bad_row_named_and_a_replay_changes_nothing(ae, batch_path):
    import_csv("accounts", accounts_csv(3))
    bad = import_csv(
        "contacts",
        io.StringIO(
            CONTACTS + "c-1,a-0,Dana,dana@x.test,champion\nc-2,nope,Eve,,other\nc-3,a-1,Finn,not-an-email,other\n"
        ),
    )
    assert sorted({(e.line, e.field.split(".")[0]) for e in bad.errors}) == [(3, "account_external_id"), (4, "email")]
    assert not Contact.objects.exists()
    rows = CONTACTS + "".join(f"c-{i},a-{i % 3},Person {i},p{i}@x.test,other\n" for i in range(30))
    good = import_csv("contacts", io.StringIO(rows))
    assert (good.ok, good.created, good.updated) == (True, 30, 0)
    assert Contact.objects.get(external_id="c-4").account.external_id == "a-1"
    xmins = _xmins("crm_contact")
    again = import_csv("contacts", io.StringIO(rows))
    assert (again.created, again.updated) == (0, 30) and _xmins("crm_contact") == xmins  # nothing rewritten


def test_activities_keep_the_role_the_rep_had_when_first_recorded(ae, batch_path):
    import_csv("accounts", accounts_csv(2))
    rows = ACTIVITIES + "act-1,AE@example.test,2026-03-02,call,a-0,\nact-2,ae@example.test,2026-03-02,email,,\n"
    first = import_csv("activities", io.StringIO(rows))
    assert (first.ok, first.created) == (True, 2)
    assert RepActivity.objects.get(external_id="act-1").role == "ae"
    Employee.objects.filter(pk=ae.pk).update(role="am")  # the rep moved on
    again = import_csv("activities", io.StringIO(rows.replace("call,a-0", "meeting,a-1")))
    assert again.ok
    activity = RepActivity.objects.get(external_id="act-1")
    assert (activity.activity_type, activity.account.external_id, activity.role) == ("meeting", "a-1", "ae")
    bad = import_csv("activities", io.StringIO(ACTIVITIES + "act-3,ghost@example.test,2026-03-02,call,zzz,\n"))
    assert {(e.line, e.field) for e in bad.errors} == {(2, "rep_email"), (2, "account_external_id")}
    assert not RepActivity.objects.filter(external_id="act-3").exists()


def _xmins(table: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmin::text FROM {table} ORDER BY id")
        return cursor.fetchall()


OPPORTUNITIES = "external_id,account_external_id,name,stage,acv,owner_email\n"


def _deal_trail(prefix: str):
    """Each deal's columns, stage history and events, as comparable values (no ids or times)."""
    from gtmos.crm.models import Opportunity, OpportunityStageChange

    deals = sorted(
        (o.external_id.removeprefix(prefix), o.name, o.stage, o.acv, o.owner.email if o.owner else None)
        for o in Opportunity.objects.filter(external_id__startswith=prefix).select_related("owner")
    )
    history = sorted(
        (c.opportunity.external_id.removeprefix(prefix), c.from_stage, c.to_stage)
        for c in OpportunityStageChange.objects.filter(opportunity__external_id__startswith=prefix)
    )
    ids = {str(pk) for pk in Opportunity.objects.filter(external_id__startswith=prefix).values_list("pk", flat=True)}
    events = sorted(
        (e.type, e.payload.get("stage"), e.payload.get("to") or e.payload.get("to_stage"))
        for e in Event.objects.filter(subject_type="crm.opportunity", subject_id__in=ids)
    )
    return deals, history, events


def test_opportunities_merge_then_run_each_stage_change_as_the_service_does(ae, batch_path):
    from gtmos.crm import services
    from gtmos.crm.signals import opportunity_updated

    import_csv("accounts", accounts_csv(2))
    rows = [("1", "a-0", "Alpha", "prospecting", "100"), ("2", "a-1", "Beta", "demo", "200")]
    announced = []

    def receiver(sender, opportunity, **kwargs):
        announced.append(opportunity.external_id)

    opportunity_updated.connect(receiver, dispatch_uid="test-merge-announced")
    try:
        csv = OPPORTUNITIES + "".join(f"csv-{x},{a},{n},{s},{v},ae@example.test\n" for x, a, n, s, v in rows)
        report = import_csv("opportunities", io.StringIO(csv))
        assert (report.ok, report.created, report.updated) == (True, 2, 0), report.errors
        for x, a, n, s, v in rows:  # the same deals through the row-by-row service
            services.opportunity_upsert(
                external_id=f"svc-{x}",
                account_external_id=a,
                name=n,
                stage=s,
                acv=Decimal(v),
                owner_email="ae@example.test",
            )
        assert _deal_trail("csv-") == _deal_trail("svc-")
        assert sorted(announced) == ["csv-1", "svc-1"]  # the open deal whose stage did not move is announced
        # A replay changes nothing and announces nothing; a stage moved goes through the stage change.
        announced.clear()
        before = _deal_trail("csv-")
        again = import_csv("opportunities", io.StringIO(csv))
        assert again.ok and _deal_trail("csv-") == before and announced == []
        moved = import_csv(
            "opportunities", io.StringIO(csv.replace("csv-1,a-0,Alpha,prospecting", "csv-1,a-0,Alpha,proposal"))
        )
        assert moved.ok
        assert ("1", "prospecting", "proposal") in _deal_trail("csv-")[1]
    finally:
        opportunity_updated.disconnect(dispatch_uid="test-merge-announced")


def test_an_opportunity_stage_the_service_refuses_imports_nothing_and_is_named(ae, batch_path):
    from gtmos.crm.models import Opportunity

    import_csv("accounts", accounts_csv(2))
    csv = OPPORTUNITIES + "o-1,a-0,Alpha,discovery,1,ae@example.test\no-2,a-1,Beta,closed_lost,1,ae@example.test\n"
    report = import_csv("opportunities", io.StringIO(csv))
    assert [(e.line, e.field) for e in report.errors] == [(3, "lost_reason")]
    assert not Opportunity.objects.exists()
    assert not Event.objects.filter(type="opportunity.created").exists()


CALLS = "external_id,owner_email,occurred_at,account_external_id,opportunity_external_id,objections,sentiment\n"


def test_calls_take_the_deal_s_account_and_keep_the_owner_s_role_on_a_replay(ae, batch_path):
    from gtmos.crm.models import ConvIntelligenceCall

    import_csv("accounts", accounts_csv(2))
    import_csv("opportunities", io.StringIO(OPPORTUNITIES + "o-1,a-1,Alpha,discovery,1,ae@example.test\n"))
    rows = CALLS + "c-1,ae@example.test,2026-02-01T10:00:00Z,,o-1,price|security review,0.5\n"
    report = import_csv("calls", io.StringIO(rows))
    assert (report.ok, report.created) == (True, 1), report.errors
    call = ConvIntelligenceCall.objects.get()
    assert (call.account.external_id, call.owner_role, call.objections) == ("a-1", "ae", ["price", "security review"])
    Employee.objects.filter(pk=ae.pk).update(role="am")
    xmins = _xmins("crm_convintelligencecall")
    again = import_csv("calls", io.StringIO(rows))
    assert again.ok and _xmins("crm_convintelligencecall") == xmins  # nothing rewritten, the role kept
    bad = import_csv("calls", io.StringIO(CALLS + "c-2,ghost@example.test,2026-02-01T10:00:00Z,,zzz,,\n"))
    assert {(e.line, e.field) for e in bad.errors} == {(2, "owner_email"), (2, "opportunity_external_id")}
