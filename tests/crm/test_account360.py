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
