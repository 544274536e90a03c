"""Health inputs (surveys, tickets, QBRs, expansion plays, advocacy) through the ingest API and CSV import.

Per table: create, idempotent replay, update, field-level 422s, a good CSV file, and a bad CSV file that
reports every bad row and imports nothing.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.health.models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse
from gtmos.ingest.csv_import import import_csv
from gtmos.ingest.models import IdempotencyRecord, IntegrationToken
from tests.factories import AccountFactory, ContactFactory, EmployeeFactory
from tests.ingest.conftest import ApiClient

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    path: str
    table: str
    model: type
    payload: dict
    update: dict  # changed payload fields for the update
    updated: dict  # model attribute -> value after the update
    bad: list[tuple[dict, set[str]]]  # payload overrides -> the fields the 422 names
    csv_good: str
    csv_bad: str
    csv_bad_errors: set[tuple[int, str]] = field(default_factory=set)


CASES = {
    "surveys": Case(
        path="/surveys",
        table="surveys",
        model=SurveyResponse,
        payload={
            "external_id": "nps-1",
            "account_external_id": "acc-1",
            "contact_external_id": "ct-1",
            "kind": "nps",
            "score": 9,
            "responded_on": "2026-02-10",
            "comment": "Love the exports",
        },
        update={"score": 6, "comment": "Exports got slow"},
        updated={"score": 6, "comment": "Exports got slow"},
        bad=[
            ({"score": 11}, {"score"}),  # NPS is 0–10
            ({"kind": "csat", "score": 0}, {"score"}),  # CSAT is 1–5 (the model validator)
            ({"kind": "csat", "score": 6}, {"score"}),
            ({"kind": "ces", "responded_on": "last week"}, {"kind", "responded_on"}),
            ({"account_external_id": "nope"}, {"account_external_id"}),
            ({"contact_external_id": "ct-other"}, {"contact_external_id"}),  # a contact of another account
        ],
        csv_good=(
            "external_id,account_external_id,contact_external_id,kind,score,responded_on,comment\n"
            "nps-1,acc-1,ct-1,nps,9,2026-02-10,Love it\n"
            "csat-1,acc-1,,csat,4,2026-02-11,\n"
        ),
        csv_bad=(
            "external_id,account_external_id,contact_external_id,kind,score,responded_on,comment\n"
            "nps-1,acc-1,ct-1,nps,9,2026-02-10,fine row\n"
            "nps-2,acc-1,,nps,12,2026-02-10,\n"
            "csat-1,acc-1,,csat,7,2026-02-11,\n"
            "csat-2,ghost,,csat,3,2026-02-11,\n"
            "nps-3,acc-1,,nps,5,someday,\n"
        ),
        csv_bad_errors={(3, "score"), (4, "score"), (5, "account_external_id"), (6, "responded_on")},
    ),
    "tickets": Case(
        path="/tickets",
        table="tickets",
        model=SupportTicket,
        payload={
            "external_id": "zd-1",
            "account_external_id": "acc-1",
            "subject": "SSO login fails",
            "priority": "urgent",
            "status": "open",
            "opened_on": "2026-02-01",
        },
        update={"status": "solved", "closed_on": "2026-02-03"},
        updated={"status": "solved", "closed_on": dt.date(2026, 2, 3)},
        bad=[
            ({"status": "closed", "closed_on": "2026-01-31"}, {"closed_on"}),  # closed before opened
            ({"priority": "p0", "opened_on": "soon"}, {"priority", "opened_on"}),
            ({"account_external_id": "nope"}, {"account_external_id"}),
        ],
        csv_good=(
            "external_id,account_external_id,subject,priority,status,opened_on,closed_on\n"
            "zd-1,acc-1,SSO login fails,urgent,solved,2026-02-01,2026-02-03\n"
            "zd-2,acc-1,,,,2026-02-05,\n"
        ),
        csv_bad=(
            "external_id,account_external_id,subject,priority,status,opened_on,closed_on\n"
            "zd-1,acc-1,fine row,high,open,2026-02-01,\n"
            "zd-2,acc-1,,normal,closed,2026-02-05,2026-02-04\n"
            "zd-3,ghost,,normal,open,2026-02-05,\n"
            "zd-4,acc-1,,p0,open,2026-02-05,\n"
        ),
        csv_bad_errors={(3, "closed_on"), (4, "account_external_id"), (5, "priority")},
    ),
    "qbrs": Case(
        path="/qbrs",
        table="qbrs",
        model=QBRLog,
        payload={
            "external_id": "qbr-1",
            "account_external_id": "acc-1",
            "owner_email": "csm@example.test",
            "scheduled_for": "2026-03-15",
        },
        update={
            "status": "completed",
            "completed_on": "2026-03-16",
            "outcome": "positive",
            "exec_sponsor_attended": True,
        },
        updated={
            "status": "completed",
            "completed_on": dt.date(2026, 3, 16),
            "outcome": "positive",
            "exec_sponsor_attended": True,
        },
        bad=[
            ({"status": "completed"}, {"completed_on"}),  # completed needs its date
            ({"outcome": "positive"}, {"outcome"}),  # an outcome only when completed
            ({"status": "cancelled", "completed_on": "2026-03-15", "outcome": "negative"}, {"completed_on", "outcome"}),
            ({"status": "completed", "completed_on": "2026-03-16", "outcome": "great"}, {"outcome"}),
            ({"owner_email": "ghost@example.test"}, {"owner_email"}),
            ({"account_external_id": "nope"}, {"account_external_id"}),
        ],
        csv_good=(
            "external_id,account_external_id,owner_email,scheduled_for,status,completed_on,outcome,"
            "exec_sponsor_attended,notes\n"
            "qbr-1,acc-1,csm@example.test,2026-03-15,completed,2026-03-16,positive,true,Renewal on track\n"
            "qbr-2,acc-1,,2026-06-15,,,,,\n"
        ),
        csv_bad=(
            "external_id,account_external_id,owner_email,scheduled_for,status,completed_on,outcome,"
            "exec_sponsor_attended,notes\n"
            "qbr-1,acc-1,,2026-03-15,scheduled,,,,fine row\n"
            "qbr-2,acc-1,,2026-03-15,completed,,neutral,,\n"
            "qbr-3,acc-1,,2026-03-15,scheduled,,negative,,\n"
            "qbr-4,acc-1,ghost@example.test,2026-03-15,,,,,\n"
            "qbr-5,acc-1,,2026-03-15,,,,maybe,\n"
        ),
        csv_bad_errors={(3, "completed_on"), (4, "outcome"), (5, "owner_email"), (6, "exec_sponsor_attended")},
    ),
    "expansions": Case(
        path="/expansions",
        table="expansions",
        model=ExpansionLog,
        payload={
            "external_id": "exp-1",
            "account_external_id": "acc-1",
            "play": "seat expansion",
            "opened_on": "2026-01-20",
            "amount": "24000.00",
        },
        update={"status": "won", "closed_on": "2026-02-20", "amount": "30000"},
        updated={"status": "won", "closed_on": dt.date(2026, 2, 20), "amount": Decimal("30000")},
        bad=[
            ({"status": "lost", "closed_on": "2026-01-19"}, {"closed_on"}),  # closed before opened
            ({"status": "won"}, {"closed_on"}),  # won or lost needs its date
            ({"closed_on": "2026-02-01"}, {"closed_on"}),  # an open play has none
            ({"amount": "-5", "play": ""}, {"amount", "play"}),
            ({"status": "pending"}, {"status"}),
            ({"account_external_id": "nope"}, {"account_external_id"}),
        ],
        csv_good=(
            "external_id,account_external_id,play,status,opened_on,closed_on,amount,reason\n"
            "exp-1,acc-1,seat expansion,won,2026-01-20,2026-02-20,30000,\n"
            "exp-2,acc-1,cross-sell analytics,suppressed,2026-02-01,,0,account at risk\n"
        ),
        csv_bad=(
            "external_id,account_external_id,play,status,opened_on,closed_on,amount,reason\n"
            "exp-1,acc-1,seat expansion,open,2026-01-20,,1000,\n"
            "exp-2,acc-1,seat expansion,lost,2026-01-20,2026-01-10,1000,budget\n"
            "exp-3,acc-1,,open,2026-01-20,,1000,\n"
            "exp-4,ghost,seat expansion,open,2026-01-20,,-1,\n"
        ),
        csv_bad_errors={(3, "closed_on"), (4, "play"), (5, "amount")},
    ),
    "advocacy": Case(
        path="/advocacy",
        table="advocacy",
        model=AdvocacyRecord,
        payload={
            "external_id": "adv-1",
            "account_external_id": "acc-1",
            "kind": "case_study",
            "occurred_on": "2026-02-14",
        },
        update={"kind": "reference_call", "notes": "Took a call with a prospect"},
        updated={"kind": "reference_call", "notes": "Took a call with a prospect"},
        bad=[
            ({"kind": "tweet", "occurred_on": "2026-02-30"}, {"kind", "occurred_on"}),
            ({"account_external_id": "nope"}, {"account_external_id"}),
            ({"external_id": ""}, {"external_id"}),
        ],
        csv_good=(
            "external_id,account_external_id,kind,occurred_on,notes\n"
            "adv-1,acc-1,case_study,2026-02-14,Published\n"
            "adv-2,acc-1,referral,2026-02-20,\n"
        ),
        csv_bad=(
            "external_id,account_external_id,kind,occurred_on,notes\n"
            "adv-1,acc-1,case_study,2026-02-14,fine row\n"
            "adv-2,acc-1,tweet,2026-02-14,\n"
            "adv-3,ghost,review,2026-02-14,\n"
            "adv-4,acc-1,review,,\n"
        ),
        csv_bad_errors={(3, "kind"), (4, "account_external_id"), (5, "occurred_on")},
    ),
}
TABLES = pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())


@pytest.fixture
def api(client, db):
    _, raw = IntegrationToken.issue("health-feeds")
    return ApiClient(client, raw)


@pytest.fixture(autouse=True)
def world(db):
    """An account with a contact, a CSM who runs QBRs, and another account with its own contact."""
    csm = EmployeeFactory(
        role="csm", email="csm@example.test", user__username="csm-inputs", user__email="csm@example.test"
    )
    account = AccountFactory(external_id="acc-1", name="Acme", csm=csm)
    ContactFactory(account=account, external_id="ct-1")
    ContactFactory(account=AccountFactory(external_id="acc-2"), external_id="ct-other")
    return account


def _health_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE")) and '"health_' in q["sql"]]


def test_openapi_lists_the_health_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for case in CASES.values():
        assert f"/api/v1{case.path}" in paths


@TABLES
def test_create_then_replay_returns_the_first_response_and_writes_nothing(api, case, world):
    first = api.post(case.path, case.payload, key=f"{case.table}-create")
    assert first.status_code == 201, first.json()
    assert first.json()["created"] is True and first.json()["external_id"] == case.payload["external_id"]
    row = case.model.objects.get()
    assert row.account == world and row.pk == first.json()["id"]

    with CaptureQueriesContext(connection) as queries:
        replay = api.post(case.path, case.payload, key=f"{case.table}-create")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay["Idempotent-Replay"] == "true"
    assert not _health_writes(queries.captured_queries)
    assert case.model.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


@TABLES
def test_same_values_under_a_new_key_are_200_and_write_nothing(api, case):
    api.post(case.path, case.payload, key="first")
    with CaptureQueriesContext(connection) as queries:
        again = api.post(case.path, case.payload, key="second")
    assert again.status_code == 200 and again.json()["created"] is False
    assert not _health_writes(queries.captured_queries)
    assert case.model.objects.count() == 1


@TABLES
def test_update_is_200_and_changes_the_row(api, case):
    created = api.post(case.path, case.payload, key="create").json()
    response = api.post(case.path, {**case.payload, **case.update}, key="update")
    assert response.status_code == 200, response.json()
    assert response.json() == {**created, "created": False}
    row = case.model.objects.get()
    assert {name: getattr(row, name) for name in case.updated} == case.updated


@TABLES
def test_bad_payload_is_422_naming_each_bad_field(api, case):
    for i, (overrides, fields) in enumerate(case.bad):
        response = api.post(case.path, {**case.payload, **overrides}, key=f"bad-{i}")
        assert response.status_code == 422, (overrides, response.json())
        named = {error["field"] for error in response.json()["errors"]}
        assert named == fields, overrides
        assert all(error["message"] for error in response.json()["errors"])
    assert not case.model.objects.exists()
    assert not IdempotencyRecord.objects.exists()  # rejected requests keep no record


@TABLES
def test_csv_good_file_imports_and_reimport_updates(case):
    report = import_csv(case.table, io.StringIO(case.csv_good))
    assert report.ok, [str(e) for e in report.errors]
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    assert case.model.objects.count() == 2
    again = import_csv(case.table, io.StringIO(case.csv_good))
    assert again.ok and (again.created, again.updated) == (0, 2)
    assert case.model.objects.count() == 2


@TABLES
def test_csv_bad_file_reports_every_bad_row_and_imports_nothing(case):
    report = import_csv(case.table, io.StringIO(case.csv_bad))
    assert not report.ok
    assert {(e.line, e.field) for e in report.errors} == case.csv_bad_errors, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 0)
    assert not case.model.objects.exists()  # the good first row was rolled back too


def test_csv_rule_errors_from_the_service_name_the_field():
    data = (
        "external_id,account_external_id,contact_external_id,kind,score,responded_on\n"
        "nps-1,acc-1,ct-other,nps,9,2026-02-10\n"
    )
    report = import_csv("surveys", io.StringIO(data))
    assert [(e.line, e.field) for e in report.errors] == [(2, "contact_external_id")]
    assert "another account" in report.errors[0].message
    assert not SurveyResponse.objects.exists()


def test_qbr_owner_and_survey_contact_resolve(api, world):
    api.post("/qbrs", CASES["qbrs"].payload, key="q")
    api.post("/surveys", CASES["surveys"].payload, key="s")
    assert QBRLog.objects.get().owner == world.csm
    assert SurveyResponse.objects.get().contact.external_id == "ct-1"


def test_admin_lists_the_health_inputs(admin_client, api):
    for case in CASES.values():
        api.post(case.path, case.payload, key=case.table)
    for model in ("surveyresponse", "supportticket", "qbrlog", "expansionlog", "advocacyrecord"):
        response = admin_client.get(f"/admin/health/{model}/", {"q": "acme"})
        assert response.status_code == 200, model
        assert b"Acme" in response.content, model
