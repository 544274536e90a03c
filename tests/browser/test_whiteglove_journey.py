"""White-glove end to end in real Chromium: a warm prospect is routed to W5 in the browser; the SDR waits for
the AE's review of the battle pack, sends, books the insight call; the AE confirms MEDDPICC, qualifies,
delivers the demo on the prospect's real pursuit, logs a commitment and closes; the new customer appears in
the CSM's onboarding cockpit with a MAP carrying the deal's commitments and technical win."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from enrichment.models import Lead
from onboarding.models import Deal, OnboardingPlan
from onboarding.models import SessionState as S
from onboarding.prospect.links import warm_link_path
from onboarding.services import session as flow
from tests.browser.test_onboarding_journey import assert_no_js_errors, login
from tests.swarm_support import datasets, run_agents, swarm_on  # noqa: F401
from tests.whiteglove.conftest import Team

COMMITMENT = "Migrate their 40 open jobs from spreadsheets in week 1"


def save_cell(page, label: str, value: str | None = None) -> None:
    form = page.get_by_role("form", name=label, exact=True)
    if value is not None:
        form.get_by_label(f"{label} value").fill(value)
    form.get_by_label("confirmed").check()
    form.get_by_role("button", name=f"Save {label}").click()
    expect(page.get_by_role("status")).to_contain_text("MEDDPICC updated.")
    expect(page.locator(f"#cell-{label.lower().replace(' ', '_')} .tag")).to_have_text("green")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_whiteglove_journey(new_session, swarm_on, datasets):  # noqa: F811 - fixtures from swarm_support
    # A transactional test starts from an empty database: put back the trade library its migration seeds.
    from importlib import import_module

    from django.apps import apps

    import_module("routing.migrations.0002_trade_library").load(apps, None)
    team = Team()
    # A warm lead (personalized outbound link): the six agents prefetch before the visitor arrives.
    session = flow.session_start(
        source="outbound", warmth="warm", email="dana@cve-electric.com", name="Dana Reyes", idempotency_key="wg-journey"
    )
    run_agents(session.lead)

    # 1. The prospect opens the link: identified, confirmed, routed to the white-glove track (W5).
    prospect = new_session()
    page = prospect.page
    page.goto(warm_link_path(Lead.objects.get(pk=session.lead_id)))
    if page.get_by_role("button", name="Continue").or_(page.get_by_role("button", name="Yes, that's us")).count():
        role = page.get_by_role("radio", name="Estimator")
        if role.count():
            role.check()
        page.get_by_role("button", name="Continue").or_(page.get_by_role("button", name="Yes, that's us")).click()
    expect(page.get_by_role("heading", name="A specialist will set you up")).to_be_visible()
    deal = Deal.objects.select_related("session").get(session__lead_id=session.lead_id)
    assert deal.session.state == S.W5_BATTLEPACK and deal.ae_owner == team.ae and deal.sdr == team.sdr
    prospect.close()

    # 2. The SDR sees the deal, but cannot send before the AE's review.
    sdr = new_session()
    login(sdr.page, "sdr")
    sdr.page.get_by_role("link", name="White-glove (SDR)").click()
    row = sdr.page.get_by_role("row").filter(has_text="CVE Electric")
    expect(row).to_contain_text("Review the battle pack and the drafted outreach")
    row.get_by_role("link", name="CVE Electric").click()
    expect(sdr.page.get_by_text("awaiting AE review — nothing goes out before it")).to_be_visible()
    expect(sdr.page.get_by_role("button", name="Send outreach")).to_have_count(0)

    # 3. The AE reviews the battle pack: dossier, Sarah's pre-run takeoff of their real pursuit, the draft.
    ae = new_session()
    page = ae.page
    login(page, "ae")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="White-glove", exact=True).click()
    page.get_by_role("link", name="CVE Electric").click()
    expect(page.locator("#pursuits")).to_contain_text("Phoenix water plant electrical")
    expect(page.get_by_role("heading", name="Sarah's pre-run takeoff")).to_be_visible()
    expect(page.get_by_text("Offline estimate", exact=False).first).to_be_visible()
    expect(page.locator("#cell-champion .tag")).to_contain_text("amber")
    expect(page.get_by_label("Message")).to_have_value(deal.drafted_outreach)
    page.get_by_role("button", name="Approve battle pack and draft").click()
    expect(page.get_by_role("status")).to_contain_text("Reviewed: the SDR can send this draft.")

    # 4. The SDR sends the reviewed draft and books the insight call.
    page = sdr.page
    page.reload()
    page.get_by_role("button", name="Send outreach").click()
    expect(page.get_by_role("status")).to_contain_text("Outreach sent.")
    expect(page.get_by_role("heading", name="W6 · Outreach", exact=True)).to_be_visible()
    page.get_by_label("Insight call at").fill("2026-12-01T10:00")
    page.get_by_role("button", name="Book the insight call").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting booked")
    assert_no_js_errors(sdr)

    # 5. The AE runs discovery: qualification is refused until champion and economic buyer are confirmed.
    page = ae.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="White-glove", exact=True).click()
    page.get_by_role("row").filter(has_text="CVE Electric").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="W7 · Discovery — the insight call", exact=True)).to_be_visible()
    page.get_by_role("button", name="Mark MEDDPICC qualified").click()
    expect(page.get_by_role("status")).to_contain_text("needs a confirmed champion and economic buyer")
    save_cell(page, "Champion", "Dana Reyes, Chief Estimator")
    save_cell(page, "Economic buyer", "Lee Park, CFO")
    for label in ("Metrics", "Identify pain", "Decision criteria", "Decision process"):
        save_cell(page, label)
    page.get_by_role("button", name="Mark MEDDPICC qualified").click()
    expect(page.get_by_role("status")).to_contain_text("MEDDPICC qualified")

    # 6. The demo, seeded with their real pursuit; then the seat and the close.
    expect(page.locator("#demo-pursuit")).to_have_text("Phoenix water plant electrical")
    page.get_by_label("What was demoed").fill("Sarah's takeoff of the Phoenix water plant on their own plans")
    page.get_by_label("What was technically validated").fill("Conduit runs within 3% of their estimator's count")
    page.get_by_label("Unresolved objections").fill("SSO with Okta before rollout")
    page.get_by_role("button", name="Demo delivered").click()
    expect(page.get_by_role("status")).to_contain_text("Demo delivered")
    expect(
        page.get_by_role("heading", name="W9 · Seat — the FDE seats the department; annual close", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("draft onboarding plan prepared pre-close")).to_be_visible()  # pre-close trigger fired
    page.get_by_role("textbox", name="Commitment", exact=True).fill(COMMITMENT)
    page.get_by_role("button", name="Log commitment").click()
    expect(page.locator("#commitments")).to_contain_text(COMMITMENT)
    page.get_by_role("button", name="Contract sent").click()
    expect(page.get_by_role("status")).to_contain_text("Contract sent")
    page.get_by_label("Seats on the signed contract").fill("40")
    page.get_by_role("button", name="Contract signed — closed won").click()
    expect(page.get_by_role("status")).to_contain_text("Closed won: onboarding has started.")
    expect(page.get_by_role("heading", name="W10 · Closed won", exact=True)).to_be_visible()
    expect(page.locator("#history")).to_contain_text("deal.closed_won")
    assert_no_js_errors(ae)

    deal.refresh_from_db()
    plan = OnboardingPlan.objects.select_related("map").get(opportunity=deal.opportunity)
    assert plan.status == "active" and plan.preboarded and plan.csm == team.csm
    assert OnboardingPlan.objects.filter(opportunity=deal.opportunity).count() == 1

    # 7. The CSM finds the new customer in the cockpit, and the MAP carries the deal's commitments.
    csm = new_session()
    page = csm.page
    login(page, "csm")
    page.get_by_role("link", name="Onboarding", exact=True).click()
    page.get_by_role("link", name="CVE Electric").click()
    expect(page.get_by_role("heading", name="CVE Electric")).to_be_visible()
    page.get_by_role("link", name="Pending").click()
    expect(page.get_by_text(COMMITMENT)).to_be_visible()
    expect(page.get_by_text("Phoenix water plant", exact=False).first).to_be_visible()
    expect(page.get_by_text("SSO with Okta", exact=False).first).to_be_visible()
    assert_no_js_errors(csm)
