"""End to end in real Chromium: AM starts pre-boarding → the AE writes the MAP → close won → post-sales reject
(comp hold) → SLM inbox → post-sales cannot accept a rejection; the SLM overrides (hold and payouts lifted at
once) → CSM works M1–M6 over htmx and closes onboarding with the CS handoff."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gtmos.audit.models import Notification
from gtmos.comp.models import Payout
from gtmos.comp.services import comp_hold_run
from gtmos.core import clock
from gtmos.crm.models import Account
from gtmos.crm.services import opportunity_close_won
from onboarding.models import CSHandoff, OnboardingPlan
from tests.onboarding.conftest import World

PASSWORD = "pw-123456"


def login(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def payout_statuses(opp) -> set[str]:
    return set(Payout.objects.filter(opportunity=opp).values_list("status", flat=True))


def assert_no_js_errors(session) -> None:
    assert session.errors == [], session.errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_onboarding_journey(new_session):
    world = World()
    opp = world.deal()
    today = clock.today()
    value_date = today + dt.timedelta(days=30)

    # 1. The AM starts pre-boarding by hand; the MAP is the selling team's to write (read-only for the AM).
    am = new_session()
    page = am.page
    login(page, "am")
    page.goto("/onboarding/preclose/")
    page.get_by_role("link", name=opp.name, exact=True).click()
    page.get_by_role("button", name="Start pre-boarding").click()
    expect(page.get_by_role("status")).to_contain_text("Pre-boarding started")
    map_form = page.locator("section[aria-labelledby=map-h] form")
    expect(map_form.get_by_label("Selling team commitments")).to_be_disabled()
    assert_no_js_errors(am)
    am.close()

    # The AE writes the MAP.
    ae = new_session()
    page = ae.page
    login(page, "ae")
    page.goto(f"/onboarding/preclose/{opp.pk}/")
    map_form = page.locator("section[aria-labelledby=map-h] form")
    map_form.get_by_role("checkbox", name=world.value_event.event_name).check()
    # The value event's date input has no <label> of its own (see the report); it sits next to its checkbox.
    map_form.get_by_label(f"Target date for {world.value_event.event_name}").fill(value_date.isoformat())
    map_form.get_by_label("Technical win details").fill("SSO validated in the technical win; 2 connectors scoped.")
    map_form.get_by_role("button", name="Save MAP").click()
    expect(page.get_by_role("status")).to_contain_text("MAP saved.")
    expect(map_form.get_by_role("checkbox", name=world.value_event.event_name)).to_be_checked()
    plan = OnboardingPlan.objects.select_related("map").get(opportunity=opp)
    assert plan.status == "draft"
    assert plan.map.selected_value_events == [
        {"value_event_id": world.value_event.pk, "target_date": value_date.isoformat()}
    ]
    assert plan.map.technical_win_details.startswith("SSO validated")
    assert_no_js_errors(ae)
    ae.close()

    # 2. The order signal: closed won through the real service activates onboarding and creates payouts.
    assert opportunity_close_won(opportunity=opp, contract_start_date=today)
    plan.refresh_from_db()
    assert plan.status == "active"
    assert payout_statuses(opp) == {"scheduled"}

    # 3. Post-sales rejects the handoff.
    post_sales = new_session()
    page = post_sales.page
    login(page, "postsales")
    page.goto("/onboarding/review/")
    page.get_by_role("link", name=opp.name, exact=True).click()
    page.get_by_label("Reason").fill("Success criteria are vague and the SSO objection is unresolved.")
    page.get_by_role("button", name="Reject handoff").click()
    expect(page.get_by_role("status")).to_contain_text("Rejected: the SLM has been notified and comp is on hold.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("comp on hold")
    assert_no_js_errors(post_sales)
    post_sales.close()

    # The daily comp run places the rep's payouts on hold.
    assert comp_hold_run()["held"] == 2
    assert payout_statuses(opp) == {"held"}

    # 4. The SLM sees the hold in the inbox.
    slm = new_session()
    page = slm.page
    login(page, "slm")
    page.goto("/inbox/")
    hold = page.locator("ul.inbox > li").filter(has=page.locator(".tag", has_text="Comp hold"))  # the rule in words
    expect(hold).to_have_count(1)
    expect(hold.locator("strong")).to_have_text(re.compile(rf"^Comp hold: {re.escape(opp.name)}$"))
    assert (
        Notification.objects.filter(
            recipient=world.slm.user, rule="map_signoff_hold", title__startswith="Comp hold:"
        ).count()
        == 1
    )
    assert_no_js_errors(slm)
    slm.close()

    # 5. Post-sales comes back: a rejection cannot be turned into an acceptance.
    post_sales = new_session()
    page = post_sales.page
    login(page, "postsales")
    page.goto("/onboarding/review/")
    page.get_by_role("link", name=opp.name, exact=True).click()
    expect(page.get_by_role("button", name="Accept with these risk notes")).to_have_count(0)
    expect(page.get_by_text("proceeds only with an SLM override")).to_be_visible()
    assert_no_js_errors(post_sales)
    post_sales.close()

    # 6. The SLM overrides: the hold and the payouts are lifted with the sign-off, no comp run needed.
    slm = new_session()
    page = slm.page
    login(page, "slm")
    page.goto(f"/onboarding/review/{plan.map_id}/")
    page.get_by_label("Why the deal proceeds despite the rejection").fill("Strategic logo; SE staffs the SSO work.")
    page.get_by_role("button", name="Override and proceed").click()
    expect(page.get_by_role("status")).to_contain_text("Override recorded: the deal proceeds.")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("comp on hold")
    assert payout_statuses(opp) == {"scheduled"}
    assert comp_hold_run() == {"held": 0, "released": 0}  # the daily run is only the backstop
    assert_no_js_errors(slm)
    slm.close()

    # 7. The CSM works the milestones in the cockpit and closes onboarding with the handoff.
    csm = new_session()
    page = csm.page
    login(page, "csm")
    page.goto("/onboarding/cockpit/")
    page.get_by_role("link", name="Acme Corp", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Corp")
    # Seed 004's training schedule: the CSM schedules admin training with the customer's contact, then records
    # who attended; the session delivers M2 with the attendance as its evidence.
    page.get_by_role("link", name="Schedule a training session").click()
    page.get_by_label("Title").fill("Admin training: SSO and roles")
    page.get_by_label("Audience").select_option("admin")
    page.get_by_label("Date and time").fill(f"{today.isoformat()}T00:05")
    page.get_by_role("checkbox", name="Eve Exec").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Scheduled “Admin training: SSO and roles”")
    training = page.locator("#training")
    expect(training).to_contain_text("Eve Exec")
    training.get_by_role("link", name="Admin training: SSO and roles").click()
    expect(page.get_by_role("checkbox", name="Eve Exec")).to_be_checked()  # the invitees, pre-ticked
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_role("status")).to_contain_text("Attendance recorded.")
    expect(page.locator("dl.facts")).to_contain_text("1 of 1 invited")
    page.get_by_role("link", name="Acme Corp").first.click()
    expect(page.locator("#milestone-M2")).to_contain_text("Done")
    expect(page.locator("#milestone-M2")).to_contain_text("Attendance:")
    for code in ("M1", "M3", "M4", "M5", "M6"):
        milestone = page.locator(f"#milestone-{code}")
        if code == "M3":
            milestone.get_by_label("Evidence").fill("Admin training attended by 12/12; assessment passed.")
        with page.expect_response(lambda r, code=code: f"/milestones/{code}/complete/" in r.url) as response_info:
            milestone.get_by_role("button", name=f"Mark {code} complete").click()
        response = response_info.value
        assert response.request.headers.get("hx-request") == "true", f"{code} was not posted through htmx"
        assert response.status == 200
        expect(page.locator(f"#milestone-{code}")).to_contain_text("Done")
        expect(page.locator(f"#milestone-{code}").get_by_role("button")).to_have_count(0)
    expect(page.locator("#milestone-M3")).to_contain_text("Admin training attended")
    expect(page.locator(".board li.milestone.done")).to_have_count(6)

    page.get_by_role("link", name="Close onboarding and file the handoff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close onboarding (M7)")
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing left open
    page.get_by_label("Delivery date").fill(today.isoformat())
    page.get_by_label("Key outcomes").fill("SSO live; 2 connectors syncing; first live report exported.")
    page.get_by_label("Satisfaction signal").fill("CX 9/10; sponsor happy on the last call.")
    page.get_by_label("Relationship warmth").select_option("strong")
    page.get_by_label("Warmth assessed by").select_option(label=str(world.am))  # "Name (Role)"
    page.get_by_label("Referral potential").select_option("yes")
    page.get_by_label("Referral basis").fill("Sponsor offered to speak at our customer day.")
    page.get_by_role("button", name="Close onboarding and file the handoff").click()

    # 8. The handoff is filed and the account leaves onboarding.
    expect(page.get_by_role("status")).to_contain_text("Onboarding closed and the handoff filed.")
    record = page.get_by_label("Handoff record")
    expect(record).to_contain_text("ONBOARDING-TO-CS HANDOFF")
    expect(record).to_contain_text(f"assessed by {world.am.name}")
    handoff = CSHandoff.objects.get(plan=plan)
    assert handoff.filed_by == world.csm
    assert handoff.warmth_assessed_by == world.am
    assert handoff.relationship_warmth == "strong" and handoff.referral_potential is True
    assert Account.objects.get(pk=world.account.pk).onboarding_status == "complete"
    plan.refresh_from_db()
    assert plan.status == "complete"
    page.screenshot(path="/tmp/journey_end.png", full_page=True)
    assert_no_js_errors(csm)
