"""RevOps imports the agents' local datasets through the ingest framework: CSV (all or nothing, errors by line
and field) and the /api/v1/ endpoints (token, Idempotency-Key)."""

import io
import json

import pytest

from enrichment.models import BidInvite, Firmographic, ProjectRecord
from gtmos.ingest.csv_import import import_csv
from gtmos.ingest.models import IntegrationToken

pytestmark = pytest.mark.django_db


def test_firmographics_csv_imports_all_or_nothing():
    bad = (
        "domain,company,employees,revenue,hq_state\n"
        "www.SquiresConstruction.com,Squires Construction,22,6000000,tx\n"
        "not a domain,Broken Co,5,,TX\n"
    )
    report = import_csv("firmographics", io.StringIO(bad))
    assert not report.ok and [(e.line, e.field) for e in report.errors] == [(3, "domain")]
    assert not Firmographic.objects.exists()
    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    assert import_csv("firmographics", io.StringIO(good)).created == 1
    row = Firmographic.objects.get()
    assert (row.domain, row.hq_state, row.revenue) == ("squiresconstruction.com", "TX", 6_000_000)


def test_project_records_and_bid_invites_import_with_list_cells():
    records = (
        "external_id,source,name,trades,state,bid_date\n"
        "bid-9,public_bid,Clinic interiors,drywall|acoustical_ceilings,tx,2026-05-01\n"
    )
    assert import_csv("project_records", io.StringIO(records)).ok
    assert ProjectRecord.objects.get().trades == ["drywall", "acoustical_ceilings"]
    invites = "external_id,recipient_domain,sender_company,sender_org_type\ninv-9,apexdrywall.com,Turner,contractor\n"
    assert import_csv("bid_invites", io.StringIO(invites)).ok and BidInvite.objects.count() == 1
    wrong = "external_id,source,name\nx,tweet,Nope\n"
    assert import_csv("project_records", io.StringIO(wrong)).errors[0].field == "source"


def test_the_ingest_api_upserts_firmographics_idempotently(client):
    _, raw = IntegrationToken.issue("data-vendor")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_IDEMPOTENCY_KEY": "f-1"}
    body = {"domain": "apexdrywall.com", "company": "Apex Drywall", "revenue": "18000000"}
    first = client.post("/api/v1/firmographics", json.dumps(body), content_type="application/json", **headers)
    again = client.post("/api/v1/firmographics", json.dumps(body), content_type="application/json", **headers)
    assert first.status_code == 201 and again.status_code == 201 and again["Idempotent-Replay"] == "true"
    assert Firmographic.objects.count() == 1
    bad = client.post(
        "/api/v1/firmographics",
        json.dumps({"domain": "x", "company": ""}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="f-2",
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"company"}
