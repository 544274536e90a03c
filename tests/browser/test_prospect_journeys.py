"""The prospect journeys in real Chromium against the live server, with a real Celery worker on Redis running
the swarm: cold self-serve from the lander to the card; the warm link that skips email and confirm; the kill
switch and a failed enrichment, each to activation through the classic form; a teammate's invite link; and
an abandoned session in the sales re-engage queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from enrichment.enums import TERMINAL_RUN_STATUSES
from enrichment.models import EnrichmentRun
from gtmos.core import clock
from onboarding.models import OnboardingSession, OrgMember, Subscription, TeamInvite
from onboarding.models import SessionState as S
from onboarding.prospect.links import warm_link_path
from onboarding.services import session as flow
from tests import swarm_support
from tests.enrichment import conftest as enrichment_fixtures
from tests.enrichment.conftest import wait_for
from tests.factories import EmployeeFactory
from tests.swarm_support import flags, swarm_switch

# Fixtures shared with the swarm's own tests: a real worker on Redis, and the sample companies' datasets.
swarm_worker = enrichment_fixtures.swarm_worker
datasets = swarm_support.datasets

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
FAILING_SYNC = ",".join(
    f"{a}=tests.swarm_support.Failing" for a in ("domain_site", "classifier", "size_estimator", "role_resolver")
)


@pytest.fixture(autouse=True)
def trade_library(db):
    """The 34-trade library comes from a data migration; transactional tests truncate it after each test."""
    from importlib import import_module

    from django.apps import apps

    import_module("routing.migrations.0002_trade_library").load(apps, None)


@pytest.fixture
def swarm(db):
    swarm_switch(True)
    flags(True)


def no_js_errors(tab) -> None:
    """No script error and no CSP violation. A form page answered 400 on purpose (a field error, a refused
    link) makes Chromium log "failed to load resource"; those are the pages under test, not errors."""
    errors = [e for e in tab.errors if not re.search(r"status of (400|410)", e)]
    assert errors == [], errors


def start_cold(page, email="joe@squiresconstruction.com", lander="/general-contractor"):
    page.goto(lander)
    field = page.get_by_label("Work email")
    expect(field).to_be_focused()
    field.fill(email)
    field.press("Enter")  # keyboard only


def session_with(email) -> OnboardingSession:
    return OnboardingSession.objects.select_related("lead").get(lead__email=email)


def test_cold_self_serve_from_lander_to_card_captured(new_session, swarm_worker, swarm, datasets):
    swarm_worker()
    tab = new_session()
    page = tab.page
    page.goto("/drywall")
    expect(page.get_by_role("heading", name="Drywall OS")).to_be_visible()
    # a bad email: a field error, nothing created
    page.goto("/general-contractor")
    page.get_by_label("Work email").fill("joe@localhost")
    page.get_by_role("button", name="Show me my board").click()
    expect(page.get_by_role("alert")).to_contain_text("real domain")
    start_cold(page)
    expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)  # the enriching screen polled on
    expect(page.locator(".confirm-chips")).to_contain_text("Squires")
    page.get_by_label("Owner / executive").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("heading", name=re.compile("Which job do you most want to win"))).to_be_visible()
    scope = page.get_by_role("button", name="Scope this one").first
    expect(scope).to_be_visible(timeout=30_000)  # project_finder's pursuits fill in live
    scope.click()
    page.get_by_role("button", name="Run the takeoff").click()
    expect(page).to_have_url(re.compile(r"/activate/$"))  # the value moment, then the trial offer
    expect(page.locator(".offline-label")).to_contain_text("Offline estimate")
    expect(page.locator(".takeoff tbody tr").first).to_be_visible()
    page.get_by_label("Your name").fill("Joe Squires")
    page.get_by_label("Choose a password").fill("a-long-password")
    page.get_by_role("button", name="Start my free trial").click()
    expect(page.get_by_role("heading", name="Your trial is on")).to_be_visible()
    page.get_by_role("button", name="Add a card").click()
    expect(page.locator(".offline-label")).to_contain_text("Demo checkout")
    page.get_by_label("Test card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()
    session = session_with("joe@squiresconstruction.com")
    assert session.state == S.S10_CLOSED_WON
    assert Subscription.objects.get(session=session).card_last4 == "4242"
    assert OrgMember.objects.get(user=session.user).persona == "owner_exec"
    no_js_errors(tab)


def test_warm_link_skips_email_and_confirm(new_session, swarm_worker, swarm, datasets):
    swarm_worker()
    warm = flow.session_start(
        source="plg_invite",
        idempotency_key="plg:ann",
        warmth="warmest",
        email="ann@squiresconstruction.com",
        name="Ann Squires",
        title="Estimator",
    )
    wait_for(lambda: EnrichmentRun.objects.get(lead=warm.lead).status in TERMINAL_RUN_STATUSES, what="prefetch")
    tab = new_session()
    page = tab.page
    page.goto(warm_link_path(warm.lead))
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("heading", name=re.compile("Which bid are you pricing next"))).to_be_visible()
    assert page.locator("input[type=email]").count() == 0
    warm.refresh_from_db()
    assert warm.state == S.S5_VALUE
    # tampered: a clear refusal
    page.goto(warm_link_path(warm.lead)[:-6] + "xxxxx/")
    expect(page.get_by_role("heading", name="This link isn't valid")).to_be_visible()
    no_js_errors(tab)


def walk_classic_form(page, company="Squires Drywall"):
    expect(page).to_have_url(re.compile(r"/setup/$"), timeout=30_000)
    page.get_by_role("button", name="Continue").click()  # blank: the error, not a crash
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Subcontractor").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Service area").fill("Austin TX, Dallas TX")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Drywall", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Healthcare").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Finish and create my account").click()
    page.get_by_label("Your name").fill("Joe Squires")
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Choose a password").fill("a-long-password")
    page.get_by_role("button", name="Start my free trial").click()
    expect(page.get_by_role("heading", name="Your trial is on")).to_be_visible()


def test_kill_switch_on_the_classic_form_to_activation(new_session, swarm_worker, datasets):
    swarm_switch(False)
    flags(True)
    tab = new_session()
    start_cold(tab.page)
    walk_classic_form(tab.page)
    session = session_with("joe@squiresconstruction.com")
    assert session.state == S.S9_TRIAL and session.reason == "kill_switch"
    assert session.fallback.trades == ["drywall"]
    no_js_errors(tab)


def test_enrichment_failure_falls_back_to_the_classic_form(new_session, swarm_worker, swarm, datasets):
    swarm_worker({"SWARM_PROVIDERS": FAILING_SYNC})
    tab = new_session()
    start_cold(tab.page)
    walk_classic_form(tab.page)
    session = session_with("joe@squiresconstruction.com")
    assert session.state == S.S9_TRIAL and session.reason == "enrichment_failed"
    no_js_errors(tab)


def test_invite_a_teammate_and_the_teammates_warm_link_works(new_session, swarm_worker, swarm, datasets):
    swarm_worker()
    tab = new_session()
    page = tab.page
    start_cold(page)
    expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
    page.get_by_label("Owner / executive").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Invite your team").click()
    page.get_by_label("Teammate's email").fill("mia@squiresconstruction.com")
    page.get_by_label("Their role").select_option("field")
    page.get_by_role("button", name="Send invite").click()
    link = page.get_by_label("Invite link").input_value()
    expect(page.locator("table")).to_contain_text("Field Ops")
    invite = TeamInvite.objects.get(email="mia@squiresconstruction.com")
    assert invite.role == "field" and invite.surface == "field_ops"
    wait_for(
        lambda: EnrichmentRun.objects.get(lead=invite.invitee_lead).status in TERMINAL_RUN_STATUSES,
        what="the teammate's prefetch",
    )
    mia = new_session()
    mia.page.goto(link)
    expect(mia.page).to_have_url(re.compile(r"/workspace/$"), timeout=30_000)
    expect(mia.page.get_by_text("Opened on")).to_contain_text("Field Ops")
    teammate = OnboardingSession.objects.get(lead=invite.invitee_lead)
    assert teammate.state == S.S5_VALUE and teammate.pk != session_with("joe@squiresconstruction.com").pk
    no_js_errors(tab)
    no_js_errors(mia)


def test_an_abandoned_session_shows_in_the_reengage_queue(new_session, swarm_worker, swarm, datasets):
    swarm_worker()
    tab = new_session()
    start_cold(tab.page, email="lee@squiresconstruction.com")
    expect(tab.page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
    assert flow.sessions_timeout_sweep(now=clock.now() + dt.timedelta(days=15)) == 1
    tab.page.reload()
    expect(tab.page.get_by_role("heading", name="Welcome back")).to_be_visible()
    EmployeeFactory(role="sdr", user__username="sdr")
    sales = new_session()
    page = sales.page
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("sdr")
    page.locator("#id_password").fill("pw-123456")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/prospects/reengage/")
    expect(page.get_by_role("heading", name="Re-engage queue")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("lee@squiresconstruction.com")
    expect(page.locator("table").first).to_contain_text("S3_CONFIRM")
    no_js_errors(tab)
    no_js_errors(sales)
