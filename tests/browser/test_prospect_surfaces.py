"""Issue 17 items 5 and 12 (issue 19 item 5) in real Chromium against the live server, with a real Celery worker
running the swarm: each persona lands on its own first surface at 390 px and at 1280 px with nothing scrolling
sideways; and the header fills in live — without a reload — while the async agents are still finding projects,
then stops polling once the run has settled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enrichment.enums import TERMINAL_RUN_STATUSES, JobStatus
from enrichment.models import AgentJob, EnrichmentRun, Lead, Pursuit
from onboarding.models import OnboardingSession
from onboarding.prospect.links import warm_link_path
from onboarding.services import session as flow
from tests.browser.test_prospect_journeys import no_js_errors, start_cold, swarm, trade_library  # noqa: F401
from tests.enrichment import conftest as enrichment_fixtures
from tests.enrichment.conftest import wait_for
from tests.swarm_support import datasets  # noqa: F401

swarm_worker = enrichment_fixtures.swarm_worker

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# (persona, title the role resolver reads, company, the surface's heading, the page it lands on)
PERSONAS = [
    ("estimator", "Estimator", "squiresconstruction.com", "Found", r"/workspace/$"),
    ("pm", "Project Manager", "squiresconstruction.com", "Your network", r"/workspace/$"),
    ("field", "Superintendent", "squiresconstruction.com", "Field Ops: your first jobsite", r"/workspace/$"),
    # G4: an owner on the self-serve track bids (jobs, DESIGN.md); off it, the owner's surface is analytics.
    ("owner_exec", "CEO", "bigbuild.com", "Your pipeline, as we found it", r"/specialist/$"),
]
SURFACE = {"estimator": "jobs", "pm": "network", "field": "field_ops", "owner_exec": "analytics"}


def fits(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"scrolls sideways: scrollWidth {width[0]} > innerWidth {width[1]}"


@pytest.mark.parametrize(("persona", "title", "domain", "heading", "lands"), PERSONAS, ids=[p[0] for p in PERSONAS])
def test_each_persona_lands_on_its_own_surface_at_390_and_1280(
    new_session, swarm_worker, swarm, datasets, persona, title, domain, heading, lands
):
    swarm_worker()
    warm = flow.session_start(
        source="outbound",
        idempotency_key=f"surface:{persona}",
        warmth="warmest",
        email=f"pat.{persona}@{domain}",
        name="Pat Lee",
        title=title,
    )
    wait_for(lambda: EnrichmentRun.objects.get(lead=warm.lead).status in TERMINAL_RUN_STATUSES, what="prefetch")
    tab = new_session()
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(warm_link_path(Lead.objects.get(pk=warm.lead_id)))
    if re.search(r"/confirm/$", page.url):  # a field below θ is asked even of a warm lead: answer it
        if page.get_by_role("checkbox", name="Commercial").count():
            page.get_by_role("checkbox", name="Commercial").check()
        if page.get_by_role("textbox", name="Where do you work?").count():
            page.get_by_role("textbox", name="Where do you work?").fill("Chicago IL")
        page.get_by_role("button", name=re.compile("Continue|Yes, that's us")).click()
    expect(page).to_have_url(re.compile(lands), timeout=30_000)
    surface = page.locator(f'[data-surface="{SURFACE[persona]}"]')
    expect(surface).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(re.escape(heading))).first).to_be_visible()
    fits(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(surface).to_be_visible()
    fits(page)
    if lands == r"/workspace/$":
        # every surface is a tab of the workspace, the persona's own marked as the first
        tabs = page.get_by_role("navigation", name="Surfaces")
        expect(tabs.locator('a[aria-current="page"]')).to_contain_text("(your first)")
        tabs.get_by_role("link", name="Analytics").click()
        expect(page.locator('[data-surface="analytics"]')).to_be_visible()
        page.set_viewport_size({"width": 390, "height": 844})
        fits(page)
    no_js_errors(tab)


def test_the_header_fills_in_live_without_a_reload_and_stops_polling(new_session, swarm_worker, swarm, datasets):
    # The async agents take 15 s here, so the prospect is in the workspace before they report.
    swarm_worker({"SWARM_PROVIDER_LATENCY_MS": "project_finder=15000,network_seeder=15000"})
    tab = new_session()
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    start_cold(page)
    expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
    page.get_by_label("Estimator").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    session = OnboardingSession.objects.get(lead__email="joe@squiresconstruction.com")
    assert (
        AgentJob.objects.filter(run__lead_id=session.lead_id, sync=False).exclude(status=JobStatus.SUCCEEDED).exists()
    ), "the async agents were meant to be still at work"
    found = page.get_by_test_id("found")
    expect(found).to_contain_text("0 projects found")
    expect(page.get_by_role("status").filter(has_text="Still looking")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    expect(found).not_to_contain_text("0 projects found", timeout=60_000)  # project_finder reported
    count = Pursuit.objects.filter(lead_id=session.lead_id).count()
    expect(found).to_contain_text(f"{count} project")
    expect(page.get_by_role("heading", name="Found")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Still looking")).to_have_count(0, timeout=60_000)
    expect(page.get_by_text("or name another one here")).to_be_visible()  # the question followed the board
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    wait_for(
        lambda: page.evaluate("document.querySelector('#live').hasAttribute('hx-trigger')") is False,
        what="polling to stop",
    )
    fits(page)
    no_js_errors(tab)
