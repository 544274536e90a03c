"""seed_demo's year of rep-performance records (seed 001): there, shaped like the real thing, deterministic."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q

from enrichment.models import Lead
from gtmos.comp.models import CompPlan
from gtmos.core.demo.performance import quarter_of
from gtmos.crm.models import CadenceEventLog, Employee, Quota, QuotaRetirementLedger, Role, TerritoryDefinition

TODAY = dt.date(2026, 3, 2)  # the frozen clock: four weeks before the end of 2026-Q1


def _seed():
    call_command(
        "seed_demo",
        "--accounts",
        "80",
        "--reps",
        "12",
        "--seed",
        "5",
        "--onboarding",
        "0",
        "--health-days",
        "0",
        "--usage-days",
        "10",
        stdout=io.StringIO(),
    )


def _digest() -> str:
    rows = list(Quota.objects.order_by("rep__email", "period").values_list("rep__email", "period", "amount"))
    rows += list(
        QuotaRetirementLedger.objects.order_by("quota__rep__email", "as_of_date").values_list(
            "quota__rep__email", "as_of_date", "closed_amount", "committed_amount", "rep_commit"
        )
    )
    rows += list(
        CadenceEventLog.objects.order_by("external_id").values_list(
            "external_id",
            "sdr__email",
            "lead__email",
            "account__external_id",
            "cadence_type",
            "step",
            "channel",
            "occurred_at",
            "responded",
            "meeting_booked",
            "meeting_accepted",
            "opportunity__external_id",
            "risk_flags",
        )
    )
    rows += list(
        CompPlan.objects.order_by("period", "role", "segment", "employee__email").values_list(
            "period", "role", "segment", "employee__email", "touches_per_week"
        )
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _rate(sdr, step: int, cadence_type: str) -> float:
    counts = CadenceEventLog.objects.filter(sdr=sdr, step=step, cadence_type=cadence_type).aggregate(
        n=Count("id"), r=Count("id", filter=Q(responded=True))
    )
    return counts["r"] / counts["n"]


@pytest.mark.django_db(transaction=True)
def test_seed_demo_writes_a_deterministic_year_of_performance_records(frozen_clock):
    _seed()
    sdrs = list(Employee.objects.filter(role=Role.SDR).order_by("pk"))
    aes = list(Employee.objects.filter(role=Role.AE).order_by("pk"))
    assert len(sdrs) >= 2 and len(aes) >= 4

    # Quotas: the current quarter and the four before it, for every AE and AM, with a weekly ledger.
    labels = {quarter_of(TODAY)[0], "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"}
    assert set(Quota.objects.values_list("period", flat=True)) == labels
    reps = Employee.objects.filter(role__in=[Role.AE, Role.AM]).count()
    assert Quota.objects.count() == 5 * reps
    assert not Quota.objects.annotate(n=Count("ledger")).filter(n__lt=1).exists()
    assert QuotaRetirementLedger.objects.aggregate(m=Max("as_of_date"))["m"] <= TODAY
    closed_quarter = QuotaRetirementLedger.objects.filter(quota__period="2025-Q4", as_of_date=dt.date(2025, 12, 31))
    assert closed_quarter.count() == reps and not closed_quarter.exclude(committed_amount=0).exists()

    # The first AE is far behind pace in the current quarter (under 50% with under 6 weeks left) and
    # called an optimistic commit in the last full quarter; the second is ahead and sandbagged.
    now = QuotaRetirementLedger.objects.filter(quota__period="2026-Q1").order_by("-as_of_date")
    behind = now.filter(quota__rep=aes[0]).first()
    assert (behind.closed_amount + behind.committed_amount) < behind.quota.amount / 2
    ahead = now.filter(quota__rep=aes[1]).first()
    assert ahead.closed_amount + ahead.committed_amount > ahead.quota.amount * 3 / 4
    for rep, optimistic in ((aes[0], True), (aes[1], False)):
        q4 = QuotaRetirementLedger.objects.filter(quota__rep=rep, quota__period="2025-Q4")
        mid = q4.filter(as_of_date__lte=dt.date(2025, 11, 15)).order_by("-as_of_date").first()
        final = q4.order_by("-as_of_date").first()
        assert (mid.rep_commit > final.closed_amount * 11 / 10) is optimistic
        assert (mid.rep_commit < final.closed_amount * 9 / 10) is not optimistic

    # A year of cadence touches over the four cadence types, on Leads and on the book's contacts.
    span = CadenceEventLog.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    assert span["first"].date() <= TODAY - dt.timedelta(days=355) and span["last"].date() < TODAY
    assert set(CadenceEventLog.objects.values_list("cadence_type", flat=True)) == {"cold", "warm", "abm", "re_engage"}
    assert CadenceEventLog.objects.filter(lead__isnull=False).exists()
    assert CadenceEventLog.objects.filter(contact__isnull=False, cadence_type="abm").exists()
    assert (
        Lead.objects.filter(idempotency_key__startswith="demo-cadence-lead:").count()
        == CadenceEventLog.objects.filter(lead__isnull=False).values("lead").distinct().count()
    )
    # Response decays over a cadence; the first SDR's step 3 and the second's step 2 barely get answers.
    assert _rate(sdrs[0], 3, "cold") < _rate(sdrs[1], 3, "cold") / 3
    assert _rate(sdrs[1], 2, "cold") < _rate(sdrs[0], 2, "cold") / 3
    assert CadenceEventLog.objects.filter(sdr=sdrs[0], step=3, risk_flags__contains=["no_voicemail_left"]).exists()
    by_type = {
        row["cadence_type"]: row["r"] / row["n"]
        for row in CadenceEventLog.objects.values("cadence_type").annotate(
            n=Count("id"), r=Count("id", filter=Q(responded=True))
        )
    }
    assert by_type["warm"] > 2 * by_type["cold"]
    # Meetings: booked ⊇ accepted ⊇ converted; a converted meeting's deal was sourced by that SDR.
    funnel = CadenceEventLog.objects.aggregate(
        booked=Count("id", filter=Q(meeting_booked=True)),
        accepted=Count("id", filter=Q(meeting_accepted=True)),
        opps=Count("opportunity"),
    )
    assert funnel["booked"] > funnel["accepted"] > funnel["opps"] > 0
    assert not CadenceEventLog.objects.filter(opportunity__isnull=False).exclude(opportunity__sdr=F("sdr")).exists()
    # Volume against the plan: SDRs send about the plan's touches a week.
    plan = CompPlan.objects.get(role=Role.SDR, segment="", period="FY2026")
    weekly = CadenceEventLog.objects.filter(sdr=sdrs[0]).count() / 52
    assert 0.8 * plan.touches_per_week < weekly < 1.2 * plan.touches_per_week

    assert TerritoryDefinition.objects.count() == 3
    assert set(CompPlan.objects.values_list("period", flat=True)) >= {"FY2025", "FY2026"}

    first = _digest()
    call_command("flush", "--noinput")
    _seed()
    assert _digest() == first


@pytest.mark.django_db(transaction=True)
def test_performance_weeks_zero_writes_none_of_it(frozen_clock):
    call_command(
        "seed_demo",
        "--accounts",
        "20",
        "--reps",
        "8",
        "--onboarding",
        "0",
        "--health-days",
        "0",
        "--usage-days",
        "5",
        "--performance-weeks",
        "0",
        stdout=io.StringIO(),
    )
    assert not Quota.objects.exists() and not CadenceEventLog.objects.exists()
    assert not CompPlan.objects.exists()
