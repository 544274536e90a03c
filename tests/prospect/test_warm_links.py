"""Issue 17 item 3: warm links from every source — the API (POST /api/v1/leads) and the SDR page (one lead, or a
CSV that is checked whole before anything is issued)."""

import json

import pytest
from django.test import Client

from enrichment.enums import RunMode
from enrichment.models import EnrichmentRun, Lead
from onboarding.models import SessionState as S
from tests.factories import EmployeeFactory

from .conftest import run_agents, session_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    from gtmos.ingest.models import IntegrationToken, hash_token

    IntegrationToken.objects.create(name="plg", token_hash=hash_token("tok-1"), active=True)
    return "tok-1"


def post_lead(client, token, body, key="k1"):
    return client.post(
        "/api/v1/leads",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_the_api_creates_a_warm_lead_with_a_link_and_the_prefetch_starts(client, swarm_on, datasets, token):
    ann = {
        "email": "Ann@SquiresConstruction.com",
        "source": "referral",
        "warmth": "warmest",
        "name": "Ann Squires",
        "title": "Estimator",
    }
    response = post_lead(client, token, ann)
    assert response.status_code == 201, response.content
    body = response.json()
    lead = Lead.objects.get(pk=body["lead_id"])
    assert lead.email == "ann@squiresconstruction.com" and lead.source == "referral" and lead.warmth == "warmest"
    assert EnrichmentRun.objects.get(lead=lead).mode == RunMode.ASYNC_PREFETCH
    assert post_lead(client, token, ann).json() == body  # a replay of the request: the same answer
    again = post_lead(client, token, ann, key="k-again")  # issued again later: the same Lead, a fresh link
    assert again.status_code == 200 and again.json()["lead_id"] == body["lead_id"] and not again.json()["created"]
    run_agents(lead)
    prospect = Client()
    landed = prospect.get(body["link"].split("testserver")[-1])
    assert landed["Location"].endswith("/workspace/")  # no email, no confirm
    assert session_of(prospect).state == S.S5_VALUE


def test_the_api_names_the_bad_field(client, swarm_on, token):
    bad = post_lead(client, token, {"email": "ann@localhost", "source": "referral"}, key="k2")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    bad = post_lead(client, token, {"email": "ann@squiresconstruction.com", "source": "billboard"}, key="k3")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "source"
    assert post_lead(client, "wrong", {"email": "a@b.com", "source": "referral"}, key="k4").status_code == 401
    assert not Lead.objects.exists()


def test_an_sdr_issues_a_link_from_the_page_and_a_csv_is_checked_whole(client, swarm_on, datasets):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sdr = Client()
    sdr.force_login(EmployeeFactory(role="sdr").user)
    page = sdr.post(
        "/prospects/links/", {"email": "bo@squiresconstruction.com", "name": "Bo", "title": "", "source": "event"}
    )
    assert page.status_code == 200 and b"/start/w/" in page.content
    assert Lead.objects.get(email="bo@squiresconstruction.com").source == "event"
    bad = SimpleUploadedFile(
        "leads.csv",
        b"email,name,title,source\ncy@squiresconstruction.com,Cy,,outbound\n"
        b"nope,Dee,,outbound\ned@squiresconstruction.com,Ed,,billboard\n",
    )
    page = sdr.post("/prospects/links/", {"file": bad})
    assert page.status_code == 400 and b"row 3: email" in page.content and b"row 4: source" in page.content
    assert not Lead.objects.filter(email="cy@squiresconstruction.com").exists()  # nothing from a bad file
    good = SimpleUploadedFile(
        "leads.csv", b"email,name,title,source\ncy@squiresconstruction.com,Cy,Estimator,outbound\n"
    )
    page = sdr.post("/prospects/links/", {"file": good})
    assert page.status_code == 200 and Lead.objects.get(email="cy@squiresconstruction.com").warmth == "warmest"
    csm = Client()
    csm.force_login(EmployeeFactory(role="csm").user)
    assert csm.get("/prospects/links/").status_code == 404
