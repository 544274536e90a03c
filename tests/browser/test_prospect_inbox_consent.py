"""Issue 17 item 4 in real Chromium with a real Celery worker: a prospect opts in to inbox seeding from the
workspace (the box unticked until they tick it), the network_seeder reruns on the worker and the GCs who invite
them to bid appear on the board; then they withdraw, the entries go, and each choice is in the audit log."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from enrichment.consent import INBOX_CONSENT_VERSION
from enrichment.models import BidInvite, Lead, NetworkLink
from gtmos.audit.models import Event
from tests import swarm_support
from tests.enrichment import conftest as enrichment_fixtures

from .test_prospect_journeys import no_js_errors, session_with, start_cold, swarm, trade_library  # noqa: F401

swarm_worker = enrichment_fixtures.swarm_worker
datasets = swarm_support.datasets

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
EMAIL = "joe@squiresconstruction.com"


def reload_until(page, locator, *, seconds=45) -> None:
    """The board fills in from the worker: reload until the row is there (a person would refresh)."""
    end = time.monotonic() + seconds
    while True:
        if locator.count():
            return
        if time.monotonic() > end:
            raise AssertionError(f"not shown after {seconds}s: {locator}")
        time.sleep(1)
        page.reload()


def test_a_prospect_opts_in_to_inbox_seeding_and_then_withdraws(new_session, swarm_worker, swarm, datasets):
    BidInvite.objects.bulk_create(
        [
            BidInvite(
                external_id=f"sq-{i}",
                recipient_domain="squiresconstruction.com",
                sender_company="Hensel Works",
                sender_domain="henselworks.com",
                sender_org_type="contractor",
                project_name=f"Tower {i}",
                received_on=dt.date(2026, 2, i + 1),
            )
            for i in range(2)
        ]
    )
    swarm_worker()
    tab = new_session()
    page = tab.page
    start_cold(page)
    expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
    page.get_by_label("Owner / executive").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    network = page.locator(".network-list")
    assert page.locator(".network-list", has_text="Hensel Works").count() == 0  # nothing read without consent

    page.set_viewport_size({"width": 390, "height": 844})  # the step on a phone
    page.get_by_role("link", name=re.compile("GCs who invite you to bid")).click()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.get_by_role("status").first).to_contain_text("Off.")
    expect(page.locator(".consent-text")).to_contain_text("What we never read")
    box = page.get_by_label(re.compile("I agree"))
    expect(box).not_to_be_checked()
    page.get_by_role("button", name="Read my bid invitations").click()  # the button alone is not consent
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert not Lead.objects.get(email=EMAIL).consent_inbox
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Read my bid invitations").click()
    expect(page.locator(".consent-state")).to_contain_text("On.")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Back to your board").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    reload_until(page, network.filter(has_text="Hensel Works"))  # the worker's rerun of the network_seeder
    expect(network).to_contain_text("Bid invite")
    lead = Lead.objects.get(email=EMAIL)
    assert NetworkLink.objects.filter(lead=lead, source="bid_invite").count() == 1

    page.get_by_role("link", name=re.compile("Reading your bid invitations")).click()
    expect(page.locator(".consent-state")).to_contain_text("On.")
    page.get_by_role("button", name="Stop reading my invitations").click()
    expect(page.locator(".consent-state")).to_contain_text("Off.")
    expect(page.locator(".consent-history")).to_contain_text("withdrawn")
    page.get_by_role("link", name="Back to your board").click()
    expect(page.locator(".network")).not_to_contain_text("Hensel Works")
    assert not NetworkLink.objects.filter(lead=lead, source="bid_invite").exists()

    session = session_with(EMAIL)
    events = Event.objects.filter(type="lead.consent_changed", subject_id=str(lead.pk)).order_by("occurred_at")
    assert [(e.payload["action"], e.payload["text_version"]) for e in events] == [
        ("granted", INBOX_CONSENT_VERSION),
        ("withdrawn", INBOX_CONSENT_VERSION),
    ]
    assert all(e.payload["session_id"] == str(session.pk) and e.actor_label == "prospect" for e in events)
    no_js_errors(tab)
