"""The account 360 (issue 20): health with a dated trend and why it moved, the risk case, the onboarding plan
with its TTV bar and milestone timeline, the MAP and its customer link, renewals, contacts with buying roles and
one activity timeline with filters — in the same number of queries whatever the account's history."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.core import clock
from gtmos.crm.models import RepActivity
from gtmos.health.services.daily import health_daily
from onboarding.models import OnboardingLog
from tests.factories import CallFactory, ContactFactory
from tests.onboarding.conftest import World


@pytest.fixture
def world(db, frozen_clock):
    return World()


@pytest.fixture
def onboarding_account(world):
    plan = world.close(world.deal())
    world.account.renewal_date = clock.today() + dt.timedelta(days=200)
    world.account.is_customer = True
    world.account.save()
    for back in (2, 1, 0):
        health_daily(today=clock.today() - dt.timedelta(days=back))
    return plan


def page(client, account):
    response = client.get(f"/crm/accounts/{account.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_account_page_shows_health_plan_map_renewal_and_contacts(world, onboarding_account, client):
    client.force_login(world.csm.user)
    body = page(client, world.account)
    assert re.search(r'id="account-health">\d+<', body)
    assert "risk</span>" in body  # the tier in words (Low/Medium/High/Critical risk)
    assert "Health score" in body and "Show the values" in body and 'role="group"' in body  # the dated chart
    assert "TTV clock: day 0 of" in body and 'aria-label="TTV clock:' in body
    assert f"/onboarding/plans/{onboarding_account.pk}/" in body
    assert "Sign-off" in body and "Pending" in body
    assert "Make a read-only link for the customer" in body
    assert "Milestone timeline" in body and "M7 · " in body
    assert "Renews" in body and "200 days left" in body
    assert "Eve Exec" in body and "exec sponsor" in body


def test_account_page_hides_the_share_form_from_roles_that_cannot_share(world, onboarding_account, client):
    client.force_login(world.post_sales.user)
    # Post-sales sees the plan (they review every deal) but may not see the account page unless on it.
    response = client.get(f"/crm/accounts/{world.account.pk}/")
    assert response.status_code == 404 or "Make a read-only link" not in response.content.decode()


def test_activity_timeline_merges_sources_and_filters_by_kind(world, onboarding_account, client):
    CallFactory(account=world.account, owner=world.ae, next_steps=["send the SSO guide"])
    RepActivity.objects.create(
        rep=world.csm, role="csm", activity_date=clock.today(), activity_type="qbr", account=world.account
    )
    client.force_login(world.csm.user)
    url = f"/crm/accounts/{world.account.pk}/timeline/"
    everything = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "send the SSO guide" in everything and "QBR" in everything and "Milestone" in everything
    calls = client.get(url + "?kind=call", HTTP_HX_REQUEST="true").content.decode()
    assert "send the SSO guide" in calls and "QBR" not in calls
    assert 'aria-current="true"' in calls
    # Opened directly, the fragment URL renders the whole page with that filter.
    direct = client.get(url + "?kind=call").content.decode()
    assert "<html" in direct and 'id="tab-panel"' in direct and "timeline/?kind=call" in direct


def test_account_page_queries_do_not_grow_with_history(world, onboarding_account, client):
    client.force_login(world.csm.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            page(client, world.account)
            assert client.get(f"/crm/accounts/{world.account.pk}/timeline/", HTTP_HX_REQUEST="true").status_code == 200
        return len(ctx)

    small = count()
    for n in range(15):
        ContactFactory(account=world.account)
        CallFactory(account=world.account, owner=world.ae)
        RepActivity.objects.create(
            rep=world.csm, role="csm", activity_date=clock.today(), activity_type="note", account=world.account
        )
        OnboardingLog.objects.create(
            account=world.account,
            plan=onboarding_account,
            log_date=clock.today(),
            entry_type="csm_activity",
            ttv_days_elapsed=0,
            ttv_target_days=30,
            milestones_complete=0,
            milestones_total=7,
            notes=f"note {n}",
        )
    assert count() == small


def test_opportunity_page_shows_next_step_stakeholders_activity_and_preboarding(world, client):
    opp = world.deal()  # its call agreed "deliver admin training in week 2"
    client.force_login(world.ae.user)
    body = client.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert "Next step" in body and "deliver admin training in week 2" in body
    assert "Stakeholders" in body and "Eve Exec" in body and "exec sponsor" in body
    assert "Activity" in body and "objections: SSO requirement" in body
    assert "Pre-boarding" in body


def test_opportunity_page_reads_deal_health_in_words_with_its_legend(world, client):
    opp = world.deal(health=35)
    opp.deal_risk_flags = ["single-threaded", "no_exec_sponsor"]
    opp.save()
    client.force_login(world.ae.user)
    body = client.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert 'class="tag bad">at risk</span>' in body
    assert "single-threaded" in body and "no exec sponsor" in body  # flags in words
    assert "70 and above" in body and "under 40" in body  # the band colours explained on the page
    assert "Buying roles reached" in body


def test_opportunity_timeline_holds_the_deals_calls_activities_and_stage_changes(world, client):
    from gtmos.crm.models import OpportunityStageChange

    opp = world.deal()
    other = world.deal(stage="demo")
    CallFactory(account=world.account, opportunity=other, owner=world.ae, next_steps=["other deal's step"])
    OpportunityStageChange.objects.create(
        opportunity=opp, from_stage="demo", to_stage="proposal", changed_at=clock.now() - dt.timedelta(days=3)
    )
    RepActivity.objects.create(
        rep=world.ae,
        role="ae",
        activity_date=clock.today(),
        activity_type="meeting",
        account=world.account,
        notes="pricing walk-through",
    )
    client.force_login(world.ae.user)
    body = client.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert "deliver admin training in week 2" in body and "other deal&#x27;s step" not in body
    assert "Demo / solution → Proposal" in body and "pricing walk-through" in body
    url = f"/crm/opportunities/{opp.pk}/timeline/"
    stages = client.get(url + "?kind=stage", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in stages and "Demo / solution → Proposal" in stages and "pricing walk-through" not in stages
    direct = client.get(url + "?kind=call").content.decode()
    assert "<html" in direct and "deliver admin training" in direct and "Demo / solution → Proposal" not in direct
    assert client.get(f"/crm/opportunities/{opp.pk}/nope/").status_code == 404


def test_opportunity_page_is_refused_outside_the_book_and_flat_in_history(world, client):
    from tests.factories import EmployeeFactory

    opp = world.deal()
    stranger = EmployeeFactory(role="ae", user__username="stranger")
    client.force_login(stranger.user)
    assert client.get(f"/crm/opportunities/{opp.pk}/").status_code == 404
    assert client.get(f"/crm/opportunities/{opp.pk}/timeline/", HTTP_HX_REQUEST="true").status_code == 404
    client.force_login(world.ae.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/crm/opportunities/{opp.pk}/").status_code == 200
        return len(ctx)

    small = count()
    for _ in range(15):
        ContactFactory(account=world.account)
        CallFactory(account=world.account, opportunity=opp, owner=world.ae, next_steps=["x"])
        RepActivity.objects.create(
            rep=world.ae, role="ae", activity_date=clock.today(), activity_type="note", account=world.account
        )
    assert count() == small
