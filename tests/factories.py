import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from gtmos.crm.models import Account, Contact, ConvIntelligenceCall, Employee, Opportunity, Role, UsageDaily


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("pw-123456")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda e: e.user.email if e.user else f"{e.name.replace(' ', '.')}@x.test")
    role = Role.AE


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"acct-{n}")
    name = factory.Sequence(lambda n: f"Account {n}")
    segment = "mm"
    arr = Decimal("50000")
    owner = factory.SubFactory(EmployeeFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"ct-{n}")
    name = factory.Sequence(lambda n: f"Contact {n}")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"opp-{n}")
    name = factory.Sequence(lambda n: f"Deal {n}")
    owner = factory.LazyAttribute(lambda o: o.account.owner)
    acv = Decimal("60000")
    deal_health_score = 75


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConvIntelligenceCall

    owner = factory.SubFactory(EmployeeFactory)
    owner_role = factory.LazyAttribute(lambda c: c.owner.role)
    account = factory.SubFactory(AccountFactory)
    occurred_at = factory.LazyFunction(lambda: dt.datetime(2026, 2, 1, 15, tzinfo=dt.UTC))


class UsageDailyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageDaily

    account = factory.SubFactory(AccountFactory)
    day = dt.date(2026, 2, 1)
    active_seats = 10
