"""Issue 16 item 1 — seed 000: post-close onboarding is the new customer's journey. A renewal or an
expansion close updates the account (ARR, renewal date, an expansion play won) and does not reopen
onboarding, unless RevOps marks a SKU on the deal as needing its own product onboarding."""

import datetime as dt
from decimal import Decimal

import pytest

from gtmos.audit.models import ExceptionLog
from gtmos.comp.models import Payout
from gtmos.core import clock
from gtmos.crm.models import Account, Product, Quote, QuoteLine
from gtmos.crm.services import opportunity_close_won
from gtmos.health.models import CustomerHealthLog, ExpansionLog
from gtmos.health.services.daily import health_daily
from onboarding.models import OnboardingPlan, OnboardingSettings
from onboarding.services import handoff
from onboarding.services.map_signoff import map_signoff_scan

from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


@pytest.fixture
def customer(world):
    """An established customer: onboarded, closed at day 80, renewal date a year after the start."""
    plan = world.close(world.deal())
    clock.advance(days=80)
    handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    Account.objects.filter(pk=world.account.pk).update(arr=Decimal("60000"), renewal_date=dt.date(2027, 3, 2))
    clock.advance(days=120)  # day 200
    return plan


def _close(world, kind, *, acv="66000", skus=("CORE",), term=12):
    opp = world.deal(acv=acv, type=kind, stage="negotiation", lines=())
    quote = Quote.objects.create(opportunity=opp, created_at=clock.now(), term_months=term)
    for sku in skus:
        QuoteLine.objects.create(quote=quote, product=Product.objects.get(sku=sku), quantity=1)
    opportunity_close_won(opportunity=opp, contract_start_date=clock.today())
    return opp


def test_a_renewal_at_day_200_leaves_the_account_complete_and_health_in_live_mode(world, customer):
    completed_on = Account.objects.get(pk=world.account.pk).onboarding_complete_date
    opp = _close(world, "renewal", term=24)
    account = Account.objects.get(pk=world.account.pk)
    assert account.onboarding_status == "complete" and account.onboarding_complete_date == completed_on
    assert not OnboardingPlan.objects.filter(opportunity=opp).exists()
    assert account.arr == Decimal("66000") and account.renewal_date == dt.date(2028, 9, 18)
    health_daily()
    record = CustomerHealthLog.objects.get(account=account, day=clock.today())
    assert record.in_onboarding is False and record.inputs["nps"] != "onboarding"


def test_renewal_comp_is_not_held_by_the_map_gate(world, customer):
    opp = _close(world, "renewal")
    clock.advance(days=30)
    map_signoff_scan()
    assert not ExceptionLog.objects.filter(exception_type="map_signoff_hold", opportunity=opp).exists()
    assert set(Payout.objects.filter(opportunity=opp).values_list("status", flat=True)) == {"scheduled"}


def test_an_expansion_adds_arr_and_records_a_won_play_without_reopening_onboarding(world, customer):
    opp = _close(world, "expansion", acv="15000")
    account = Account.objects.get(pk=world.account.pk)
    assert account.onboarding_status == "complete" and account.arr == Decimal("75000")
    assert account.renewal_date == dt.date(2027, 3, 2)  # co-termed: an expansion keeps the renewal date
    play = ExpansionLog.objects.get(account=account)
    assert (play.status, play.amount, play.closed_on, play.play) == ("won", Decimal("15000"), clock.today(), opp.name)


def test_a_sku_revops_marks_for_product_onboarding_starts_a_product_plan_only(world, customer):
    Product.objects.create(sku="ANALYTICS", name="Analytics add-on")
    settings = OnboardingSettings.load()
    settings.product_onboarding_skus = ["ANALYTICS"]
    settings.save()
    plain = _close(world, "expansion", skus=("CORE",))
    assert not OnboardingPlan.objects.filter(opportunity=plain).exists()
    product = _close(world, "expansion", skus=("ANALYTICS",))
    plan = OnboardingPlan.objects.get(opportunity=product)
    assert plan.status == "active" and plan.product_onboarding
    account = Account.objects.get(pk=world.account.pk)
    assert account.onboarding_status == "complete"  # the customer is not new: health stays live


def test_a_renewal_deal_gets_no_pre_close_draft(world, customer):
    from onboarding.services.preclose import preclose_evaluate

    opp = world.deal(type="renewal", acv="200000", health=90, stage="proposal")
    assert preclose_evaluate(opportunity=opp) is None
    assert not OnboardingPlan.objects.filter(opportunity=opp).exists()
