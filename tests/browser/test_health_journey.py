"""End to end in real Chromium: a CSM opens the health book, sorts by risk, opens an account and reads why
its score dropped; their manager opens the portfolio roll-up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gtmos.core import clock
from gtmos.crm.models import UsageDaily
from gtmos.health.models import CustomerHealthLog
from gtmos.health.services.daily import health_daily
from tests.browser.test_onboarding_journey import assert_no_js_errors, login
from tests.health.conftest import Book, quiet


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_csm_finds_the_falling_account_and_sees_why_then_the_manager_rolls_up(new_session):
    book = Book()
    today = clock.today()
    book.healthy(book.customer("Steady Co"))
    falling = book.healthy(book.customer("Falling Co"))
    quiet(book, "Quiet Co")
    health_daily(today=today - dt.timedelta(days=1))
    # Since yesterday, Falling Co's users stopped logging in and its seats emptied out.
    UsageDaily.objects.filter(account=falling, day__gt=today - dt.timedelta(days=30)).update(logins=0, active_seats=0)
    health_daily(today=today)
    drop = CustomerHealthLog.objects.get(account=falling, day=today)
    assert drop.score_change < 0

    csm = new_session()
    page = csm.page
    login(page, "csm")
    page.get_by_role("link", name="Health").first.click()
    expect(page.get_by_role("heading", name="Customer health")).to_be_visible()
    page.get_by_label("Sort").select_option("name")
    expect(page.locator("table.book tbody tr").first).to_contain_text("Falling Co")
    # Sorting by risk (worst first) is an htmx swap of the results, not a page load.
    page.get_by_label("Sort").select_option("risk")
    expect(page.locator("table.book tbody tr").first).to_have_attribute("data-tier", "critical")
    rows = page.locator("table.book tbody tr")
    expect(rows.last).to_contain_text("Steady Co")
    expect(page).to_have_url(re.compile(r"sort=risk"))

    page.get_by_role("link", name="Falling Co").click()
    expect(page.get_by_role("heading", name="Falling Co")).to_be_visible()
    expect(page.locator("#health-score")).to_have_text(str(drop.score))
    why = page.get_by_role("region", name="Why it moved")
    expect(why).to_contain_text(f"−{-drop.score_change}")
    expect(why).to_contain_text("Login frequency")
    expect(why).to_contain_text("0 login days in the last 30")
    expect(page.get_by_role("region", name="Measures and data gaps")).to_contain_text("Data gap")
    assert_no_js_errors(csm)

    manager = new_session()
    page = manager.page
    login(page, "mgr")
    page.goto("/health/")
    page.get_by_role("link", name="Portfolio roll-up").click()
    expect(page.get_by_role("heading", name="Portfolio roll-up")).to_be_visible()
    row = page.locator("table.portfolio tbody tr", has_text="Cat CSM")
    expect(row).to_contain_text("3")
    page.get_by_role("link", name="Cat CSM").click()
    expect(page.locator("table.book tbody tr")).to_have_count(3)
    assert_no_js_errors(manager)
