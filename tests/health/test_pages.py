"""Health pages: right user 200, wrong user 404, constant query counts, and what each page shows."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.core import clock
from gtmos.crm.models import Account
from gtmos.health.models import ChurnRiskLog, CustomerHealthLog, HealthOverride
from gtmos.health.services.daily import health_daily
from tests.health.conftest import quiet

pytestmark = pytest.mark.postgres
PAGES = ["/health/", "/health/dashboard/", "/health/portfolio/", "/health/risk/", "/health/export.csv"]


@pytest.fixture
def scored(book):
    book.healthy(book.customer("Steady Co"))
    book.at_risk = quiet(book, "Quiet Co")
    health_daily()
    clock.advance(days=1)
    health_daily()
    return book


def login(client, employee):
    client.force_login(employee.user)
    return client


def test_the_csm_sees_their_book_and_an_outsider_sees_none_of_it(client, scored):
    body = login(client, scored.csm).get("/health/").content.decode()
    assert "Steady Co" in body and "Quiet Co" in body
    client.logout()
    body = login(client, scored.other_csm).get("/health/").content.decode()
    assert "Steady Co" not in body and "Quiet Co" not in body


@pytest.mark.parametrize("who", ["other_csm", "sdr"])
def test_every_account_page_and_action_is_404_for_someone_who_may_not_see_it(client, scored, who):
    login(client, getattr(scored, who))
    account = scored.at_risk
    case = ChurnRiskLog.objects.get(account=account)
    task = case.tasks.first()
    assert client.get(f"/health/accounts/{account.pk}/").status_code == 404
    assert client.post(f"/health/accounts/{account.pk}/override/", {"score": 90, "reason": "x"}).status_code == 404
    assert client.post(f"/health/accounts/{account.pk}/override/clear/").status_code == 404
    assert client.post(f"/health/cases/{case.pk}/move/", {"to": "recovered", "reason": "x"}).status_code == 404
    assert client.post(f"/health/cases/{case.pk}/note/", {"body": "x"}).status_code == 404
    assert client.post(f"/health/tasks/{task.pk}/done/", {"outcome": "x"}).status_code == 404
    assert not HealthOverride.objects.exists()
    assert ChurnRiskLog.objects.get(pk=case.pk).stage == "at_risk"


def test_an_ae_can_read_the_health_of_their_account_but_not_change_it(client, scored):
    login(client, scored.ae)
    account = scored.at_risk
    assert client.get(f"/health/accounts/{account.pk}/").status_code == 200
    assert client.post(f"/health/accounts/{account.pk}/override/", {"score": 90, "reason": "x"}).status_code == 404


def test_the_back_test_is_for_revops_only(client, scored):
    assert login(client, scored.csm).get("/health/backtest/").status_code == 404
    assert login(client, scored.manager).get("/health/backtest/").status_code == 404
    assert login(client, scored.revops).get("/health/backtest/").status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx)


def test_pages_run_a_constant_number_of_queries_as_the_book_grows(client, book):
    def grow(n):
        for _ in range(n):
            book.healthy(book.customer())
            quiet(book, f"Quiet {book._n}")
        health_daily()
        clock.advance(days=1)
        health_daily()

    login(client, book.manager)
    grow(2)
    account = CustomerHealthLog.objects.filter(tier__in=("high", "critical")).first().account
    urls = [*PAGES, f"/health/accounts/{account.pk}/"]
    small = {url: _queries(client, url) for url in urls}
    grow(10)
    large = {url: _queries(client, url) for url in urls}
    assert large == small


def test_the_book_sorts_by_risk_and_filters_by_tier(client, scored):
    login(client, scored.csm)
    body = client.get("/health/?sort=risk").content.decode()
    assert body.index("Quiet Co") < body.index("Steady Co")
    fragment = client.get("/health/?tier=low", HTTP_HX_REQUEST="true").content.decode()
    assert "Steady Co" in fragment and "Quiet Co" not in fragment and "<html" not in fragment


def test_a_bad_filter_value_drops_only_itself_and_the_export_link_follows_the_filters(client, scored):
    login(client, scored.manager)
    fragment = client.get("/health/?tier=low&rep=999999&sort=name", HTTP_HX_REQUEST="true").content.decode()
    assert "Steady Co" in fragment and "Quiet Co" not in fragment  # tier kept although rep was bad
    assert "/health/export.csv?tier=low&amp;rep=999999&amp;sort=name" in fragment
    # An AM on the manager's accounts is a valid rep filter (the portfolio's drill-down by AM).
    body = client.get(f"/health/?rep={scored.am.pk}").content.decode()
    assert "Steady Co" in body and "Quiet Co" in body


def test_the_explain_page_shows_components_gaps_and_why_the_score_moved(client, scored):
    account = scored.at_risk
    login(client, scored.csm)
    body = client.get(f"/health/accounts/{account.pk}/").content.decode()
    for text in (
        "Engagement",
        "Adoption",
        "Satisfaction",
        "Growth",
        "Data gap",
        "Why it moved",
        "Churn risk",
        "Warning signals",
        "Retention tasks",
    ):
        assert text in body, text


def test_an_override_shows_as_such_and_keeps_the_computed_score_alongside(client, scored):
    account = scored.at_risk
    record = CustomerHealthLog.objects.get(account=account, day=clock.today())
    login(client, scored.csm)
    response = client.post(
        f"/health/accounts/{account.pk}/override/",
        {"score": 80, "reason": "Renewal signed verbally; usage feed lags a week"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.score, record.tier, record.computed_score) == (80, "low", record.computed_score)
    assert record.computed_score < 50 and record.override.reason.startswith("Renewal signed")
    body = client.get(f"/health/accounts/{account.pk}/").content.decode()
    assert "Manual override" in body and f"The model computed <strong>{record.computed_score}</strong>" in body
    # The next daily run keeps the override in force and the computed score beside it.
    clock.advance(days=1)
    health_daily()
    tomorrow = CustomerHealthLog.objects.get(account=account, day=clock.today())
    assert tomorrow.score == 80 and tomorrow.override_id == record.override_id and tomorrow.computed_score < 50


def test_an_override_without_a_reason_is_refused_with_a_field_error(client, scored):
    login(client, scored.csm)
    response = client.post(f"/health/accounts/{scored.at_risk.pk}/override/", {"score": 101, "reason": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Ensure this value is less than or equal to 100" in body and "This field is required" in body
    assert not HealthOverride.objects.exists()


def test_the_csv_export_has_the_visible_book_with_computed_and_override_columns(client, scored):
    login(client, scored.csm)
    response = client.get("/health/export.csv?sort=risk")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["account"] for r in rows] == ["Quiet Co", "Steady Co"]
    assert {"score", "computed_score", "overridden", "tier", "data_gaps", "engagement"} <= set(rows[0])
    client.logout()
    login(client, scored.other_csm)
    outsider = b"".join(client.get("/health/export.csv").streaming_content).decode()
    assert outsider.count("\n") == 1  # the header only


def test_the_portfolio_rolls_up_by_csm_for_the_manager(client, scored):
    login(client, scored.manager)
    body = client.get("/health/portfolio/").content.decode()
    assert "Cat CSM" in body and "Olga Outsider" not in body


def test_empty_states_before_the_first_run(client, book):
    login(client, book.csm)
    for url in ("/health/", "/health/dashboard/", "/health/portfolio/", "/health/risk/"):
        response = client.get(url)
        assert response.status_code == 200 and 'class="empty"' in response.content.decode(), url


def test_a_refused_case_move_answers_with_the_risk_section_and_its_errors(client, scored):
    case = ChurnRiskLog.objects.get(account=scored.at_risk)
    login(client, scored.csm)
    response = client.post(
        f"/health/cases/{case.pk}/move/", {"to": "plan_in_place", "reason": "Agreed"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="risk"' in body and "<html" not in body
    assert "Write the retention plan" in body
    ok = client.post(
        f"/health/cases/{case.pk}/move/",
        {"to": "plan_in_place", "reason": "Agreed", "objective": "Seats back to 60%"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 204 and ok["HX-Redirect"] == f"/health/accounts/{scored.at_risk.pk}/"
    page = client.get(f"/health/accounts/{scored.at_risk.pk}/").content.decode()
    assert 'value="plan_in_place"' not in page  # a case in plan in place offers only recovered / lost


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_export_quotes_every_formula_lead_including_tab_and_cr(client, scored, lead):
    Account.objects.filter(pk=scored.at_risk.pk).update(name=f"{lead}cmd|' /C calc'!A0")
    login(client, scored.csm)
    rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get("/health/export.csv").streaming_content).decode(), newline=""))
    )
    assert f"'{lead}cmd|' /C calc'!A0" in [r["account"] for r in rows]
