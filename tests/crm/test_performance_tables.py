"""The rep-performance records AGT-701 reads (seed 001): territories, quotas (QuotaStore), the quota
retirement ledger, comp plans' activity expectations and SDR cadence touches (CadenceEventLog).

Per table through the ingest API and CSV import: create, idempotent replay, update, field-level 422s, a
good CSV file, and a bad CSV file that reports every bad row and imports nothing. Then the tables' own
constraints, the rules the services check, who sees what, the admin, and QuoteLog = crm.Quote.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from enrichment.models import Lead
from gtmos.comp.models import CompPlan
from gtmos.comp.services import comp_plan_upsert
from gtmos.crm.models import CadenceEventLog, Quota, QuotaRetirementLedger, Quote, Role, TerritoryDefinition
from gtmos.crm.services import ReferenceNotFound, cadence_event_upsert, quota_ledger_upsert, quota_upsert
from gtmos.ingest.csv_import import import_csv
from gtmos.ingest.models import IdempotencyRecord, IntegrationToken
from tests.factories import AccountFactory, ContactFactory, EmployeeFactory, OpportunityFactory
from tests.ingest.conftest import ApiClient

pytestmark = pytest.mark.django_db

LEAD_ID = "6f1c2b8e-4d4a-4c1e-9a57-0d3f5b8a1e22"


@dataclass(frozen=True)
class Case:
    path: str
    table: str
    rows: callable  # the rows this case writes (the world may hold others of the same model)
    payload: dict
    update: dict
    updated: dict
    bad: list[tuple[dict, set[str]]]
    csv_good: str
    csv_bad: str
    csv_bad_errors: set[tuple[int, str]] = field(default_factory=set)


CASES = {
    "territories": Case(
        path="/territories",
        table="territories",
        rows=lambda: TerritoryDefinition.objects.exclude(name="West"),
        payload={"name": "Central", "segment": "mm", "region": "US Central", "owner_email": "mgr@example.test"},
        update={"region": "US Midwest", "is_active": False},
        updated={"region": "US Midwest", "is_active": False},
        bad=[
            ({"segment": "huge", "name": ""}, {"segment", "name"}),
            ({"owner_email": "ghost@example.test"}, {"owner_email"}),
            ({"owner_email": "not-an-email"}, {"owner_email"}),
        ],
        csv_good=(
            "name,segment,region,owner_email,is_active\nCentral,mm,US Central,mgr@example.test,true\nEast,,US East,,\n"
        ),
        csv_bad=(
            "name,segment,region,owner_email,is_active\n"
            "Central,mm,US Central,,\n"
            "East,galactic,,,\n"
            "North,,,ghost@example.test,\n"
            ",smb,,,\n"
        ),
        csv_bad_errors={(3, "segment"), (4, "owner_email"), (5, "name")},
    ),
    "quotas": Case(
        path="/quotas",
        table="quotas",
        rows=lambda: Quota.objects.filter(rep__email="ae@example.test"),
        payload={
            "rep_email": "ae@example.test",
            "period": "2026-Q2",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "amount": "250000.00",
            "territory": "West",
        },
        update={"amount": "275000", "segment": "ent"},
        updated={"amount": Decimal("275000"), "segment": "ent"},
        bad=[
            ({"period_end": "2026-03-31"}, {"period_end"}),  # ends before it starts
            ({"amount": "-1", "segment": "huge"}, {"amount", "segment"}),
            ({"rep_email": "ghost@example.test"}, {"rep_email"}),
            ({"territory": "Atlantis"}, {"territory"}),
            (
                {
                    "rep_email": "am@example.test",
                    "period": "2026-Q1b",
                    "period_start": "2026-03-01",  # overlaps Q1
                    "period_end": "2026-05-31",
                },
                {"period_start"},
            ),
        ],
        csv_good=(
            "rep_email,period,period_start,period_end,amount,segment,territory\n"
            "ae@example.test,2026-Q2,2026-04-01,2026-06-30,250000,,West\n"
            "ae@example.test,2026-Q3,2026-07-01,2026-09-30,260000,mm,\n"
        ),
        csv_bad=(
            "rep_email,period,period_start,period_end,amount,segment,territory\n"
            "ae@example.test,2026-Q2,2026-04-01,2026-06-30,250000,,\n"
            "ae@example.test,2026-Q3,2026-07-01,2026-06-30,260000,,\n"
            "ghost@example.test,2026-Q3,2026-07-01,2026-09-30,260000,,\n"
            "ae@example.test,2026-Q4,2026-10-01,2026-12-31,lots,,\n"
            "ae@example.test,2026-Q2x,2026-05-01,2026-07-31,1,,\n"
        ),
        csv_bad_errors={(3, "period_end"), (4, "rep_email"), (5, "amount"), (6, "period_start")},
    ),
    "quota_ledger": Case(
        path="/quota-ledger",
        table="quota_ledger",
        rows=lambda: QuotaRetirementLedger.objects.all(),
        payload={
            "rep_email": "am@example.test",
            "period": "2026-Q1",
            "as_of_date": "2026-02-13",
            "closed_amount": "40000",
            "committed_amount": "25000",
            "rep_commit": "90000",
        },
        update={"closed_amount": "52000", "committed_amount": "18000"},
        updated={"closed_amount": Decimal("52000"), "committed_amount": Decimal("18000")},
        bad=[
            ({"period": "2025-Q9"}, {"period"}),  # no such quota for this rep
            ({"rep_email": "ae@example.test"}, {"period"}),  # the AE has no 2026-Q1 quota
            ({"as_of_date": "2025-12-31"}, {"as_of_date"}),  # before the period starts
            ({"closed_amount": "-5", "rep_commit": "-1"}, {"closed_amount", "rep_commit"}),
            ({"as_of_date": "soon"}, {"as_of_date"}),
        ],
        csv_good=(
            "rep_email,period,as_of_date,closed_amount,committed_amount,rep_commit\n"
            "am@example.test,2026-Q1,2026-02-13,40000,25000,90000\n"
            "am@example.test,2026-Q1,2026-02-20,45000,20000,\n"
        ),
        csv_bad=(
            "rep_email,period,as_of_date,closed_amount,committed_amount,rep_commit\n"
            "am@example.test,2026-Q1,2026-02-13,40000,25000,90000\n"
            "am@example.test,2026-Q7,2026-02-20,45000,20000,\n"
            "am@example.test,2026-Q1,2025-02-20,45000,20000,\n"
            "am@example.test,2026-Q1,2026-02-27,-1,20000,\n"
        ),
        csv_bad_errors={(3, "period"), (4, "as_of_date"), (5, "closed_amount")},
    ),
    "comp_plans": Case(
        path="/comp-plans",
        table="comp_plans",
        rows=lambda: CompPlan.objects.all(),
        payload={
            "period": "FY2026",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "role": "sdr",
            "touches_per_week": 200,
            "calls_per_week": 50,
            "meetings_per_month": 8,
        },
        update={"touches_per_week": 220, "meetings_per_month": 10},
        updated={"touches_per_week": 220, "meetings_per_month": 10},
        bad=[
            ({"role": "", "segment": ""}, {"role"}),  # for whom?
            ({"employee_email": "sdr@example.test"}, {"role"}),  # an employee or a role, not both
            ({"role": "wizard", "touches_per_week": -3}, {"role", "touches_per_week"}),
            ({"period_end": "2025-12-31"}, {"period_end"}),
            ({"role": "", "employee_email": "ghost@example.test"}, {"employee_email"}),
        ],
        csv_good=(
            "period,period_start,period_end,employee_email,role,segment,touches_per_week,calls_per_week,"
            "meetings_per_month\n"
            "FY2026,2026-01-01,2026-12-31,,sdr,,200,50,8\n"
            "FY2026,2026-01-01,2026-12-31,sdr@example.test,,,150,,5\n"
        ),
        csv_bad=(
            "period,period_start,period_end,employee_email,role,segment,touches_per_week,calls_per_week,"
            "meetings_per_month\n"
            "FY2026,2026-01-01,2026-12-31,,sdr,,200,50,8\n"
            "FY2026,2026-01-01,2026-12-31,,,,200,50,8\n"
            "FY2026,2026-01-01,2026-12-31,ghost@example.test,,,200,,\n"
            "FY2026,2026-01-01,2026-12-31,,ae,mm,many,,\n"
            "FY2026b,2026-06-01,2027-05-31,,sdr,,200,50,8\n"
        ),
        csv_bad_errors={(3, "role"), (4, "employee_email"), (5, "touches_per_week"), (6, "period_start")},
    ),
    "cadence_events": Case(
        path="/cadence-events",
        table="cadence_events",
        rows=lambda: CadenceEventLog.objects.all(),
        payload={
            "external_id": "out-1",
            "sdr_email": "sdr@example.test",
            "occurred_at": "2026-02-10T15:00:00Z",
            "cadence_type": "cold",
            "cadence_id": "seq-cold-8",
            "cadence_name": "Cold outbound",
            "step": 3,
            "channel": "call",
            "lead_id": LEAD_ID,
            "risk_flags": ["no_voicemail_left"],
        },
        update={
            "responded": True,
            "responded_at": "2026-02-10T16:30:00Z",
            "meeting_booked": True,
            "meeting_accepted": True,
            "opportunity_external_id": "opp-1",
            "risk_flags": [],
        },
        updated={"responded": True, "meeting_booked": True, "meeting_accepted": True, "risk_flags": []},
        bad=[
            ({"meeting_booked": True}, {"meeting_booked"}),  # a meeting is a response
            ({"meeting_accepted": True}, {"meeting_accepted"}),
            ({"responded_at": "2026-02-10T16:30:00Z"}, {"responded_at"}),  # no response, no response time
            ({"responded": True, "responded_at": "2026-02-09T16:30:00Z"}, {"responded_at"}),  # before the touch
            ({"opportunity_external_id": "opp-1"}, {"opportunity_external_id"}),  # no meeting, no opportunity
            ({"step": 0, "channel": "fax", "cadence_type": "lukewarm"}, {"step", "channel", "cadence_type"}),
            ({"lead_id": None}, {"lead_id"}),  # names no prospect
            ({"lead_id": "not-a-uuid"}, {"lead_id"}),
            ({"lead_id": "00000000-0000-4000-8000-000000000000"}, {"lead_id"}),
            ({"lead_email": "pat@prospect.test"}, {"lead_email"}),  # id or email, not both
            ({"sdr_email": "ghost@example.test"}, {"sdr_email"}),
            ({"account_external_id": "acc-1", "contact_external_id": "ct-other"}, {"contact_external_id"}),
            (
                {
                    "account_external_id": "acc-2",
                    "responded": True,
                    "meeting_booked": True,
                    "opportunity_external_id": "opp-1",
                },
                {"opportunity_external_id"},
            ),
        ],
        csv_good=(
            "external_id,sdr_email,occurred_at,cadence_type,cadence_id,step,channel,lead_email,"
            "contact_external_id,responded,responded_at,meeting_booked,meeting_accepted,risk_flags\n"
            "out-1,sdr@example.test,2026-02-10T15:00:00Z,cold,seq-cold-8,1,email,pat@prospect.test,,,,,,\n"
            "out-2,sdr@example.test,2026-02-12T15:00:00Z,abm,seq-abm-10,2,email,,ct-1,true,"
            "2026-02-12T18:00:00Z,true,,off_persona|bounced\n"
        ),
        csv_bad=(
            "external_id,sdr_email,occurred_at,cadence_type,cadence_id,step,channel,lead_email,"
            "contact_external_id,responded,responded_at,meeting_booked,meeting_accepted,risk_flags\n"
            "out-1,sdr@example.test,2026-02-10T15:00:00Z,cold,seq-cold-8,1,email,pat@prospect.test,,,,,,\n"
            "out-2,sdr@example.test,2026-02-10T15:00:00Z,cold,seq-cold-8,2,email,nobody@prospect.test,,,,,,\n"
            "out-3,sdr@example.test,2026-02-10T15:00:00Z,cold,seq-cold-8,3,pigeon,,ct-1,,,,,\n"
            "out-4,sdr@example.test,2026-02-10T15:00:00Z,cold,seq-cold-8,4,email,,ct-1,,,true,,\n"
            "out-5,sdr@example.test,2026-02-10T15:00:00Z,warm,seq-warm-5,1,email,,,,,,,\n"
        ),
        csv_bad_errors={(3, "lead_email"), (4, "channel"), (5, "meeting_booked"), (6, "lead_id")},
    ),
}
TABLES = pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())


@pytest.fixture
def api(client, db):
    _, raw = IntegrationToken.issue("comp-system")
    return ApiClient(client, raw)


@pytest.fixture(autouse=True)
def world(db):
    """A manager with an AE, an AM (with a 2026-Q1 quota) and an SDR; a territory; two accounts with a
    contact each and a deal on the first; a prospect Lead."""
    manager = EmployeeFactory(
        role=Role.MANAGER, email="mgr@example.test", user__username="mgr-perf", user__email="mgr@example.test"
    )
    ae = EmployeeFactory(
        role=Role.AE,
        email="ae@example.test",
        segment="mm",
        manager=manager,
        user__username="ae-perf",
        user__email="ae@example.test",
    )
    am = EmployeeFactory(
        role=Role.AM,
        email="am@example.test",
        segment="smb",
        manager=manager,
        user__username="am-perf",
        user__email="am@example.test",
    )
    sdr = EmployeeFactory(
        role=Role.SDR,
        email="sdr@example.test",
        manager=manager,
        user__username="sdr-perf",
        user__email="sdr@example.test",
    )
    TerritoryDefinition.objects.create(name="West", segment="mm", region="US West", owner=manager)
    Quota.objects.create(
        rep=am,
        period="2026-Q1",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        amount=Decimal("100000"),
        segment="smb",
    )
    account = AccountFactory(external_id="acc-1", name="Acme", owner=ae)
    ContactFactory(account=account, external_id="ct-1")
    ContactFactory(account=AccountFactory(external_id="acc-2", owner=ae), external_id="ct-other")
    OpportunityFactory(account=account, external_id="opp-1", owner=ae, sdr=sdr)
    Lead.objects.create(
        id=LEAD_ID, email="pat@prospect.test", name="Pat Doe", source="outbound", idempotency_key="lead-perf-1"
    )
    return {"manager": manager, "ae": ae, "am": am, "sdr": sdr, "account": account}


def _performance_writes(queries) -> list[str]:
    tables = ('"crm_quota', '"crm_territorydefinition"', '"crm_cadenceeventlog"', '"comp_compplan"')
    return [
        q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE")) and any(t in q["sql"] for t in tables)
    ]


def test_openapi_lists_the_performance_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for case in CASES.values():
        assert f"/api/v1{case.path}" in paths


@TABLES
def test_create_then_replay_returns_the_first_response_and_writes_nothing(api, case):
    first = api.post(case.path, case.payload, key=f"{case.table}-create")
    assert first.status_code == 201, first.json()
    assert first.json()["created"] is True
    row = case.rows().get()
    assert row.pk == first.json()["id"]

    with CaptureQueriesContext(connection) as queries:
        replay = api.post(case.path, case.payload, key=f"{case.table}-create")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay["Idempotent-Replay"] == "true"
    assert not _performance_writes(queries.captured_queries)
    assert case.rows().count() == 1 and IdempotencyRecord.objects.count() == 1


@TABLES
def test_same_values_under_a_new_key_are_200_and_write_nothing(api, case):
    api.post(case.path, case.payload, key="first")
    with CaptureQueriesContext(connection) as queries:
        again = api.post(case.path, case.payload, key="second")
    assert again.status_code == 200 and again.json()["created"] is False
    assert not _performance_writes(queries.captured_queries)
    assert case.rows().count() == 1


@TABLES
def test_update_is_200_and_changes_the_row(api, case):
    created = api.post(case.path, case.payload, key="create").json()
    response = api.post(case.path, {**case.payload, **case.update}, key="update")
    assert response.status_code == 200, response.json()
    assert response.json() == {**created, "created": False}
    row = case.rows().get()
    assert {name: getattr(row, name) for name in case.updated} == case.updated


@TABLES
def test_bad_payload_is_422_naming_each_bad_field(api, case):
    before = case.rows().count()
    for i, (overrides, fields) in enumerate(case.bad):
        response = api.post(case.path, {**case.payload, **overrides}, key=f"bad-{i}")
        assert response.status_code == 422, (overrides, response.json())
        named = {error["field"] for error in response.json()["errors"]}
        assert named == fields, (overrides, response.json())
        assert all(error["message"] for error in response.json()["errors"])
    assert case.rows().count() == before
    assert not IdempotencyRecord.objects.exists()  # rejected requests keep no record


@TABLES
def test_csv_good_file_imports_and_reimport_updates(case):
    report = import_csv(case.table, io.StringIO(case.csv_good))
    assert report.ok, [str(e) for e in report.errors]
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    assert case.rows().count() == 2
    again = import_csv(case.table, io.StringIO(case.csv_good))
    assert again.ok and (again.created, again.updated) == (0, 2)
    assert case.rows().count() == 2


@TABLES
def test_csv_bad_file_reports_every_bad_row_and_imports_nothing(case):
    report = import_csv(case.table, io.StringIO(case.csv_bad))
    assert not report.ok
    assert {(e.line, e.field) for e in report.errors} == case.csv_bad_errors, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 0)
    assert not case.rows().exists()  # the good first row was rolled back too


# --- what the rows mean ---------------------------------------------------------------------------


def test_quota_takes_the_rep_segment_and_the_territory(world):
    quota, created = quota_upsert(
        rep_email="AE@example.test",
        period="2026-Q2",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
        amount=Decimal("250000"),
        territory="West",
    )
    assert created and quota.rep == world["ae"] and quota.segment == "mm" and quota.territory.name == "West"
    assert quota.days == 91


def test_quota_periods_of_one_rep_cannot_overlap_but_other_reps_can(world):
    with pytest.raises(ValueError, match="period_start: .* overlaps 2026-Q1"):
        quota_upsert(
            rep_email="am@example.test",
            period="2026-M3",
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            amount=1,
        )
    _, created = quota_upsert(
        rep_email="ae@example.test",
        period="2026-Q1",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        amount=1,
    )
    assert created


def test_ledger_rows_are_per_quota_and_day_and_replace_in_place(world):
    args = {"rep_email": "am@example.test", "period": "2026-Q1", "as_of_date": dt.date(2026, 2, 6)}
    row, created = quota_ledger_upsert(**args, closed_amount=Decimal("10000"), rep_commit=Decimal("80000"))
    assert created and row.quota.rep == world["am"]
    again, created = quota_ledger_upsert(**args, closed_amount=Decimal("12000"), rep_commit=Decimal("80000"))
    assert not created and again.pk == row.pk and again.closed_amount == 12000
    with pytest.raises(ReferenceNotFound) as missing:
        quota_ledger_upsert(rep_email="ae@example.test", period="2026-Q1", as_of_date=dt.date(2026, 2, 6))
    assert missing.value.field == "period"


def test_forecast_accuracy_and_pace_are_one_query_each(world):
    """The reads the coaching engine makes: commit (mid-period) vs closed (last row), and closed +
    committed vs the time-weighted quota pace."""
    for day, closed, committed, commit in [
        (dt.date(2026, 2, 13), 30000, 40000, 90000),
        (dt.date(2026, 3, 31), 72000, 0, 75000),
    ]:
        quota_ledger_upsert(
            rep_email="am@example.test",
            period="2026-Q1",
            as_of_date=day,
            closed_amount=closed,
            committed_amount=committed,
            rep_commit=commit,
        )
    ledger = QuotaRetirementLedger.objects.filter(quota__rep=world["am"], quota__period="2026-Q1")
    last = ledger.order_by("-as_of_date").first()
    mid = ledger.filter(as_of_date__lte=dt.date(2026, 2, 15)).order_by("-as_of_date").first()
    assert mid.rep_commit / last.closed_amount == Decimal(90000) / Decimal(72000)  # 125%: an optimist
    quota = mid.quota
    pace = quota.amount * ((mid.as_of_date - quota.period_start).days + 1) / quota.days
    assert round((mid.closed_amount + mid.committed_amount) / pace, 2) == Decimal("1.43")  # 70k vs 44/90 of 100k


def test_comp_plan_overlaps_are_refused_for_the_same_people_only(world):
    kwargs = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 12, 31), "touches_per_week": 200}
    comp_plan_upsert(period="FY2026", role="sdr", **kwargs)
    with pytest.raises(ValueError, match="period_start: .* overlaps plan FY2026"):
        comp_plan_upsert(
            period="FY2026-H2", role="sdr", period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 12, 31)
        )
    comp_plan_upsert(period="FY2026", role="sdr", segment="ent", **kwargs)  # a segment's own plan
    plan, created = comp_plan_upsert(period="FY2026-ramp", employee_email="sdr@example.test", **kwargs)
    assert created and plan.employee == world["sdr"] and plan.role == "" and CompPlan.objects.count() == 3


def test_cadence_touch_takes_its_account_from_the_contact_or_the_deal(world):
    touch, _ = cadence_event_upsert(
        external_id="t-1",
        sdr_email="sdr@example.test",
        occurred_at=dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC),
        cadence_type="abm",
        cadence_id="seq-abm",
        step=1,
        channel="email",
        contact_external_id="ct-1",
    )
    assert touch.account == world["account"] and touch.lead is None
    booked, _ = cadence_event_upsert(
        external_id="t-2",
        sdr_email="sdr@example.test",
        occurred_at=dt.datetime(2026, 2, 11, 15, tzinfo=dt.UTC),
        cadence_type="abm",
        cadence_id="seq-abm",
        step=2,
        channel="call",
        responded=True,
        meeting_booked=True,
        opportunity_external_id="opp-1",
    )
    assert booked.account == world["account"] and booked.opportunity.external_id == "opp-1"


def test_cadence_lead_email_resolves_to_the_latest_lead_with_that_email(world):
    newer = Lead.objects.create(
        email="pat@prospect.test",
        source="outbound",
        idempotency_key="lead-perf-2",
        captured_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    touch, _ = cadence_event_upsert(
        external_id="t-1",
        sdr_email="sdr@example.test",
        occurred_at=dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC),
        cadence_type="cold",
        cadence_id="seq-cold",
        step=1,
        channel="email",
        lead_email="PAT@prospect.test",
    )
    assert touch.lead == newer


def test_deleting_a_lead_s_personal_data_keeps_the_sdr_s_touches(world):
    from enrichment.services.leads import lead_delete

    touch, _ = cadence_event_upsert(
        external_id="t-1",
        sdr_email="sdr@example.test",
        occurred_at=dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC),
        cadence_type="cold",
        cadence_id="seq-cold",
        step=1,
        channel="email",
        lead_id=LEAD_ID,
        responded=True,
    )
    lead_delete(lead=Lead.objects.get(pk=LEAD_ID))
    touch.refresh_from_db()
    assert touch.lead is None and touch.responded and touch.sdr == world["sdr"]


@pytest.mark.parametrize(
    "fields, constraint",
    [
        ({"step": 0}, "cadence_step_from_1"),
        ({"responded_at": dt.datetime(2026, 2, 10, 16, tzinfo=dt.UTC)}, "cadence_responded_at_needs_response"),
        ({"responded": True, "responded_at": dt.datetime(2026, 2, 9, tzinfo=dt.UTC)}, "cadence_response_after_touch"),
        ({"meeting_booked": True}, "cadence_meeting_is_a_response"),
        ({"responded": True, "meeting_accepted": True}, "cadence_accepted_needs_booked"),
        ({"responded": True, "opportunity_external": True}, "cadence_opportunity_needs_meeting"),
    ],
)
def test_cadence_outcome_funnel_is_enforced_by_the_table(world, fields, constraint):
    values = {
        "external_id": "t-x",
        "sdr": world["sdr"],
        "account": world["account"],
        "cadence_type": "cold",
        "cadence_id": "c",
        "step": 1,
        "channel": "email",
        "occurred_at": dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC),
        **fields,
    }
    if values.pop("opportunity_external", None):
        values["opportunity"] = world["account"].opportunities.get()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        CadenceEventLog.objects.create(**values)


@pytest.mark.parametrize(
    "make, constraint",
    [
        (
            lambda w: Quota.objects.create(
                rep=w["ae"], period="x", period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 4, 1), amount=1
            ),
            "quota_period_ordered",
        ),
        (
            lambda w: Quota.objects.create(
                rep=w["am"],
                period="2026-Q1",
                period_start=dt.date(2027, 1, 1),
                period_end=dt.date(2027, 3, 31),
                amount=1,
            ),
            "quota_once_per_rep_period",
        ),
        (
            lambda w: Quota.objects.create(
                rep=w["ae"], period="x", period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 6, 30), amount=-1
            ),
            "quota_amount_non_negative",
        ),
        (
            lambda w: [
                QuotaRetirementLedger.objects.create(quota=w["am"].quotas.get(), as_of_date=dt.date(2026, 2, 6))
                for _ in range(2)
            ],
            "quota_ledger_once_per_day",
        ),
        (
            lambda w: QuotaRetirementLedger.objects.create(
                quota=w["am"].quotas.get(), as_of_date=dt.date(2026, 2, 6), rep_commit=-1
            ),
            "quota_ledger_amounts_non_negative",
        ),
        (
            lambda w: CompPlan.objects.create(
                period="FY", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
            ),
            "comp_plan_for_employee_or_role",
        ),
        (
            lambda w: CompPlan.objects.create(
                employee=w["sdr"],
                role="sdr",
                period="FY",
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
            ),
            "comp_plan_for_employee_or_role",
        ),
        (
            lambda w: [
                CompPlan.objects.create(
                    role="sdr", period="FY", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
                )
                for _ in range(2)
            ],
            "comp_plan_once_per_role_segment_period",
        ),
        (
            lambda w: [
                CompPlan.objects.create(
                    employee=w["sdr"], period="FY", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
                )
                for _ in range(2)
            ],
            "comp_plan_once_per_employee_period",
        ),
    ],
)
def test_quota_ledger_and_plan_constraints(world, make, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make(world)


def test_a_rep_sees_own_records_their_manager_sees_the_team_others_nothing(world):
    other_manager = EmployeeFactory(role=Role.MANAGER, user__username="mgr-other")
    quota_ledger_upsert(rep_email="am@example.test", period="2026-Q1", as_of_date=dt.date(2026, 2, 6))
    cadence_event_upsert(
        external_id="t-1",
        sdr_email="sdr@example.test",
        occurred_at=dt.datetime(2026, 2, 10, 15, tzinfo=dt.UTC),
        cadence_type="cold",
        cadence_id="c",
        step=1,
        channel="email",
        lead_id=LEAD_ID,
    )
    sdr, am, manager = world["sdr"].user, world["am"].user, world["manager"].user
    assert CadenceEventLog.objects.visible_to(sdr).count() == 1
    assert CadenceEventLog.objects.visible_to(am).count() == 0
    assert CadenceEventLog.objects.visible_to(manager).count() == 1
    assert Quota.objects.visible_to(am).count() == 1 and Quota.objects.visible_to(sdr).count() == 0
    assert QuotaRetirementLedger.objects.visible_to(am).count() == 1
    assert QuotaRetirementLedger.objects.visible_to(manager).count() == 1
    assert not QuotaRetirementLedger.objects.visible_to(other_manager.user).exists()
    assert not CadenceEventLog.objects.visible_to(other_manager.user).exists()


def test_admin_lists_the_performance_records(admin_client, api):
    for case in CASES.values():
        api.post(case.path, case.payload, key=case.table)
    for path, query in [
        ("crm/territorydefinition", "Central"),
        ("crm/quota", "Person"),
        ("crm/quotaretirementledger", "Person"),
        ("crm/cadenceeventlog", "seq-cold"),
        ("comp/compplan", "FY2026"),
    ]:
        response = admin_client.get(f"/admin/{path}/", {"q": query})
        assert response.status_code == 200, path
    quota = Quota.objects.get(period="2026-Q1")
    assert admin_client.get(f"/admin/crm/quota/{quota.pk}/change/").status_code == 200


def test_quote_log_is_crm_quote_and_its_import_carries_discount_and_term_exceptions(world):
    """Seed 001's QuoteLog: discount depth and term exceptions per quote, attributed through the deal."""
    data = (
        "external_id,opportunity_external_id,created_at,status,term_months,discount_pct,term_exception\n"
        "q-1,opp-1,2026-02-01T10:00:00Z,sent,36,27.5,true\n"
    )
    report = import_csv("quotes", io.StringIO(data))
    assert report.ok, [str(e) for e in report.errors]
    quote = Quote.objects.select_related("opportunity__owner", "opportunity__account").get()
    assert (quote.discount_pct, quote.term_exception, quote.term_months) == (Decimal("27.5"), True, 36)
    assert quote.opportunity.owner == world["ae"] and quote.opportunity.account.segment == "mm"


