import datetime as dt
from decimal import Decimal

import pytest

from gtmos.core import clock
from gtmos.crm.models import Product, Quote, QuoteLine, Role
from gtmos.crm.services import opportunity_close_won
from onboarding.models import ProductValueEvent
from tests.factories import AccountFactory, CallFactory, ContactFactory, EmployeeFactory, OpportunityFactory

START = dt.date(2026, 3, 2)  # a Monday; the frozen clock starts here


class World:
    def __init__(self, segment="ent"):
        self.slm = EmployeeFactory(role=Role.SLM, user__username="slm")
        self.manager = EmployeeFactory(role=Role.MANAGER, manager=self.slm, slm=self.slm, user__username="mgr")
        self.ae = EmployeeFactory(role=Role.AE, manager=self.manager, slm=self.slm, user__username="ae")
        self.am = EmployeeFactory(role=Role.AM, manager=self.manager, slm=self.slm, user__username="am")
        self.csm = EmployeeFactory(role=Role.CSM, manager=self.manager, slm=self.slm, user__username="csm")
        self.post_sales = EmployeeFactory(role=Role.POST_SALES, slm=self.slm, user__username="postsales")
        self.impl = EmployeeFactory(role=Role.IMPLEMENTATION_ENGINEER, slm=self.slm, user__username="impl")
        self.other_csm = EmployeeFactory(role=Role.CSM, user__username="csm2")
        self.cro = EmployeeFactory(role=Role.EXECUTIVE, user__username="cro")
        self.account = AccountFactory(
            owner=self.ae,
            am=self.am,
            csm=self.csm,
            segment=segment,
            name="Acme Corp",
            contracted_seats=100,
            contracted_consumption_units=0,
        )
        self.sponsor = ContactFactory(account=self.account, name="Eve Exec", is_executive_sponsor=True)
        self.core = Product.objects.create(sku="CORE", name="Core seats")
        self.api = Product.objects.create(sku="API", name="API units", is_api_consumption=True)
        self.services = Product.objects.create(
            sku="IMPL", name="Implementation services", is_implementation_service=True
        )
        self.value_event = ProductValueEvent.objects.create(
            product=self.core,
            event_name="First report exported with live data",
            detection_method="auto_usage_feed",
            detection_signal="first_report_exported",
        )
        self.manual_event = ProductValueEvent.objects.create(
            product=self.core, event_name="First workflow live", detection_method="csm_manual"
        )

    def deal(self, *, acv="60000", sam="100000", health=80, stage="proposal", lines=("CORE",), segment=None, **kw):
        account = self.account
        if segment:
            account.segment = segment
            account.save()
        opp = OpportunityFactory(
            account=account,
            owner=self.ae,
            am=self.am,
            csm=self.csm,
            acv=Decimal(acv),
            sam_value=Decimal(sam),
            deal_health_score=health,
            stage=stage,
            close_date=START,
            **kw,
        )
        quote = Quote.objects.create(opportunity=opp, created_at=clock.now(), configuration_notes="SSO + 2 connectors")
        for sku in lines:
            QuoteLine.objects.create(quote=quote, product=Product.objects.get(sku=sku), quantity=10)
        CallFactory(
            account=account,
            opportunity=opp,
            owner=self.ae,
            objections=["SSO requirement"],
            next_steps=["deliver admin training in week 2"],
            demoed=["dashboards"],
        )
        return opp

    def close(self, opp, start=START):
        opportunity_close_won(opportunity=opp, contract_start_date=start)
        return (
            opp.onboarding_plan if hasattr(opp, "onboarding_plan") else type(opp).objects.get(pk=opp.pk).onboarding_plan
        )


@pytest.fixture
def world(db, frozen_clock):
    return World()
