import datetime as dt
from decimal import Decimal

import pytest

from gtmos.core import clock
from gtmos.crm.models import Account, Role, UsageDaily, UsageEvent
from gtmos.health.models import SupportTicket, SurveyResponse
from tests.factories import AccountFactory, ContactFactory, EmployeeFactory


class Book:
    """A CS team (SLM → manager → CSM + AM, plus an outsider CSM and RevOps) and helpers to build customers."""

    def __init__(self):
        self.slm = EmployeeFactory(role=Role.SLM, user__username="slm", name="Sam SLM")
        self.manager = EmployeeFactory(
            role=Role.MANAGER, manager=self.slm, slm=self.slm, user__username="mgr", name="Mia Manager"
        )
        self.csm = EmployeeFactory(
            role=Role.CSM, manager=self.manager, slm=self.slm, user__username="csm", name="Cat CSM"
        )
        self.am = EmployeeFactory(role=Role.AM, manager=self.manager, slm=self.slm, user__username="am", name="Al AM")
        self.ae = EmployeeFactory(role=Role.AE, manager=self.manager, slm=self.slm, user__username="ae")
        self.other_csm = EmployeeFactory(role=Role.CSM, user__username="csm2", name="Olga Outsider")
        self.revops = EmployeeFactory(role=Role.REVOPS, user__username="revops")
        self.sdr = EmployeeFactory(role=Role.SDR, user__username="sdr")
        self._n = 0

    def customer(self, name=None, *, tenure_days=400, seats=100, csm=None, sponsor_days=5, **kw) -> Account:
        """A customer with an exec sponsor last engaged ``sponsor_days`` ago and nothing else yet."""
        self._n += 1
        today = clock.today()
        values = dict(
            name=name or f"Customer {self._n}",
            owner=self.ae,
            am=self.am,
            csm=csm or self.csm,
            is_customer=True,
            contracted_seats=seats,
            arr=Decimal("120000"),
            contract_start_date=today - dt.timedelta(days=tenure_days),
            renewal_date=today + dt.timedelta(days=200),
        )
        account = AccountFactory(**{**values, **kw})
        ContactFactory(
            account=account, is_executive_sponsor=True, last_engaged_at=clock.now() - dt.timedelta(days=sponsor_days)
        )
        return account

    def usage(
        self,
        account,
        *,
        days=60,
        until=None,
        seats=80,
        logins=30,
        login_every=1,
        features=("reports", "api", "dashboards", "alerts", "exports"),
    ):
        """Daily usage rows for the ``days`` days up to ``until`` (today by default)."""
        until = until or clock.today()
        rows, events = [], []
        for back in range(days):
            day = until - dt.timedelta(days=back)
            on = back % login_every == 0
            rows.append(
                UsageDaily(account=account, day=day, active_seats=seats if on else 0, logins=logins if on else 0)
            )
            if back < 30 and on:
                events += [UsageEvent(account=account, day=day, event_name=f, count=3) for f in features]
        UsageDaily.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["account", "day"], update_fields=["active_seats", "logins"]
        )
        UsageEvent.objects.bulk_create(events, ignore_conflicts=True)

    def healthy(self, account):
        self.usage(account)
        SurveyResponse.objects.create(
            external_id=f"nps-{account.pk}",
            account=account,
            kind="nps",
            score=9,
            responded_on=clock.today() - dt.timedelta(days=20),
        )
        SupportTicket.objects.create(
            external_id=f"t-{account.pk}",
            account=account,
            priority="low",
            opened_on=clock.today() - dt.timedelta(days=200),
            status="closed",
            closed_on=clock.today() - dt.timedelta(days=199),
        )
        return account


def quiet(book: Book, name="Quiet Co", **kw):
    """No usage, no surveys, a sponsor silent for 200 days: an at-risk customer."""
    return book.customer(name, sponsor_days=200, **kw)


@pytest.fixture
def book(db, frozen_clock):
    return Book()
