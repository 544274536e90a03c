"""Issue 20 item 7 on the health app's own charts: dated ticks, every point's value on hover and keyboard focus,
a text alternative (the values as a table) and a legend for the tier bands on the page."""

import re

import pytest

from gtmos.core import clock
from gtmos.health.services.daily import health_daily
from tests.health.conftest import quiet

pytestmark = pytest.mark.postgres


@pytest.fixture
def scored(book):
    book.at_risk = quiet(book, "Quiet Co")
    for _ in range(3):
        health_daily()
        clock.advance(days=1)
    return book


def test_the_account_trend_has_dated_ticks_focusable_points_values_and_a_band_legend(client, scored):
    client.force_login(scored.csm.user)
    body = client.get(f"/health/accounts/{scored.at_risk.pk}/").content.decode()
    trend = body[body.index('aria-labelledby="trend-title"') :]
    trend = trend[: trend.index("</figure>")]
    points = re.findall(r'<g class="pt" tabindex="0" aria-label="(\d+ \w+ \d{4}): score (\d+)">', trend)
    assert len(points) == 3  # one focusable point per day, each saying its day and value
    assert trend.count('class="val"') == 3  # the value drawn beside the point, shown on hover and focus
    ticks = re.findall(r'<text class="axis" x="[\d.]+" y="\d+" text-anchor="middle">(\d+ \w+)</text>', trend)
    assert ticks and all(re.fullmatch(r"\d+ \w{3}", t) for t in ticks)
    assert "Show the values" in trend and trend.count("<tr><td>") == 3
    assert "Bands behind the line" in trend and "critical risk" in trend


def test_the_dashboard_average_line_is_dated_too(client, scored):
    client.force_login(scored.csm.user)
    body = client.get("/health/dashboard/").content.decode()
    assert re.search(r'aria-label="\d+ \w+ \d{4}: average \d+"', body)
    assert "Show the values" in body
