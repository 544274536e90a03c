"""Demo data for customer health: the inputs neighbouring systems would send, some customers heading for
churn (and some who churned or renewed, so the back-test has outcomes), then 90 days of scored history
written by the real daily run."""

from __future__ import annotations

import datetime as dt
import random

from gtmos.core import clock
from gtmos.crm.models import Account, Opportunity, UsageDaily

from .models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse
from .services.daily import health_backfill, health_daily

HISTORY_DAYS = 90
CHURN_BOUND_SHARE = 0.12  # customers whose usage slides and who mostly leave
RENEWED_SHARE = 0.2
DAY = dt.timedelta(days=1)


def seed_health(rng: random.Random, *, history_days: int = HISTORY_DAYS) -> dict[str, int]:
    today = clock.today()
    customers = list(
        Account.objects.filter(is_customer=True, contract_start_date__lte=today - 30 * DAY)
        .exclude(onboarding_status="active")
        .values_list("pk", "segment", "owner_id", "csm_id", "renewal_date", "arr")
    )
    rng.shuffle(customers)
    n_bound = int(len(customers) * CHURN_BOUND_SHARE)
    bound, steady = customers[:n_bound], customers[n_bound:]
    rows = {"surveys": [], "tickets": [], "qbrs": [], "plays": [], "advocacy": []}
    for account in steady:
        _inputs(rng, account, today, rows, healthy=True)
    for account in bound:
        _inputs(rng, account, today, rows, healthy=False)
    SurveyResponse.objects.bulk_create(rows["surveys"])
    SupportTicket.objects.bulk_create(rows["tickets"])
    QBRLog.objects.bulk_create(rows["qbrs"])
    ExpansionLog.objects.bulk_create(rows["plays"])
    AdvocacyRecord.objects.bulk_create(rows["advocacy"])
    _slide_usage([a[0] for a in bound], today)

    # Outcomes: two thirds of the churn-bound left in the last weeks; a fifth of the rest renewed.
    churned = bound[: (2 * len(bound)) // 3]
    for pk, *_ in churned:
        Account.objects.filter(pk=pk).update(churned_on=today - rng.randint(2, 25) * DAY)
    renewed = steady[: int(len(steady) * RENEWED_SHARE)]
    closed = clock.now()
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                account_id=pk,
                external_id=f"renewal-demo-{pk}",
                name="Renewal",
                type=Opportunity.Type.RENEWAL,
                stage="closed_won",
                owner_id=owner_id,
                csm_id=csm_id,
                acv=arr,
                close_date=(closed - rng.randint(2, 25) * DAY).date(),
                closed_at=closed - rng.randint(2, 25) * DAY,
                created_at=closed - 60 * DAY,
            )
            for pk, _, owner_id, csm_id, _, arr in renewed
        ]
    )

    health_backfill(days=history_days, today=today)
    summary = health_daily(today=today)
    return {
        "health records": summary["accounts"] * (history_days + 1),
        "churn-risk cases": summary["cases_opened"],
        "survey responses": len(rows["surveys"]),
        "support tickets": len(rows["tickets"]),
        "QBRs": len(rows["qbrs"]),
        "expansion plays": len(rows["plays"]),
        "advocacy records": len(rows["advocacy"]),
        "churned (demo outcomes)": len(churned),
        "renewed (demo outcomes)": len(renewed),
    }


def _inputs(rng, account, today, rows, *, healthy: bool) -> None:
    pk, segment, owner_id, csm_id, renewal, arr = account
    ext = f"demo-{pk}"
    if rng.random() < 0.6:
        score = rng.choice([7, 8, 9, 9, 10, 10]) if healthy else rng.choice([1, 2, 3, 4, 5, 6])
        rows["surveys"].append(
            SurveyResponse(
                external_id=f"nps-{ext}",
                account_id=pk,
                kind="nps",
                score=score,
                responded_on=today - rng.randint(60, 150) * DAY,
            )
        )
    if rng.random() < 0.35:
        rows["surveys"].append(
            SurveyResponse(
                external_id=f"csat-{ext}",
                account_id=pk,
                kind="csat",
                score=rng.choice([4, 5]) if healthy else rng.choice([1, 2, 3]),
                responded_on=today - rng.randint(10, 120) * DAY,
            )
        )
    for i in range(rng.randint(0, 3) if healthy else rng.randint(2, 6)):
        opened = today - rng.randint(1, 120) * DAY
        priority = rng.choice(["low", "normal", "normal"] if healthy else ["normal", "high", "urgent"])
        solved = rng.random() < 0.7
        rows["tickets"].append(
            SupportTicket(
                external_id=f"tk-{ext}-{i}",
                account_id=pk,
                subject=rng.choice(TICKETS),
                priority=priority,
                status="solved" if solved else "open",
                opened_on=opened,
                closed_on=min(today, opened + rng.randint(0, 9) * DAY) if solved else None,
            )
        )
    if segment in ("mm", "ent"):
        done = today - rng.randint(20, 100 if healthy else 200) * DAY
        rows["qbrs"].append(
            QBRLog(
                external_id=f"qbr-{ext}",
                account_id=pk,
                owner_id=csm_id,
                scheduled_for=done,
                status="completed",
                completed_on=done,
                exec_sponsor_attended=healthy,
                outcome="positive" if healthy else rng.choice(["neutral", "negative"]),
            )
        )
        rows["qbrs"].append(
            QBRLog(
                external_id=f"qbr-next-{ext}",
                account_id=pk,
                owner_id=csm_id,
                scheduled_for=today + rng.randint(10, 80) * DAY,
            )
        )
    if rng.random() < (0.3 if healthy else 0.15):
        opened = today - rng.randint(30, 300) * DAY
        status = rng.choice(["won", "open", "lost"]) if healthy else "suppressed"
        rows["plays"].append(
            ExpansionLog(
                external_id=f"exp-{ext}",
                account_id=pk,
                play=rng.choice(PLAYS),
                status=status,
                opened_on=opened,
                closed_on=None if status == "open" else min(today, opened + rng.randint(20, 90) * DAY),
                amount=arr / 5,
                reason="" if healthy else "Suppressed while the account is at risk",
            )
        )
    if healthy and rng.random() < 0.15:
        rows["advocacy"].append(
            AdvocacyRecord(
                external_id=f"adv-{ext}",
                account_id=pk,
                kind=rng.choice(["referral", "case_study", "reference_call", "review"]),
                occurred_on=today - rng.randint(10, 300) * DAY,
            )
        )


def _slide_usage(account_ids: list[int], today: dt.date) -> None:
    """Usage of churn-bound customers fades over the 120 days before today (to a tenth of its level)."""
    start = today - 120 * DAY
    rows = list(UsageDaily.objects.filter(account_id__in=account_ids, day__gt=start))
    for row in rows:
        factor = max(0.1, 1 - 0.9 * (row.day - start).days / 120)
        row.active_seats, row.logins = int(row.active_seats * factor), int(row.logins * factor)
    UsageDaily.objects.bulk_update(rows, ["active_seats", "logins"], batch_size=2000)


TICKETS = [
    "SSO login loop",
    "Export times out",
    "Dashboard shows stale data",
    "API 429s at peak",
    "Invoice question",
    "Permissions for new team",
    "Connector sync failed",
    "Slow report builder",
]
PLAYS = ["Seat expansion", "Cross-sell analytics", "API tier upgrade", "New business unit"]
