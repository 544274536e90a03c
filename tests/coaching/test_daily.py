"""The escalation-threshold table's rows and the exception-only daily flags (managers only)."""

import datetime as dt
from decimal import Decimal

import pytest

from coaching.models import CoachingEscalation as Esc
from coaching.models import DailyFlag
from coaching.services.daily import coaching_daily
from gtmos.audit.models import Notification
from gtmos.crm.models import ConvIntelligenceCall, Quota, QuotaRetirementLedger, Role
from gtmos.health.models import CustomerHealthLog
from tests.factories import AccountFactory, EmployeeFactory

Q_START, Q_END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)


def ae_with_ledger(team, closed, committed, as_of):
    ae = EmployeeFactory(role=Role.AE, manager=team.manager, slm=team.slm)
    quota = Quota.objects.create(
        rep=ae, period="2026-Q4", period_start=Q_START, period_end=Q_END, amount=Decimal(100000)
    )
    QuotaRetirementLedger.objects.create(
        quota=quota, as_of_date=as_of, closed_amount=Decimal(closed), committed_amount=Decimal(committed)
    )
    return ae


@pytest.mark.parametrize(
    "day, closed, fires",
    [
        (dt.date(2026, 11, 25), 49000, True),  # 36 days (5.1 weeks) left, 49% closed → fires (committed not counted)
        (dt.date(2026, 11, 25), 50000, False),  # 50%: not below the floor
        (dt.date(2026, 11, 19), 30000, False),  # 42 days = 6.0 weeks left: not fewer than 6
    ],
)
def test_ae_below_half_with_under_six_weeks_goes_to_manager_and_slm_at_once(team, day, closed, fires):
    ae = ae_with_ledger(team, closed, 9000, day)
    coaching_daily(day=day)
    escs = Esc.objects.filter(rep=ae, kind=Esc.Kind.ATTAINMENT)
    assert escs.exists() is fires
    if fires:
        assert escs.get().to_manager and escs.get().to_slm
        for who in (team.manager, team.slm):
            assert Notification.objects.filter(recipient=who.user, rule="coaching_attainment").count() == 1
        coaching_daily(day=day + dt.timedelta(days=1))  # once per quota period
        assert escs.count() == 1
        assert not Notification.objects.filter(recipient=ae.user).exists()


@pytest.mark.parametrize("counts_committed, fires", [(False, True), (True, False)])
def test_attainment_for_the_escalation_row_is_closed_over_quota(team, counts_committed, fires):
    """Seed 001's row reads "Attainment <50%": closed / quota by default; closed + committed is a setting."""
    team.settings.attainment_counts_committed = counts_committed
    team.settings.save()
    day = dt.date(2026, 11, 25)
    ae = ae_with_ledger(team, 45000, 20000, day)  # 45% closed, 65% closed + committed
    coaching_daily(day=day)
    assert Esc.objects.filter(rep=ae, kind=Esc.Kind.ATTAINMENT).exists() is fires


def calls(rep, start, days, quality):
    ConvIntelligenceCall.objects.bulk_create(
        [
            ConvIntelligenceCall(
                owner=rep,
                owner_role=rep.role,
                occurred_at=dt.datetime.combine(start + dt.timedelta(days=i), dt.time(15), tzinfo=dt.UTC),
                quality_score=quality,
            )
            for i in range(days)
        ]
    )


@pytest.mark.parametrize("low_days, fires", [(60, True), (20, False)])
def test_conversation_quality_in_the_bottom_quartile_for_30_days_goes_to_the_manager(team, low_days, fires):
    day = dt.date(2026, 11, 20)
    start = day - dt.timedelta(days=59)
    aes = [EmployeeFactory(role=Role.AE, manager=team.manager, slm=team.slm) for _ in range(5)]
    for rep in aes[1:]:
        calls(rep, start, 60, 80)
    calls(aes[0], start, 60 - low_days, 85)
    calls(aes[0], day - dt.timedelta(days=low_days - 1), low_days, 40)
    coaching_daily(day=day)
    esc = Esc.objects.filter(rep=aes[0], kind=Esc.Kind.QUALITY)
    assert esc.exists() is fires
    if fires:
        assert esc.get().to_manager and not esc.get().to_slm
    assert not Esc.objects.filter(rep__in=aes[1:]).exists()


