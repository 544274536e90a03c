"""Ingest API: schema served, token auth, field-level 4xx, idempotent replays, 409 on key reuse."""

import pytest

from gtmos.audit.models import Event
from gtmos.crm.models import Account, ConvIntelligenceCall, Opportunity, OpportunityStageChange, UsageDaily
from gtmos.crm.signals import order_closed_won
from gtmos.ingest.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

ACCOUNT = {
    "external_id": "sf-001",
    "name": "Acme",
    "segment": "ent",
    "owner_email": "ae@example.test",
    "arr": "120000.00",
    "contracted_seats": 300,
}


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/accounts",
        "/api/v1/contacts",
        "/api/v1/opportunities",
        "/api/v1/orders",
        "/api/v1/quotes",
        "/api/v1/calls",
        "/api/v1/usage",
        "/api/v1/activities",
    ]:
        assert path in paths


def test_write_without_token_is_401(api):
    response = api.post("/accounts", ACCOUNT, token="wrong")
    assert response.status_code == 401
    assert not Account.objects.exists()


def test_write_without_idempotency_key_is_400(api, ae):
    response = api.post("/accounts", ACCOUNT, key=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Account.objects.exists()


def test_bad_payload_is_422_naming_each_field(api, ae):
    response = api.post("/accounts", {**ACCOUNT, "segment": "galactic", "arr": "-5", "contracted_seats": "many"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"segment", "arr", "contracted_seats"} <= fields
    assert not Account.objects.exists()


def test_unknown_reference_is_422_naming_the_field(api, ae):
    response = api.post("/accounts", {**ACCOUNT, "owner_email": "nobody@example.test"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "owner_email", "message": "no record matches 'nobody@example.test'", "code": "missing_reference"}
    ]
    assert not Account.objects.exists()
    # A rejected request keeps no idempotency record: fixing the payload under the same key works.
    assert api.post("/accounts", ACCOUNT).status_code == 201


def test_replay_returns_the_first_response_and_writes_nothing(api, ae):
    first = api.post("/accounts", ACCOUNT, key="acct-sf-001-v1")
    events = Event.objects.count()
    replay = api.post("/accounts", ACCOUNT, key="acct-sf-001-v1")
    assert first.status_code == replay.status_code == 201
    assert first.json() == replay.json()
    assert replay["Idempotent-Replay"] == "true"
    assert Account.objects.count() == 1 and Event.objects.count() == events
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_with_a_different_payload_is_409(api, ae):
    api.post("/accounts", ACCOUNT, key="k")
    response = api.post("/accounts", {**ACCOUNT, "name": "Acme Renamed"}, key="k")
    assert response.status_code == 409
    assert Account.objects.get().name == "Acme"


def test_new_key_same_record_updates_without_duplicating(api, ae):
    api.post("/accounts", ACCOUNT, key="a")
    response = api.post("/accounts", {**ACCOUNT, "arr": "150000"}, key="b")
    assert response.status_code == 200 and response.json()["created"] is False
    assert Account.objects.get().arr == 150000


def _seed_deal(api):
    api.post("/accounts", ACCOUNT, key="acct")
    return api.post(
        "/opportunities",
        {
            "external_id": "opp-1",
            "account_external_id": "sf-001",
            "name": "Acme new",
            "acv": "90000",
            "deal_health_score": 80,
            "stage": "discovery",
        },
        key="opp",
    )


def test_opportunity_stage_changes_keep_history(api, ae):
    assert _seed_deal(api).status_code == 201
    response = api.post("/opportunities/opp-1/stage", {"stage": "proposal"}, key="stage-1")
    assert response.status_code == 200
    opp = Opportunity.objects.get(external_id="opp-1")
    assert opp.stage == "proposal"
    assert list(OpportunityStageChange.objects.values_list("from_stage", "to_stage")) == [
        ("prospecting", "discovery"),
        ("discovery", "proposal"),
    ]
    bad = api.post("/opportunities/opp-1/stage", {"stage": "closed_lost"}, key="stage-2")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lost_reason"


def test_health_score_out_of_range_is_rejected(api, ae):
    api.post("/accounts", ACCOUNT, key="acct")
    response = api.post(
        "/opportunities",
        {"external_id": "o", "account_external_id": "sf-001", "name": "x", "deal_health_score": 140},
        key="o",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deal_health_score"


def test_closed_won_order_signal_fires_once(api, ae):
    _seed_deal(api)
    received = []
    order_closed_won.connect(
        lambda sender, opportunity, **kw: received.append(opportunity.pk), weak=False, dispatch_uid="test-order"
    )
    try:
        payload = {"opportunity_external_id": "opp-1", "contract_start_date": "2026-03-01"}
        assert api.post("/orders", payload, key="order-1").status_code == 200
        assert api.post("/orders", payload, key="order-1").status_code == 200  # replay
        assert api.post("/orders", payload, key="order-2").status_code == 200  # new key, same fact
    finally:
        order_closed_won.disconnect(dispatch_uid="test-order")
    opp = Opportunity.objects.get(external_id="opp-1")
    assert opp.stage == "closed_won" and str(opp.contract_start_date) == "2026-03-01"
    assert received == [opp.pk]
    assert Event.objects.filter(type="order.closed_won").count() == 1
    assert Account.objects.get().is_customer


def test_calls_keep_the_owner_role_at_call_time(api, ae):
    api.post("/accounts", ACCOUNT, key="acct")
    call = {
        "external_id": "call-1",
        "owner_email": "ae@example.test",
        "occurred_at": "2026-02-03T15:00:00Z",
        "account_external_id": "sf-001",
        "objections": ["price"],
        "talk_ratio": 0.55,
        "quality_score": 71,
    }
    assert api.post("/calls", call, key="c1").status_code == 201
    ae.role = "am"
    ae.save()
    assert api.post("/calls", {**call, "quality_score": 72}, key="c2").status_code == 200
    stored = ConvIntelligenceCall.objects.get()
    assert stored.owner_role == "ae" and stored.quality_score == 72
    bad = api.post("/calls", {**call, "external_id": "call-2", "talk_ratio": 1.7}, key="c3")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "talk_ratio"


def test_usage_batch_is_all_or_nothing(api, ae):
    api.post("/accounts", ACCOUNT, key="acct")
    batch = {
        "days": [
            {"account_external_id": "sf-001", "day": "2026-02-01", "active_seats": 120},
            {"account_external_id": "missing", "day": "2026-02-01", "active_seats": 5},
        ]
    }
    response = api.post("/usage", batch, key="u1")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "days[1].account_external_id"
    assert not UsageDaily.objects.exists()
    good = {
        "days": batch["days"][:1],
        "events": [
            {"account_external_id": "sf-001", "day": "2026-02-01", "event_name": "first_report_exported", "count": 3}
        ],
    }
    assert api.post("/usage", good, key="u2").status_code == 200
    assert UsageDaily.objects.get().active_seats == 120


def test_a_usage_batch_whose_events_miss_an_account_writes_no_day_either(api, ae):
    """The days merge before the events: a missing account among the events rolls the days back too."""
    api.post("/accounts", ACCOUNT, key="acct")
    batch = {
        "days": [{"account_external_id": "sf-001", "day": "2026-02-01", "active_seats": 120}],
        "events": [
            {"account_external_id": "sf-001", "day": "2026-02-01", "event_name": "login", "count": 1},
            {"account_external_id": "missing", "day": "2026-02-01", "event_name": "login", "count": 1},
        ],
    }
    response = api.post("/usage", batch, key="u1")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "events[1].account_external_id",
            "message": "no record matches 'missing'",
            "code": "missing_reference",
        }
    ]
    assert not UsageDaily.objects.exists() and not IdempotencyRecord.objects.filter(key="u1").exists()


# --- Bad input is never a 500 (issue 21: what a fuzzing client found) -------------------------------------


def test_an_employee_external_id_reused_under_another_email_is_422_on_the_field(api):
    first = api.post(
        "/employees", {"email": "a@example.test", "name": "A", "role": "ae", "external_id": "E-1"}, key="e1"
    )
    assert first.status_code == 201
    clash = api.post(
        "/employees", {"email": "b@example.test", "name": "B", "role": "ae", "external_id": "E-1"}, key="e2"
    )
    assert clash.status_code == 422
    assert clash.json()["errors"] == [
        {"field": "external_id", "message": "another record already has this value", "code": "conflict"}
    ]
    assert api.post("/employees", {"email": "c@example.test", "name": "C", "role": "ae"}, key="e3").status_code == 201


def test_an_integer_beyond_the_column_is_422_on_the_field(api, ae):
    response = api.post("/accounts", {**ACCOUNT, "contracted_seats": 10**30})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "contracted_seats"
    assert not Account.objects.exists()


def test_a_body_over_the_upload_limit_is_413_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/accounts", {**ACCOUNT, "name": "x" * 2000})
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "too_large"


def test_a_nul_byte_names_its_field(api, ae):
    response = api.post("/accounts", {**ACCOUNT, "vertical": "saa\x00s"})
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["vertical"]


@pytest.mark.parametrize("value", [0, 20260101, True])
def test_a_date_field_takes_iso_text_not_a_number(api, ae, value):
    response = api.post("/accounts", {**ACCOUNT, "renewal_date": value})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "renewal_date"


def test_the_schema_describes_the_idempotency_key_emails_decimals_and_references(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, item in schema["paths"].items():
        if "post" in item:
            header = [p for p in item["post"]["parameters"] if p["name"] == "Idempotency-Key"]
            assert header and header[0]["required"] and header[0]["in"] == "header", path
    account = schema["components"]["schemas"]["AccountIn"]["properties"]
    assert account["owner_email"]["anyOf"][0]["format"] == "email"
    assert "existing record" in account["owner_email"]["description"]
    assert {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$"} in account["arr"]["anyOf"]
    assert account["contracted_seats"]["maximum"] == 2_147_483_647
