"""Seed 001's standard and escalation flows end to end, on its own example: an AE whose stage 2→3 conversion
sits 18 points below the segment benchmark. Week 1 flags it (pending recommendation, manager notified); week 3
escalates to the SLM with the 3-week history whatever the manager decided; the rep's next digest carries the
summary, the diagnosis naming the stage pair and the gap, and the approved action."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from coaching.metrics.ae import pair_code
from coaching.models import ApprovalStatus, CoachingEscalation, Digest, RepCoachingLog
from coaching.services import approval
from coaching.services.digest import digests_generate
from coaching.services.weekly import coaching_weekly
from gtmos.audit.models import Notification
from gtmos.crm.models import Account, Opportunity, OpportunityStageChange, Quota, QuotaRetirementLedger, Role, Stage
from tests.factories import EmployeeFactory

from .conftest import week

STAGE_2_3 = pair_code(Stage.DISCOVERY, Stage.DEMO)
_n = itertools.count()


def deals(owner, entered: int, advanced: int) -> None:
    """``entered`` deals entering discovery 60 days before week 0; ``advanced`` of them reach demo a week later."""
    start = dt.datetime.combine(week(0) - dt.timedelta(days=60), dt.time(12), tzinfo=dt.UTC)
    for i in range(entered):
        k = next(_n)
        acct = Account.objects.create(external_id=f"flow-a-{k}", name=f"Account {k}", segment="mm")
        opp = Opportunity.objects.create(
            external_id=f"flow-o-{k}",
            name=f"{owner.name} deal {i}",
            account=acct,
            owner=owner,
            stage=Stage.DEMO if i < advanced else Stage.DISCOVERY,
        )
        OpportunityStageChange.objects.create(
            opportunity=opp, from_stage="", to_stage=Stage.DISCOVERY, changed_at=start
        )
        if i < advanced:
            OpportunityStageChange.objects.create(
                opportunity=opp,
                from_stage=Stage.DISCOVERY,
                to_stage=Stage.DEMO,
                changed_at=start + dt.timedelta(days=7),
            )


def on_pace(ae) -> None:
    quota = Quota.objects.create(
        rep=ae,
        period="2026-Q4",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
        amount=Decimal(100_000),
    )
    QuotaRetirementLedger.objects.create(
        quota=quota, as_of_date=dt.date(2026, 10, 1), closed_amount=Decimal(30_000), committed_amount=Decimal(10_000)
    )


@pytest.fixture
def ae(team):
    """Mid-Market AEs: Ada converts 21 of 50 (42%), three peers 6 of 10 (60%): the segment median is 60."""
    ada = EmployeeFactory(
        role=Role.AE, segment="mm", manager=team.manager, slm=team.slm, name="Ada AE", user__username="ada"
    )
    deals(ada, 50, 21)
    on_pace(ada)
    for n in range(3):
        peer = EmployeeFactory(role=Role.AE, segment="mm", manager=team.other_manager, slm=team.slm, name=f"Peer {n}")
        deals(peer, 10, 6)
        on_pace(peer)
    return ada


@pytest.mark.parametrize("decision", ["approve", "modify", "dismiss", "none"])
def test_stage_2_3_gap_flags_in_week_1_and_escalates_in_week_3(team, ae, decision):
    coaching_weekly(week=week(0))
    log = RepCoachingLog.objects.get(rep=ae, pattern_key=STAGE_2_3)
    assert (log.approval_status, log.weeks_persisting) == (ApprovalStatus.PENDING, 1)
    assert log.pattern_detected == (
        "Stage 2→3 conversion (Discovery → Demo / solution): 42% against the segment benchmark of 60% "
        "(18 pts below) this week."
    )
    assert "Ada AE deal 21" in log.recommended_action  # the stalled deals behind the pattern
    notice = Notification.objects.get(recipient=team.manager.user, rule="coaching_pattern", body=log.pattern_detected)
    assert notice.link == "/coaching/queue/"
    if decision == "approve":
        approval.recommendation_approve(log=log, by=team.manager)
    elif decision == "modify":
        approval.recommendation_modify(log=log, by=team.manager, action="Shadow Ada's next two discovery calls.")
    elif decision == "dismiss":
        approval.recommendation_dismiss(log=log, by=team.manager, note="New territory.")
    coaching_weekly(week=week(1))
    assert not RepCoachingLog.objects.get(pk=log.pk).escalated_to_slm
    coaching_weekly(week=week(2))
    log.refresh_from_db()
    assert (log.escalated_to_slm, log.escalation_date, log.weeks_persisting) == (True, week(2), 3)
    esc = CoachingEscalation.objects.get(rep=ae, kind=CoachingEscalation.Kind.PERSISTENCE, coaching_log=log)
    assert [(h["week"], h["value"], h["benchmark"]) for h in esc.history] == [
        (week(k).isoformat(), 42.0, 60.0) for k in range(3)
    ]
    assert Notification.objects.filter(recipient=team.slm.user, rule="coaching_escalation").exists()
    assert not Notification.objects.filter(recipient=ae.user).exists()


def test_the_digest_after_approval_shows_summary_diagnosis_and_action(team, ae, client):
    for k in range(3):
        coaching_weekly(week=week(k))
    log = RepCoachingLog.objects.get(rep=ae, pattern_key=STAGE_2_3)
    approval.recommendation_approve(log=log, by=team.manager)
    digests_generate(month=dt.date(2026, 10, 1), generated_on=dt.date(2026, 11, 2))
    digest = Digest.objects.get(employee=ae, kind=Digest.Kind.REP)
    c = digest.content
    summary = {row["code"]: row for row in c["summary"]}
    assert summary["attainment_pace"]["value"] is not None and summary["attainment_pace"]["status"] == "ok"
    assert summary["forecast_accuracy"]["status"] == "no_data"  # every summary metric of the role is listed
    stage = next(row for row in c["diagnosis"] if row["code"] == STAGE_2_3)
    assert stage["observed"] == (
        "Stage 2→3 conversion (Discovery → Demo / solution): 42% against the segment benchmark of 60% "
        "— 18 pts below for 3 consecutive weeks"
    )
    assert [a["action"] for a in c["actions"]] == [log.recommended_action]
    client.force_login(ae.user)
    page = client.get(f"/coaching/digests/{digest.pk}/").content.decode()
    for text in (
        "Performance summary",
        "Quota attainment vs pace",
        "Pattern diagnosis",
        "Stage 2→3 conversion (Discovery → Demo / solution): 42% against the segment benchmark of 60% — 18 pts below",
        "Skill gaps",
        "Recommended actions",
        log.recommended_action,
        "<svg",
    ):
        assert text in page, text
    # The manager's on-demand view reads the same skeleton, now.
    client.force_login(team.manager.user)
    view = client.get(f"/coaching/reps/{ae.pk}/").content.decode()
    assert "Pattern diagnosis" in view and "18 pts below" in view


def test_the_rep_digest_never_mentions_daily_flags(team, ae):
    coaching_weekly(week=week(0))
    digests_generate(month=dt.date(2026, 10, 1), generated_on=dt.date(2026, 11, 2))
    content = Digest.objects.get(employee=ae, kind=Digest.Kind.REP).content
    assert not any(row["code"] == "daily_flags" for row in content["summary"] + content["diagnosis"])
