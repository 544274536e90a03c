"""read() costs the same number of queries for 3 and for 12 reps of each role, each rep with data in every
source its role config reads."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.metrics import read, reps_of
from coaching.metrics.registry import REGISTRY
from coaching.models import DailyFlag
from gtmos.comp.models import CompPlan
from gtmos.crm.models import (
    Employee,
    Opportunity,
    OpportunityBriefLog,
    Quota,
    QuotaRetirementLedger,
    Quote,
    Role,
    Stage,
)
from gtmos.health.models import ExpansionLog, QBRLog

from .conftest import (
    AS_OF,
    account,
    at,
    calls,
    day,
    deal_path,
    health,
    milestone,
    money,
    onboarding_plan,
    opportunity,
    rep,
    touches,
)


def populate(n: int, start: int) -> None:
    """n reps of each role, every one with rows in each source its metrics read."""
    for i in range(start, start + n):
        ae = rep(Role.AE)
        q = Quota.objects.create(
            rep=ae,
            period="2026-Q1",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            amount=money(90_000),
        )
        QuotaRetirementLedger.objects.create(quota=q, as_of_date=day(3), closed_amount=money(10_000))
        old = Quota.objects.create(
            rep=ae,
            period="2025-Q4",
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            amount=money(90_000),
        )
        QuotaRetirementLedger.objects.create(quota=old, as_of_date=dt.date(2025, 11, 1), rep_commit=money(50_000))
        QuotaRetirementLedger.objects.create(quota=old, as_of_date=dt.date(2025, 12, 31), closed_amount=money(40_000))
        for _ in range(5):
            opp = deal_path(ae, [Stage.DISCOVERY, Stage.DEMO, Stage.PROPOSAL], start_days_ago=40)
            OpportunityBriefLog.objects.create(opportunity=opp, logged_at=at(3), objectives_met=True)
            Quote.objects.create(opportunity=opp, created_at=at(2), discount_pct=money(10))
        calls(ae, 5, call_type="demo", quality_score=70, objections=["x"], next_steps=["y"])
        DailyFlag.objects.create(rep=ae, role=Role.AE, day=day(1), condition="c", value=1, threshold=2, detail="x")

        am = rep(Role.AM)
        for k in range(5):
            acct = account(
                am=am,
                segment="mm",
                vertical="v",
                arr=money(100_000),
                contract_start_date=day(500),
                renewal_date=day(-100),
            )
            health(acct, 30, 70)
            health(acct, 0, 60)
            ExpansionLog.objects.create(
                external_id=f"q-play-{i}-{k}",
                account=acct,
                play="seats",
                status="won",
                opened_on=day(20),
                closed_on=day(10),
                amount=money(5_000),
            )
            QBRLog.objects.create(
                external_id=f"q-qbr-{i}-{k}",
                account=acct,
                status="completed",
                outcome="positive",
                scheduled_for=day(20),
                completed_on=day(20),
            )
            opportunity(
                acct=acct,
                type=Opportunity.Type.RENEWAL,
                stage=Stage.CLOSED_WON,
                closed_at=at(5),
                close_date=day(-100),
                created_days_ago=50,
            )
            exp = opportunity(acct=acct, am=am, type=Opportunity.Type.EXPANSION)
            Quote.objects.create(opportunity=exp, created_at=at(2), discount_pct=money(5))
        calls(am, 5, call_type="qbr", quality_score=60, objections=["x"])

        csm = rep(Role.CSM)
        for k in range(5):
            acct = account(csm=csm, onboarding_complete_date=day(30), ttv_achieved_days=50, ttv_target_days=60)
            health(acct, 30, 70, sat=50)
            health(acct, 0, 75, sat=55, tier="high" if k == 0 else "low")
            milestone(onboarding_plan(acct), "M1", due_days_ago=10, done_days_ago=11)
            ExpansionLog.objects.create(
                external_id=f"q-csm-play-{i}-{k}",
                account=acct,
                play="seats",
                status="won",
                opened_on=day(20),
                closed_on=day(10),
            )
        calls(
            csm,
            5,
            call_type="onboarding",
            quality_score=80,
            sentiment=0.2,
            talk_ratio=0.5,
            next_steps=["y"],
            objections=["x"],
        )
        calls(csm, 5, call_type="check_in", sentiment=0.1, days_ago=40)  # the sentiment trend's earlier window

        sdr = rep(Role.SDR)
        touches(sdr, 25, responded=True, meeting_booked=True, meeting_accepted=True, risk_flags=["x"])
        touches(sdr, 5, responded=True, meeting_booked=True, opportunity=opportunity(), days_ago=40)
        CompPlan.objects.create(
            employee=sdr,
            period="FY2026",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            touches_per_week=30,
        )
        calls(
            sdr,
            5,
            call_type="discovery",
            quality_score=50,
            objections=["x"],
            talk_ratio=0.4,
            question_count=6,
            question_depth=0.5,
            qualification_coverage=0.5,
        )


def count_queries(cs) -> tuple[int, dict]:
    reps = reps_of(Employee.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        out = read(reps, AS_OF, cs)
    return len(ctx.captured_queries), out


def test_read_query_count_does_not_grow_with_the_number_of_reps(cs):
    populate(3, 0)
    small, out_small = count_queries(cs)
    populate(9, 3)
    large, out_large = count_queries(cs)
    assert len(out_small) == 12 and len(out_large) == 48
    # Every rep got a reading for every metric family of its config, so every read path ran at both sizes.
    # (SDR: the registry lists product knowledge, but no SDR call type feeds it — seed 001's SDR table has none.)
    reps = reps_of(Employee.objects.all())
    for rep_id, codes in out_large.items():
        role = reps[rep_id].role
        assert {c.split(":")[0] for c in codes} == set(REGISTRY[role]) - (
            {"product_knowledge"} if role == Role.SDR else set()
        )
    assert small == large, (small, large)