TOUCHES = "external_id,sdr_email,occurred_at,cadence_type,cadence_id,step,channel,responded,meeting_booked,"


def test_cadence_csv_is_set_based_with_the_service_s_account_lead_and_rules(world, settings):
    """Issue 21: import_csv writes cadence touches through the set-based merge — the account from the contact
    or the deal, the latest lead with an email, the agreement rules named — both merge paths."""
    newer = Lead.objects.create(
        email="pat@prospect.test",
        source="outbound",
        idempotency_key="lead-perf-csv",
        captured_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    header = TOUCHES + "contact_external_id,opportunity_external_id,lead_email\n"
    for threshold in (10**6, 0):  # every batch small, then every batch staged
        settings.INGEST_SMALL_BATCH_ROWS = threshold
        good = (
            header + f"t-a{threshold},sdr@example.test,2026-02-10T15:00:00Z,abm,seq-abm,1,email,false,false,ct-1,,\n"
            f"t-b{threshold},sdr@example.test,2026-02-11T15:00:00Z,abm,seq-abm,2,call,true,true,,opp-1,\n"
            f"t-c{threshold},sdr@example.test,2026-02-12T15:00:00Z,cold,seq-cold,1,email,false,false,,,PAT@prospect.test\n"
        )
        report = import_csv("cadence_events", io.StringIO(good))
        assert report.ok and report.created == 3, [str(e) for e in report.errors]
        touches = {t.external_id[:3]: t for t in CadenceEventLog.objects.filter(external_id__endswith=str(threshold))}
        assert touches["t-a"].account == world["account"] and touches["t-a"].lead is None
        assert touches["t-b"].account == world["account"] and touches["t-b"].opportunity.external_id == "opp-1"
        assert touches["t-c"].lead == newer
    before = CadenceEventLog.objects.count()
    bad = import_csv(
        "cadence_events",
        io.StringIO(
            header + "t-y,ghost@example.test,2026-02-10T15:00:00Z,cold,seq-cold,1,email,false,false,,,nobody@x.test\n"
        ),
    )
    assert {(e.line, e.field) for e in bad.errors} == {(2, "sdr_email"), (2, "lead_email")}
    assert CadenceEventLog.objects.count() == before
