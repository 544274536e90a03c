"""End to end in real Chromium: a manager approves one coaching recommendation and dismisses another in the
queue; the rep's monthly digest shows only the approved one; the SLM sees the week-3 escalation with its
weekly history."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from coaching.services.digest import digests_generate
from coaching.services.weekly import coaching_weekly
from gtmos.crm.models import Role
from tests.browser.test_onboarding_journey import assert_no_js_errors, login
from tests.coaching.conftest import Team, week
from tests.factories import EmployeeFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_approves_and_dismisses_rep_sees_only_the_approved_slm_sees_the_escalation(new_session):
    team = Team()
    quiet = EmployeeFactory(
        role=Role.SDR, manager=team.manager, slm=team.slm, user__username="sdr3", name="Quinn Quiet"
    )
    team.weekly_counts(team.sdr, {k: 5 for k in range(-3, 4)})  # 20% of plan
    team.weekly_counts(quiet, {k: 10 for k in range(-3, 4)})  # 40% of plan
    team.weekly_counts(team.other_sdr, {k: 25 for k in range(-3, 4)})  # on plan
    for k in (0, 1):
        coaching_weekly(week=week(k))  # the gap's first week opens a pattern each, pending the manager

    manager = new_session()
    page = manager.page
    login(page, "mgr")
    page.get_by_role("link", name="Coaching").first.click()
    expect(page.get_by_role("heading", name="Coaching queue")).to_be_visible()
    cards = page.locator("article.recommendation")
    expect(cards).to_have_count(2)
    sky = page.locator("article.recommendation", has_text="Sky SDR")
    expect(sky).to_contain_text("5 touches/week against 25 expected")
    sky.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved for Sky SDR's next monthly digest.")).to_be_visible()
    quinn = page.locator("article.recommendation", has_text="Quinn Quiet")
    quinn.locator("summary", has_text="Dismiss").click()  # opens the form
    quinn.get_by_label("Why dismiss it").fill("Covering inbound this month.")
    quinn.get_by_role("button", name="Dismiss recommendation").click()
    expect(page.get_by_text("Dismissed. It is logged and never shown to the rep.")).to_be_visible()
    expect(page.locator("article.recommendation")).to_have_count(0)
    expect(page.get_by_role("cell", name="Covering inbound this month.", exact=False)).to_be_visible()
    assert_no_js_errors(manager)

    for k in (2, 3):
        coaching_weekly(week=week(k))  # week 3 of the pattern: automatic SLM escalation, decisions or not
    digests_generate(month=dt.date(2026, 10, 1), generated_on=dt.date(2026, 11, 2))

    rep = new_session()
    login(rep.page, "sdr")
    rep.page.get_by_role("link", name="My coaching").click()
    rep.page.get_by_role("link", name="October 2026 — Rep coaching digest").click()
    expect(rep.page.locator(".recommendation")).to_have_count(1)
    expect(rep.page.locator(".recommendation")).to_contain_text("5 touches/week against 25 expected")
    # Seed 001's skeleton, each section with its chart; readable on a phone without sideways scrolling.
    for heading in ("Performance summary", "Pattern diagnosis", "Skill gaps", "Recommended actions"):
        expect(rep.page.get_by_role("heading", name=heading)).to_be_visible()
    expect(rep.page.locator(".diagnosis")).to_contain_text(
        "Outreach volume vs activity target: 15% against the target of 100%"
    )
    expect(rep.page.locator("figure.coaching-chart svg").first).to_be_visible()
    rep.page.set_viewport_size({"width": 390, "height": 844})
    # The digest's own content fits (a table may scroll inside its card); the site header is the UI shell's.
    wide = rep.page.evaluate("""[...document.querySelectorAll('#main *')]
        .filter(e => !e.closest('.card') && e.getBoundingClientRect().right > 391).map(e => e.outerHTML.slice(0, 80))""")
    assert wide == []
    assert_no_js_errors(rep)

    other = new_session()
    login(other.page, "sdr3")
    other.page.get_by_role("link", name="My coaching").click()
    other.page.get_by_role("link", name="October 2026 — Rep coaching digest").click()
    expect(other.page.get_by_text("No coaching recommendations this month.")).to_be_visible()
    expect(other.page.locator("body")).not_to_contain_text("Covering inbound")

    slm = new_session()
    login(slm.page, "slm")
    slm.page.get_by_role("link", name="Coaching").first.click()
    # The coaching tab, not the main menu's onboarding "Escalations" page.
    slm.page.get_by_role("navigation", name="Coaching").get_by_role("link", name="Escalations").click()
    card = slm.page.locator("article.escalation", has_text="Sky SDR")
    expect(card).to_contain_text("Same pattern 3+ consecutive weeks")
    history = card.locator("table.history tbody tr")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text(week(0).isoformat())  # seed 001: flagged in the first week
    expect(history.last).to_contain_text("escalate")
    assert_no_js_errors(slm)
