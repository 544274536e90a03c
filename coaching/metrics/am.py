"""AM config (seed 001 "Metric inputs by role · AM"): health trend across the book, expansion conversion,
renewal rate and renewal-opp timing, QBR cadence adherence and outcome quality, NRR by account cohort,
plus the shared call and (expansion) quote metrics."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from django.db.models import Count, Q, Sum

from gtmos.crm.models import Account, Opportunity, Stage
from gtmos.health.models import ChurnRiskLog, ExpansionLog, QBRLog
from gtmos.health.models.risk import RiskStage

from . import ae
from .base import Reading, Readings, Rep, Window, pct, put
from .book import book_health

EXPANSION_DAYS = 180
RENEWAL_DAYS = 365
QBR_OUTCOME_DAYS = 180
NRR_DAYS = 365
QBR_SEGMENTS = ("ent", "mm")  # DESIGN: Enterprise and Mid-Market need a quarterly QBR


def health_trend(reps, w: Window, out: Readings, min_sample: int, *, field_name: str, code: str) -> dict:
    books = book_health(reps, w.as_of, field_name=field_name)
    for rep_id, book in books.items():
        if book.trend is not None and len(book.score_deltas) >= min_sample:
            put(
                out,
                rep_id,
                code,
                Reading(book.trend, len(book.score_deltas), evidence={"accounts": [n for _, n in book.falling[:5]]}),
            )
    return books


def expansion(
    reps, w: Window, out: Readings, min_sample: int, *, field_name: str = "am_id", code: str = "expansion_conversion"
) -> None:
    """Plays opened in the window on the rep's book (AM: accounts they manage; CSM: accounts they serve, the
    expansion motion behind "sales methodology"): won over opened (suppressed plays are not chances)."""
    # As known on as_of (like the health score's expansion read): a play won or lost after as_of was still open.
    decided = Q(closed_on__lte=w.as_of)
    rows = (
        ExpansionLog.objects.filter(
            **{f"account__{field_name}__in": list(reps)}, opened_on__gte=w.start(EXPANSION_DAYS), opened_on__lte=w.as_of
        )
        .values(f"account__{field_name}")
        .annotate(
            opened=Count("id"),
            won=Count("id", filter=Q(status="won") & decided),
            lost=Count("id", filter=Q(status="lost") & decided),
            suppressed=Count("id", filter=Q(status="suppressed") & (decided | Q(closed_on__isnull=True))),
        )
    )
    for r in rows:
        chances = r["opened"] - r["suppressed"]
        if chances >= min_sample:
            put(
                out,
                r[f"account__{field_name}"],
                code,
                Reading(
                    pct(r["won"], chances),
                    chances,
                    evidence={"opened": r["opened"], "won": r["won"], "lost": r["lost"], "suppressed": r["suppressed"]},
                ),
            )


def renewals(reps, w: Window, out: Readings, min_sample: int, open_days: int) -> None:
    """Renewal rate (won of closed renewals) and renewal opps opened late (< open_days before renewal)."""
    opps = (
        Opportunity.objects.filter(account__am_id__in=list(reps), type=Opportunity.Type.RENEWAL)
        .filter(Q(closed_at__gte=w.start_dt(RENEWAL_DAYS)) | Q(created_at__gte=w.start_dt(RENEWAL_DAYS)))
        .values_list(
            "account__am_id", "name", "stage", "closed_at", "created_at", "close_date", "account__renewal_date"
        )
    )
    closed, won, opened, late = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(list)
    start = w.start_dt(RENEWAL_DAYS)
    for rep_id, name, stage, closed_at, created_at, close_date, renewal_date in opps:
        if closed_at and start <= closed_at < w.end_dt and stage in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
            closed[rep_id] += 1
            won[rep_id] += stage == Stage.CLOSED_WON
        due = close_date or renewal_date
        if start <= created_at < w.end_dt and due:
            opened[rep_id] += 1
            if (due - created_at.date()).days < open_days:
                late[rep_id].append(name)
    for rep_id in reps:
        if closed[rep_id] >= min_sample:
            put(out, rep_id, "renewal_rate", Reading(pct(won[rep_id], closed[rep_id]), closed[rep_id]))
        if opened[rep_id] >= min_sample:
            put(
                out,
                rep_id,
                "renewal_opened_late",
                Reading(pct(len(late[rep_id]), opened[rep_id]), opened[rep_id], evidence={"deals": late[rep_id][:5]}),
            )


def qbrs(reps, w: Window, out: Readings, min_sample: int, every_days: int) -> None:
    """QBR cadence: Ent/MM customers on the book with a completed QBR in the last ``every_days``; outcome
    quality: positive share of completed QBRs with an outcome logged."""
    since = w.start(every_days)
    live = Q(churned_on__isnull=True) | Q(churned_on__gt=w.as_of)  # a customer on as_of, even if it churned since
    requiring = (
        Account.objects.filter(
            live, am_id__in=list(reps), is_customer=True, segment__in=QBR_SEGMENTS, contract_start_date__lte=since
        )
        .values("am_id")
        .annotate(
            n=Count("id", distinct=True),  # distinct: the QBR join repeats accounts
            met=Count(
                "id",
                distinct=True,
                filter=Q(qbrs__status="completed", qbrs__completed_on__gte=since, qbrs__completed_on__lte=w.as_of),
            ),
        )
    )
    for r in requiring:
        if r["n"] >= min_sample:
            put(out, r["am_id"], "qbr_adherence", Reading(pct(r["met"], r["n"]), r["n"]))
    outcomes = (
        QBRLog.objects.filter(
            account__am_id__in=list(reps),
            status="completed",
            completed_on__gte=w.start(QBR_OUTCOME_DAYS),
            completed_on__lte=w.as_of,
        )
        .exclude(outcome="")
        .values("account__am_id")
        .annotate(n=Count("id"), positive=Count("id", filter=Q(outcome="positive")))
    )
    for r in outcomes:
        if r["n"] >= min_sample:
            put(out, r["account__am_id"], "qbr_outcome", Reading(pct(r["positive"], r["n"]), r["n"]))


def nrr(reps, w: Window, out: Readings, min_sample: int) -> None:
    """NRR over the last year on accounts that were customers a year ago, by segment × vertical cohort;
    the benchmark is each cohort's median across AMs, weighted by the rep's ARR in it."""
    base_day = w.start(NRR_DAYS)
    accounts = (
        Account.objects.filter(am_id__in=list(reps), is_customer=True, contract_start_date__lt=base_day)
        .annotate(
            expanded=Sum(
                "expansion_plays__amount",
                filter=Q(
                    expansion_plays__status="won",
                    expansion_plays__closed_on__gte=base_day,
                    expansion_plays__closed_on__lte=w.as_of,
                ),
            )
        )
        .values_list("id", "am_id", "segment", "vertical", "arr", "churned_on", "expanded")
    )
    # ChurnRiskLog: a churn-risk case closed lost is a churn on its closing day, when the account record carries
    # no earlier churn date (the CRM's churned_on often lags the CSM's call).
    lost_on = {}
    for account_id, closed_at in ChurnRiskLog.objects.filter(
        account__am_id__in=list(reps), stage=RiskStage.LOST, closed_at__lt=w.end_dt
    ).values_list("account_id", "closed_at"):
        lost_on[account_id] = min(lost_on.get(account_id, closed_at.date()), closed_at.date())
    cohorts: dict[tuple, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0]))
    churned = defaultdict(int)
    for account_id, rep_id, segment, vertical, arr, churned_on, expanded in accounts:
        if account_id in lost_on:
            churned_on = min(churned_on or lost_on[account_id], lost_on[account_id])
        if churned_on is not None and churned_on < base_day:
            continue
        churned[rep_id] += churned_on is not None and churned_on <= w.as_of
        cell = cohorts[(segment, vertical)][rep_id]
        cell[0] += float(arr)
        kept = 0.0 if churned_on is not None and churned_on <= w.as_of else float(arr)
        cell[1] += kept + float(expanded or 0)
        cell[2] += 1
    medians = {
        key: median(v[1] / v[0] * 100 for v in per_rep.values() if v[0])
        for key, per_rep in cohorts.items()
        if any(v[0] for v in per_rep.values())
    }
    totals = defaultdict(lambda: [0.0, 0.0, 0, 0.0, None])
    for key, per_rep in cohorts.items():
        for rep_id, (base, now, n) in per_rep.items():
            if not base:
                continue
            t = totals[rep_id]
            t[0] += base
            t[1] += now
            t[2] += n
            t[3] += medians[key] * base
            value = now / base * 100
            if t[4] is None or value - medians[key] < t[4][1]:
                t[4] = (f"{key[0].upper()} · {key[1] or 'no vertical'}", round(value - medians[key], 1))
    for rep_id, (base, now, n, weighted, worst) in totals.items():
        if n >= min_sample:
            put(
                out,
                rep_id,
                "nrr",
                Reading(
                    round(now / base * 100, 2),
                    n,
                    target=round(weighted / base, 2),
                    evidence={"worst_cohort": worst[0], "worst_cohort_gap": worst[1], "churned": churned[rep_id]},
                ),
            )


def compute(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int, settings) -> None:
    if not reps:
        return
    health_trend(reps, w, out, min_sample, field_name="am_id", code="health_trend")
    expansion(reps, w, out, min_sample)
    renewals(reps, w, out, min_sample, settings.renewal_open_days)
    qbrs(reps, w, out, min_sample, settings.qbr_every_days)
    nrr(reps, w, out, min_sample)
    ae.quotes(reps, w, out, min_sample, rep_field="am_id", expansion_only=True)
