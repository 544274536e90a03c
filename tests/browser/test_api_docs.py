"""/api/v1/docs in real Chromium: the Swagger UI loads from our own static files under our CSP (no CDN, no
inline script) and lists the ingest operations; the console shows no CSP violation or script error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_onboarding_journey import assert_no_js_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_render_the_operations_under_the_csp(new_session):
    reader = new_session()
    page = reader.page
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="GTM OS ingest API")).to_be_visible()
    for path in ("/api/v1/accounts", "/api/v1/usage", "/api/v1/orders"):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/orders").first.click()
    expect(page.get_by_text("Idempotency-Key").first).to_be_visible()
    assert_no_js_errors(reader)
