"""Issue 16 item 12 — seed 004 "Prioritize interventions": the list ranks visible customers by
risk × ARR × renewal proximity (gtmos/health/interventions.py), shows each component, takes its weights from
settings, is refused to roles that do not work the book, and runs a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.core import clock
from gtmos.core.navigation import items_for
from gtmos.health.interventions import intervention_list
from gtmos.health.models import CustomerHealthLog

pytestmark = pytest.mark.postgres
URL = "/health/interventions/"


def _scored(book, name, *, score, arr, renewal_in, **people):
    today = clock.today()
    account = book.customer(
        name,
        arr=Decimal(arr),
        renewal_date=None if renewal_in is None else today + dt.timedelta(days=renewal_in),
        **people,
    )
    tier = "low" if score >= 75 else "medium" if score >= 50 else "high" if score >= 25 else "critical"
    CustomerHealthLog.objects.create(
        account=account,
        day=today,
        score=score,
        computed_score=score,
        tier=tier,
        lifecycle_segment="established",
        coverage_pct=100,
    )
    return account


@pytest.fixture
def ranked(book):
    _scored(book, "Renews Soon", score=40, arr="100000", renewal_in=20)  # .6 × 100k × 1 = 60,000
    _scored(book, "Far Off", score=20, arr="50000", renewal_in=400)  # .8 × 50k × .1 = 4,000
    _scored(book, "No Date", score=60, arr="300000", renewal_in=None)  # .4 × 300k × .1 = 12,000
    _scored(book, "Midway", score=70, arr="200000", renewal_in=197)  # .3 × 200k × (1 − .9 × 167/335) ≈ 33,081
    _scored(book, "Not Yours", score=0, arr="900000", renewal_in=5, csm=book.other_csm, am=None, owner=book.other_csm)
    return book


def test_accounts_rank_by_risk_times_arr_times_renewal_proximity(ranked):
    rows = list(intervention_list(user=ranked.csm.user, day=clock.today()))
    assert [r.account.name for r in rows] == ["Renews Soon", "Midway", "No Date", "Far Off"]
    priorities = [round(r.priority) for r in rows]
    assert priorities == [60000, 33081, 12000, 4000]
    top = rows[0]
    assert (round(top.risk, 2), top.days_to_renewal, top.proximity) == (0.6, 20, 1.0)


def test_the_page_shows_the_components_so_the_csm_sees_why(ranked, client):
    client.force_login(ranked.csm.user)
    body = client.get(URL).content.decode()
    assert body.index("Renews Soon") < body.index("Midway") < body.index("No Date") < body.index("Far Off")
    assert "Not Yours" not in body
    row = body[body.index("Renews Soon") :]
    row = row[: row.index("</tr>")]
    assert "60,000" in row and "0.60" in row and "$100,000" in row and "in 20 days" in row and "1.00" in row
    assert "priority = risk × ARR × renewal proximity" in body and "not recorded" in body
    high = client.get(URL + "?tier=critical").content.decode()
    assert "Far Off" in high and "Renews Soon" not in high


def test_the_weights_are_settings(ranked, settings):
    settings.INTERVENTION_WEIGHT_ARR = 0  # rank on risk × proximity alone
    rows = list(intervention_list(user=ranked.csm.user, day=clock.today()))
    assert [r.account.name for r in rows] == ["Renews Soon", "Midway", "Far Off", "No Date"]
    settings.INTERVENTION_WEIGHT_ARR = 1
    settings.INTERVENTION_RENEWAL_FLOOR = 1.0  # renewal timing ignored: risk × ARR
    rows = list(intervention_list(user=ranked.csm.user, day=clock.today()))
    assert [r.account.name for r in rows] == ["No Date", "Midway", "Renews Soon", "Far Off"]


def test_for_the_book_roles_only(ranked, client):
    for who in ("csm", "am", "manager", "slm", "revops"):
        assert URL in [i["url"] for i in items_for(getattr(ranked, who).user)], who
        client.force_login(getattr(ranked, who).user)
        assert client.get(URL).status_code == 200, who
    for who in ("ae", "sdr"):
        assert URL not in [i["url"] for i in items_for(getattr(ranked, who).user)], who
        client.force_login(getattr(ranked, who).user)
        assert client.get(URL).status_code == 404, who
    client.force_login(ranked.manager.user)
    body = client.get(URL).content.decode()
    assert "Renews Soon" in body and "Not Yours" not in body  # the manager sees the team's, not the outsider's


def test_the_query_count_does_not_grow_with_the_book(ranked, client):
    client.force_login(ranked.slm.user)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for n in range(12):
        _scored(ranked, f"More {n}", score=50, arr="10000", renewal_in=n * 30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)