def health(account, day, tier, onboarding=False):
    score = {"low": 80, "medium": 60, "high": 40, "critical": 10}[tier]
    CustomerHealthLog.objects.create(
        account=account,
        day=day,
        score=score,
        computed_score=score,
        tier=tier,
        lifecycle_segment="established",
        in_onboarding=onboarding,
        coverage_pct=100,
    )


@pytest.mark.parametrize("dropping, fires", [(3, True), (2, False)])
def test_more_than_half_the_book_dropping_a_tier_goes_to_manager_and_slm(team, dropping, fires):
    day = dt.date(2026, 11, 20)
    am = EmployeeFactory(role=Role.AM, manager=team.manager, slm=team.slm)
    for i in range(4):
        acc = AccountFactory(am=am, is_customer=True)
        health(acc, day - dt.timedelta(days=30), "low")
        health(acc, day, "medium" if i < dropping else "low")
    coaching_daily(day=day)
    esc = Esc.objects.filter(rep=am, kind=Esc.Kind.BOOK_DROP)
    assert esc.exists() is fires  # 3 of 4 = 75% > 50%; 2 of 4 = 50% is not a majority
    if fires:
        assert esc.get().to_manager and esc.get().to_slm


def test_leaving_onboarding_is_not_a_drop(team):
    day = dt.date(2026, 11, 20)
    csm = EmployeeFactory(role=Role.CSM, manager=team.manager, slm=team.slm)
    for _ in range(3):
        acc = AccountFactory(csm=csm, is_customer=True)
        health(acc, day - dt.timedelta(days=30), "low", onboarding=True)  # proxy score
        health(acc, day, "high")  # first live score
    coaching_daily(day=day)
    assert not Esc.objects.filter(rep=csm).exists()


def test_daily_flags_are_exception_only_and_for_managers(team):
    day = dt.date(2026, 11, 25)
    ae = ae_with_ledger(team, 40000, 9000, day)
    coaching_daily(day=day)
    coaching_daily(day=day)
    flag = DailyFlag.objects.get(rep=ae, condition="attainment_floor")  # once, however often the job runs
    assert "40" in flag.detail or "49" in flag.detail
    assert not Notification.objects.filter(recipient=ae.user).exists()
    QuotaRetirementLedger.objects.filter(quota__rep=ae).update(closed_amount=Decimal(90000))
    coaching_daily(day=day + dt.timedelta(days=1))
    flag.refresh_from_db()
    assert flag.cleared_on == day + dt.timedelta(days=1)  # the condition cleared


def test_three_flags_in_fourteen_days_start_the_escalation_path(team):
    day = dt.date(2026, 11, 20)
    for i, cond in enumerate(("a", "b", "c")):
        DailyFlag.objects.create(
            rep=team.sdr,
            role="sdr",
            day=day - dt.timedelta(days=i * 5),
            condition=cond,
            value=1,
            threshold=2,
            detail="x",
            cleared_on=day,
        )
    coaching_daily(day=day)
    esc = Esc.objects.get(rep=team.sdr, kind=Esc.Kind.REPEATED_FLAGS)
    assert esc.to_manager and not esc.to_slm
    coaching_daily(day=day)
    assert Esc.objects.filter(rep=team.sdr, kind=Esc.Kind.REPEATED_FLAGS).count() == 1


# --- every daily flag kind: metric, current value, the bound it crossed and how, a playbook action ------------


def complete(flag):
    """Seed 001: "Point alert with specific metric, current value, threshold breached, recommended action"."""
    assert flag.metric and flag.bound_rule and flag.recommended_action.strip(), flag
    assert flag.threshold is not None
    return flag


def outreach_cohort(team, day):
    """Five SDRs on a 25 touches/week plan; Sky sends 2 a week (8% of plan), the others 25 (100%)."""
    others = [team.other_sdr] + [EmployeeFactory(role=Role.SDR, manager=team.manager, slm=team.slm) for _ in range(3)]
    for k in range(4):
        team.touches(team.sdr, day - dt.timedelta(weeks=k), 2)
        for sdr in others:
            team.touches(sdr, day - dt.timedelta(weeks=k), 25)


def test_a_metric_flag_names_the_metric_its_critical_bound_and_a_play(team):
    day = dt.date(2026, 11, 22)
    outreach_cohort(team, day)
    coaching_daily(day=day)
    flag = complete(DailyFlag.objects.get(rep=team.sdr, condition="outreach_volume"))
    # Cohort 8, 100, 100, 100, 100: the 10th percentile is 8 + 0.4 × 92 = 44.8.
    assert (flag.metric, flag.value, flag.threshold) == ("Outreach volume vs activity target", 8.0, 44.8)
    assert flag.bound_rule == "worst 10% of the SDR cohort: its 10th percentile across 5 reps"
    assert "2 touches/week against 25 expected" in flag.recommended_action  # the playbook entry, filled in
    assert "44.8%" in flag.detail and "8%" in flag.detail
    assert not DailyFlag.objects.exclude(rep=team.sdr).exists()


