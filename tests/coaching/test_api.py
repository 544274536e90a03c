"""Forecast accuracy as its own output for the forecast consumer (AGT-703), behind an integration token."""

import datetime as dt
from decimal import Decimal

from gtmos.crm.models import Quota, QuotaRetirementLedger, Role
from gtmos.ingest.models import IntegrationToken
from tests.factories import EmployeeFactory

URL = "/coaching/api/forecast-accuracy.json"


def test_forecast_accuracy_needs_a_token_and_reports_commit_vs_closed(team, client):
    ae = EmployeeFactory(role=Role.AE, manager=team.manager, slm=team.slm, name="Ada AE")
    quota = Quota.objects.create(
        rep=ae,
        period="2026-Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        amount=Decimal(100000),
    )
    # The call four weeks out (on or before Sep 2) was 120k; the quarter closed at 100k: 20% optimistic.
    QuotaRetirementLedger.objects.create(
        quota=quota, as_of_date=dt.date(2026, 9, 1), closed_amount=Decimal(60000), rep_commit=Decimal(120000)
    )
    QuotaRetirementLedger.objects.create(
        quota=quota, as_of_date=dt.date(2026, 9, 30), closed_amount=Decimal(100000), rep_commit=Decimal(100000)
    )
    assert client.get(URL).status_code == 401
    _, token = IntegrationToken.issue("forecast")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(URL + "?as_of=yesterday", **auth).status_code == 422
    body = client.get(URL + "?as_of=2026-11-20", **auth).json()
    row = next(r for r in body["reps"] if r["rep"] == "Ada AE")
    assert (row["accuracy_pct"], row["bias_pct"], row["commit"], row["closed"]) == (80.0, 20.0, 120000.0, 100000.0)
