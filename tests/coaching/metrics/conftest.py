"""Builders for the metric tests: hand-built rows on real PostgreSQL, dated relative to one ``AS_OF``.

Every builder takes ``days_ago`` (0 = AS_OF itself) so a test reads as its windows do: a row at
``days_ago=29`` is inside a trailing-30-day window, ``days_ago=30`` is one day outside it."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from coaching.metrics import read, reps_of
from coaching.models import CoachingSettings
from gtmos.crm.models import (
    Account,
    CadenceEventLog,
    ConvIntelligenceCall,
    Employee,
    Opportunity,
    OpportunityStageChange,
    Role,
)
from gtmos.health.models import CustomerHealthLog
from onboarding.models import MilestoneItem, MutualActionPlan, OnboardingPlan
from tests.factories import EmployeeFactory

AS_OF = dt.date(2026, 3, 16)  # a Monday, like the weekly run
_seq = itertools.count(1)


def day(days_ago: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_ago)


def at(days_ago: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day(days_ago), dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def cs(db) -> CoachingSettings:
    """The RevOps settings as shipped: min_sample 5, renewal_open_days 120, qbr_every_days 92."""
    return CoachingSettings.load()


def rep(role: str, *, segment: str = "mm", manager: Employee | None = None, **kw) -> Employee:
    return EmployeeFactory(role=role, segment=segment, manager=manager, **kw)


def manager() -> Employee:
    return EmployeeFactory(role=Role.MANAGER, segment="")


def readings(*employees: Employee, as_of: dt.date = AS_OF, settings: CoachingSettings | None = None) -> dict:
    """``read()`` for exactly these reps → {employee pk: {code: Reading}}."""
    reps = reps_of(Employee.objects.filter(pk__in=[e.pk for e in employees]))
    return read(reps, as_of, settings or CoachingSettings.load())


def value(out: dict, employee: Employee, code: str):
    """The reading's value, or None when the metric is absent (a data gap)."""
    r = out.get(employee.pk, {}).get(code)
    return None if r is None else r.value


def account(*, segment: str = "mm", owner=None, **kw) -> Account:
    n = next(_seq)
    return Account.objects.create(
        external_id=f"m-acct-{n}",
        name=kw.pop("name", f"Account {n}"),
        segment=segment,
        owner=owner,
        is_customer=kw.pop("is_customer", True),
        **kw,
    )


def opportunity(*, owner=None, acct: Account | None = None, created_days_ago: int | None = None, **kw) -> Opportunity:
    n = next(_seq)
    opp = Opportunity.objects.create(
        external_id=f"m-opp-{n}", name=kw.pop("name", f"Deal {n}"), account=acct or account(), owner=owner, **kw
    )
    if created_days_ago is not None:  # created_at is auto_now_add: set it after the insert
        Opportunity.objects.filter(pk=opp.pk).update(created_at=at(created_days_ago))
        opp.refresh_from_db()
    return opp


def deal_path(
    owner: Employee, stages: list[str], *, start_days_ago: int, days: list[int] | int = 7, **kw
) -> Opportunity:
    """An opportunity of ``owner`` moving through ``stages`` (one stage change each), the first change
    ``start_days_ago``; ``days`` is how long each stage lasted before the next change."""
    opp = opportunity(owner=owner, stage=stages[-1], **kw)
    durations = [days] * len(stages) if isinstance(days, int) else days
    when = at(start_days_ago)
    prev = ""
    for i, stage in enumerate(stages):
        OpportunityStageChange.objects.create(opportunity=opp, from_stage=prev, to_stage=stage, changed_at=when)
        prev = stage
        if i < len(stages) - 1:
            when += dt.timedelta(days=durations[i])
    return opp


def calls(owner: Employee, n: int, *, days_ago: int = 1, owner_role: str | None = None, **fields) -> None:
    ConvIntelligenceCall.objects.bulk_create(
        [
            ConvIntelligenceCall(owner=owner, owner_role=owner_role or owner.role, occurred_at=at(days_ago), **fields)
            for _ in range(n)
        ]
    )


def touches(
    sdr: Employee,
    n: int,
    *,
    days_ago: int = 1,
    cadence_type: str = "cold",
    step: int = 1,
    cadence_name: str = "",
    **fields,
) -> None:
    CadenceEventLog.objects.bulk_create(
        [
            CadenceEventLog(
                external_id=f"m-touch-{next(_seq)}",
                sdr=sdr,
                cadence_type=cadence_type,
                cadence_id=cadence_name or cadence_type,
                cadence_name=cadence_name,
                step=step,
                channel="email",
                occurred_at=at(days_ago),
                **fields,
            )
            for _ in range(n)
        ]
    )


def health(
    acct: Account, days_ago: int, score: int, *, tier: str = "low", sat: int | None = None, in_onboarding: bool = False
) -> CustomerHealthLog:
    components = {"satisfaction": {"score": sat}} if sat is not None else {}
    return CustomerHealthLog.objects.create(
        account=acct,
        day=day(days_ago),
        score=score,
        computed_score=score,
        tier=tier,
        lifecycle_segment="established",
        in_onboarding=in_onboarding,
        coverage_pct=100,
        components=components,
    )


def onboarding_plan(acct: Account) -> OnboardingPlan:
    opp = opportunity(acct=acct)
    map_ = MutualActionPlan.objects.create(opportunity=opp, account=acct)
    return OnboardingPlan.objects.create(account=acct, opportunity=opp, map=map_)


def milestone(plan: OnboardingPlan, code: str, *, due_days_ago: int, done_days_ago: int | None = None) -> MilestoneItem:
    return MilestoneItem.objects.create(
        plan=plan,
        code=code,
        name=code,
        owner_role="csm",
        day_offset=10,
        target_date=day(due_days_ago),
        completed_on=None if done_days_ago is None else day(done_days_ago),
    )


def money(x) -> Decimal:
    return Decimal(str(x))