def test_every_metric_of_every_role_has_a_revops_critical_bound(db):
    from coaching.metrics.registry import REGISTRY
    from coaching.models import CriticalBound

    rows = {(b.role, b.metric): b for b in CriticalBound.objects.all()}
    for role, metrics in REGISTRY.items():
        for code in metrics:
            if code != "daily_flags":  # the repeated-flags row itself, not a metric with a bound
                assert rows[(role, code)].percentile == 10 and rows[(role, code)].value is None, (role, code)


def test_a_fixed_bound_from_revops_replaces_the_percentile(team):
    from coaching.models import CriticalBound

    CriticalBound.objects.filter(role=Role.SDR, metric="outreach_volume").update(percentile=None, value=5)
    day = dt.date(2026, 11, 22)
    outreach_cohort(team, day)
    coaching_daily(day=day)
    assert not DailyFlag.objects.filter(condition="outreach_volume").exists()  # 8% is above the fixed 5%


def test_the_attainment_flag_carries_its_bound_and_action(team):
    day = dt.date(2026, 11, 25)
    ae = ae_with_ledger(team, 40000, 9000, day)
    coaching_daily(day=day)
    flag = complete(DailyFlag.objects.get(rep=ae, condition="attainment_floor"))
    assert (flag.value, flag.threshold) == (40.0, 50.0)
    assert flag.bound_rule == "closed / quota below 50% with fewer than 6 weeks left in the period"


def test_the_quality_flag_carries_its_bound_and_action(team):
    day = dt.date(2026, 11, 20)
    start = day - dt.timedelta(days=59)
    aes = [EmployeeFactory(role=Role.AE, manager=team.manager, slm=team.slm) for _ in range(5)]
    for rep in aes[1:]:
        calls(rep, start, 60, 80)
    calls(aes[0], start, 60, 40)
    coaching_daily(day=day)
    flag = complete(DailyFlag.objects.get(rep=aes[0], condition="quality_bottom_quartile"))
    assert (flag.value, flag.threshold) == (40.0, 80.0)  # the cohort's 25th percentile on the last day
    assert flag.bound_rule == "bottom quartile of the AE cohort's trailing-30-day call score, every day for 30 days"


def test_the_book_drop_flag_carries_its_bound_and_action(team):
    day = dt.date(2026, 11, 20)
    am = EmployeeFactory(role=Role.AM, manager=team.manager, slm=team.slm)
    for i in range(4):
        acc = AccountFactory(am=am, is_customer=True)
        health(acc, day - dt.timedelta(days=30), "low")
        health(acc, day, "medium" if i < 3 else "low")
    coaching_daily(day=day)
    flag = complete(DailyFlag.objects.get(rep=am, condition="book_tier_drop"))
    assert (flag.value, flag.threshold) == (75.0, 50.0)
    assert flag.bound_rule == "more than 50% of the book dropping a health tier within 30 days"


def test_a_metric_family_flags_once_with_its_worst_member(team):
    """Stage pairs, cadence steps and stages' velocity are one metric each: one flag names the worst of them."""
    from .metrics.conftest import AS_OF, touches

    peers = [EmployeeFactory(role=Role.SDR, manager=team.manager, slm=team.slm) for _ in range(3)] + [team.other_sdr]
    for sdr in peers:  # 6 of 20 respond at each step: 30%
        for step in (1, 2):
            touches(sdr, 6, step=step, responded=True)
            touches(sdr, 14, step=step)
    touches(team.sdr, 20, step=1)  # Sky: 0% at step 1
    touches(team.sdr, 1, step=2, responded=True)  # and 5% at step 2
    touches(team.sdr, 19, step=2)
    coaching_daily(day=AS_OF)
    # Both steps are past the cohort's 10th percentile (12%): one flag, for the worst step.
    flag = complete(DailyFlag.objects.get(rep=team.sdr, condition="step_response"))
    assert (flag.value, flag.metric) == (0.0, "Response rate by step: Cold cadence, step 1")
    assert not DailyFlag.objects.filter(condition__startswith="step_response:").exists()
