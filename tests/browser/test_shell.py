"""The shell in real Chromium, for every demo role, at a phone's width and a laptop's (issue 20).

Against the demo data (``seed_demo``, small), each role signs in and visits every page its navigation offers:
the page answers 200, never scrolls sideways (``scrollWidth <= innerWidth``), the menu is usable (folded behind a
button on the phone, a sidebar on the laptop, Escape folds it), and axe-core (vendored from npm, see
tests/browser/vendor/README) finds no serious or critical violation. Each role's home is photographed at both
widths into tests/browser/screenshots/ (gitignored) for a human to look at.

All problems are collected and reported together, so one run shows every page that needs work.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gtmos.core.demo.people import DEMO_PASSWORD
from tests.browser.conftest import TIMEOUT_MS

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Every login the demo prints, plus the two specialist roles it creates without printing.
DEMO_USERS = [
    "revops",
    "cro",
    "slm",
    "mgr-ae1",
    "ae1",
    "mgr-sdr1",
    "sdr1",
    "mgr-am1",
    "am1",
    "mgr-csm1",
    "csm1",
    "postsales1",
    "se1",
    "implengineer1",
]
PHONE, LAPTOP = 390, 1280


def seed_small_demo() -> None:
    call_command(
        "seed_demo",
        accounts=60,
        reps=8,
        usage_days=40,
        health_days=20,
        performance_weeks=8,
        onboarding=10,
        stdout=open("/dev/null", "w"),
    )


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def axe_serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return result


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def check_menu(page, width: int) -> list[str]:
    """The menu is reachable and folds: on a phone behind the Menu button, on a laptop always in view."""
    problems = []
    toggle = page.get_by_role("button", name="Menu")
    first_link = page.locator("#site-nav a").first
    if width < 1024:
        if first_link.is_visible():
            problems.append("phone menu is open before the Menu button is pressed")
        toggle.click()
        if toggle.get_attribute("aria-expanded") != "true" or not first_link.is_visible():
            problems.append("Menu button does not open the navigation")
        page.keyboard.press("Escape")
        if first_link.is_visible():
            problems.append("Escape does not fold the menu")
    else:
        if toggle.is_visible():
            problems.append("Menu button shown on a wide screen")
        if not first_link.is_visible():
            problems.append("navigation not visible on a wide screen")
    return problems


def walk_role(browser, base_url: str, username: str, width: int) -> list[str]:
    # bypass_csp: axe is injected as an inline script, which the app's CSP (rightly) refuses.
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900}, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    problems: list[str] = []
    try:
        sign_in(page, username)
        page.screenshot(path=str(SCREENSHOTS / str(width) / f"{username}-home.png"), full_page=True)
        problems += [f"{username} @{width} menu: {p}" for p in check_menu(page, width)]
        links = page.locator("#site-nav a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
        if not links:
            problems.append(f"{username} @{width}: empty navigation")
        page.goto("/crm/accounts/?sort=-arr")
        first_account = page.locator("#results tbody a").first
        if first_account.count():
            links.append(first_account.get_attribute("href"))  # the account 360, the page people open most
        for href in links:
            response = page.goto(href)
            where = f"{username} @{width} {href}"
            if response is None or response.status != 200:
                problems.append(f"{where}: HTTP {response.status if response else 'none'}")
                continue
            overflow = horizontal_overflow(page)
            if overflow > 0:
                problems.append(f"{where}: page scrolls sideways by {overflow}px")
            problems += [f"{where}: axe {v}" for v in axe_serious(page)]
        problems += [f"{username} @{width}: {e}" for e in errors]
    finally:
        context.close()
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_every_nav_page_for_every_demo_role_fits_and_passes_axe(django_db_setup, browser, live_server, width):
    seed_small_demo()
    (SCREENSHOTS / str(width)).mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for username in DEMO_USERS:
        problems += walk_role(browser, live_server.url, username, width)
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_customer_map_page_fits_and_passes_axe(django_db_setup, browser, live_server):
    """The customer's read-only MAP page, opened by someone who is not signed in, at both widths."""
    from onboarding.models import MutualActionPlan
    from onboarding.services import map_share

    seed_small_demo()
    map_ = MutualActionPlan.objects.filter(plan__status="active").select_related("opportunity__owner").first()
    _, token = map_share.map_share_create(map_=map_, by=map_.opportunity.owner)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in (PHONE, LAPTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        response = page.goto(f"/onboarding/share/map/{token}/")
        assert response.status == 200
        expect(page.get_by_role("heading", name="Milestones", exact=True)).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"shared-map-{width}.png"), full_page=True)
        if horizontal_overflow(page) > 0:
            problems.append(f"@{width}: page scrolls sideways by {horizontal_overflow(page)}px")
        problems += [f"@{width}: axe {v}" for v in axe_serious(page)]
        context.close()
    assert problems == [], problems


def test_the_checks_catch_a_wide_page_and_a_missing_alt(django_db_setup, browser, live_server):
    """The two checks above can fail: a 2,000 px banner scrolls the page and an image without alt is critical."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": PHONE, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto("/accounts/login/")
    assert horizontal_overflow(page) <= 0
    assert axe_serious(page) == []
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<div style="width:2000px">wide</div><img src="/static/favicon.svg">')""")
    assert horizontal_overflow(page) > 0
    assert any(v.startswith("image-alt (critical)") for v in axe_serious(page))
    context.close()
