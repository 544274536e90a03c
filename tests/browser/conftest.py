"""Real Chromium through Playwright's sync API, against pytest-django's ``live_server``.

Each actor gets a fresh browser context (its own cookies), so several people can sign in during one test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def browser(monkeypatch):
    """One Chromium per test. Playwright's sync API runs an event loop in this thread, so Django's
    async-safety guard must be relaxed for the test's own ORM calls (restored afterwards)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright's loop counts as running in this thread, Django keeps its connections in
            # context-local rather than thread-local storage, so the test body got a connection of its own.
            # Close it here, while it is still reachable; otherwise it outlives the test and blocks the
            # DROP of the test database at the end of the session.
            connections.close_all()


class Session:
    """One person's browser tab. Records uncaught JS errors and console errors (CSP violations among them)."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def new_session(django_db_setup, browser, live_server):
    """``new_session()`` opens a fresh, signed-out browser context on the live server.

    ``django_db_setup`` is requested before ``live_server`` so the server thread (and its database
    connection) stops before the test database is dropped at the end of the session."""
    sessions: list[Session] = []

    def make() -> Session:
        session = Session(browser, live_server.url)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
