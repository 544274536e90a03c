"""Read every account's health inputs as of a day, set-based: one grouped query per source.

The number of queries is the same for ten accounts or a hundred thousand; each query is a single pass
over its source table bounded by ``today`` (so a back-fill of past days reads what was known then).
"""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Avg, Count, Max, Q, Sum

from gtmos.crm.models import Account, Contact, RepActivity, UsageDaily, UsageEvent
from onboarding.models import MilestoneItem, OnboardingLog

from .models import AdvocacyRecord, ExpansionLog, HealthSettings, QBRLog, SupportTicket, SurveyResponse
from .scoring import AccountInputs, Milestone

ONBOARDING_MILESTONES = ("M1", "M4", "M5", "M6")
# Customer touches that count as engagement (an internal note does not).
TOUCH_TYPES = ("call", "email", "meeting", "qbr", "outreach")
DAY = dt.timedelta(days=1)


def scored_accounts(today: dt.date):
    """Customers on ``today``: the daily job writes one record for each."""
    return Account.objects.filter(is_customer=True).filter(Q(churned_on__isnull=True) | Q(churned_on__gt=today))


def account_inputs(
    *, today: dt.date, settings: HealthSettings, account_ids=None, id_range: tuple[int, int] | None = None
) -> dict[int, AccountInputs]:
    """The inputs of every scored account, or of ``account_ids`` (the intraday re-score), or of the accounts
    with ids in ``id_range`` (lo, hi inclusive: the daily job's chunks — a range, not a list of 20,000 ids, so
    each read is a range scan of its index and its statement stays small at any scale)."""

    def scoped(qs, field="account_id"):
        if account_ids is not None:
            return qs.filter(**{f"{field}__in": account_ids})
        if id_range is not None:
            return qs.filter(**{f"{field}__gte": id_range[0], f"{field}__lte": id_range[1]})
        return qs

    accounts = scoped(scored_accounts(today), "pk")
    result: dict[int, AccountInputs] = {}
    for pk, start, seats, units, status in accounts.order_by().values_list(
        "pk", "contract_start_date", "contracted_seats", "contracted_consumption_units", "onboarding_status"
    ):
        result[pk] = AccountInputs(
            today=today,
            contract_start=start,
            contracted_seats=seats,
            contracted_units=units,
            in_onboarding=status == "active",
        )
    if not result:
        return result

    _usage(result, scoped, today)
    _features(result, scoped, today)
    _contacts(result, scoped)
    _touches(result, scoped, today)
    _surveys(result, scoped, today, settings.survey_lookback_days)
    _tickets(result, scoped, today, settings.ticket_lookback_days)
    _growth(result, scoped, today, settings.growth_lookback_days)
    _onboarding(result, scoped, today)
    return result


def _usage(result, scoped, today):
    d30, d60, d7 = today - 30 * DAY, today - 60 * DAY, today - 7 * DAY
    last30, prev30, last7 = Q(day__gt=d30), Q(day__lte=d30), Q(day__gt=d7)
    rows = (
        scoped(UsageDaily.objects.filter(day__gt=d60, day__lte=today))
        .values("account_id")
        .annotate(
            rows_30=Count("id", filter=last30),
            rows_prev=Count("id", filter=prev30),
            login_days=Count("id", filter=last30 & Q(logins__gt=0)),
            logins_30=Sum("logins", filter=last30),
            logins_prev=Sum("logins", filter=prev30),
            units_30=Sum("consumption_units", filter=last30),
            units_prev=Sum("consumption_units", filter=prev30),
            seats_7=Avg("active_seats", filter=last7),
            units_7=Avg("consumption_units", filter=last7),
        )
        .order_by()
        .values_list(
            "account_id", "rows_30", "rows_prev", "login_days", "logins_30", "logins_prev", "units_30", "units_prev",
            "seats_7", "units_7",
        )
    )  # fmt: skip
    # One row per account and nine values each: converted here, as Django's converters would (the sums of
    # a bigint column and the averages come as Decimal), without a converter call per value.
    for (
        account_id,
        rows_30,
        rows_prev,
        login_days,
        logins_30,
        logins_prev,
        units_30,
        units_prev,
        seats_7,
        units_7,
    ) in _raw_rows(rows):
        i = result.get(account_id)
        if i is None:
            continue
        i.usage_rows_30, i.usage_rows_prev_30, i.login_days_30 = rows_30, rows_prev, login_days
        i.logins_30, i.logins_prev_30 = logins_30 or 0, logins_prev or 0
        i.units_30 = int(units_30) if units_30 is not None else 0
        i.units_prev_30 = int(units_prev) if units_prev is not None else 0
        i.seats_avg_7 = float(seats_7) if seats_7 is not None else None
        i.units_avg_7 = float(units_7) if units_7 is not None else None


def _raw_rows(qs) -> list[tuple]:
    """A values_list queryset's rows as the driver returns them, without Django's per-value converters."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _features(result, scoped, today):
    rows = (
        scoped(UsageEvent.objects.filter(day__lte=today, count__gt=0))
        .values("account_id")
        .annotate(n=Count("event_name", distinct=True, filter=Q(day__gt=today - 30 * DAY)))
        .order_by()
    )
    for account_id, n in rows.values_list("account_id", "n"):
        if account_id in result:
            result[account_id].has_events, result[account_id].features_30 = True, n


def _contacts(result, scoped):
    rows = (
        scoped(Contact.objects.all())
        .values("account_id")
        .annotate(
            sponsors=Count("id", filter=Q(is_executive_sponsor=True)),
            engaged=Max("last_engaged_at", filter=Q(is_executive_sponsor=True)),
        )
        .order_by()
    )
    for r in rows:
        i = result.get(r["account_id"])
        if i is None:
            continue
        i.has_contacts, i.has_exec_sponsor = True, r["sponsors"] > 0
        engaged = r["engaged"]
        if engaged is not None:
            i.exec_last_engaged = min(engaged.date(), i.today)


def _touches(result, scoped, today):
    activity = (
        scoped(
            RepActivity.objects.filter(activity_date__lte=today, activity_type__in=TOUCH_TYPES, account__isnull=False)
        )
        .values("account_id")
        .annotate(last=Max("activity_date"))
        .order_by()
    )
    qbrs = (
        scoped(QBRLog.objects.filter(status=QBRLog.Status.COMPLETED, completed_on__lte=today))
        .values("account_id")
        .annotate(last=Max("completed_on"))
        .order_by()
    )
    for account_id, last in [*activity.values_list("account_id", "last"), *qbrs.values_list("account_id", "last")]:
        i = result.get(account_id)
        if i is not None and (i.last_touch is None or last > i.last_touch):
            i.last_touch = last


def _surveys(result, scoped, today, lookback):
    rows = scoped(SurveyResponse.objects.filter(responded_on__lte=today, responded_on__gt=today - lookback * DAY))
    # Ordered oldest first, so the last value seen per (account, kind) is the latest answer.
    for account_id, kind, score in rows.order_by("responded_on", "pk").values_list("account_id", "kind", "score"):
        i = result.get(account_id)
        if i is not None:
            setattr(i, kind, score)


def _tickets(result, scoped, today, lookback):
    window = Q(opened_on__gt=today - lookback * DAY)
    priorities = SupportTicket.Priority.values  # built anew on each access: read once, not once a row
    counts = {p: Count("id", filter=window & Q(priority=p)) for p in priorities}
    rows = scoped(SupportTicket.objects.filter(opened_on__lte=today)).values("account_id").annotate(**counts).order_by()
    for r in rows:
        i = result.get(r["account_id"])
        if i is not None:
            i.has_tickets = True
            i.tickets = {p: r[p] for p in priorities}


def _growth(result, scoped, today, lookback):
    since = today - lookback * DAY
    closed_in_window = Q(closed_on__gt=since, closed_on__lte=today)
    plays = (
        scoped(ExpansionLog.objects.filter(opened_on__lte=today))
        .values("account_id")
        .annotate(
            won=Count("id", filter=Q(status="won") & closed_in_window),
            open=Count("id", filter=Q(status="open") | (~Q(status="open") & Q(closed_on__gt=today))),
            lost=Count("id", filter=Q(status="lost") & closed_in_window),
            suppressed=Count("id", filter=Q(status="suppressed") & (closed_in_window | Q(closed_on__isnull=True))),
        )
        .order_by()
    )
    for r in plays:
        i = result.get(r["account_id"])
        if i is not None:
            i.expansion = next((k for k in ("won", "open", "lost", "suppressed") if r[k]), "stale")
    advocacy = (
        scoped(AdvocacyRecord.objects.filter(occurred_on__lte=today))
        .values("account_id")
        .annotate(recent=Count("id", filter=Q(occurred_on__gt=since)))
        .order_by()
    )
    for account_id, recent in advocacy.values_list("account_id", "recent"):
        i = result.get(account_id)
        if i is not None:
            i.has_advocacy, i.advocacy_count = True, recent


def _onboarding(result, scoped, today):
    # Joined on the account's status: only the accounts in onboarding, and only this chunk's of them.
    items = scoped(
        MilestoneItem.objects.filter(
            plan__account__onboarding_status="active", plan__status="active", code__in=ONBOARDING_MILESTONES
        ),
        "plan__account_id",
    )
    for account_id, code, status, target, completed_on in items.values_list(
        "plan__account_id", "code", "status", "target_date", "completed_on"
    ):
        i = result.get(account_id)
        if i is not None and i.in_onboarding:
            done = status == "done" and (completed_on is None or completed_on <= today)
            i.milestones[code] = Milestone(done=done, target_date=target)
    log = (
        scoped(OnboardingLog.objects.filter(account__onboarding_status="active", log_date__lte=today))
        .values("account_id")
        .annotate(
            # CSM milestone activity: milestones reached and what a person logged (not the system's close note).
            csm=Max(
                "log_date",
                filter=Q(entry_type="milestone_complete") | Q(entry_type="csm_activity", author__isnull=False),
            ),
            exec=Max("log_date", filter=Q(entry_type="exec_touchpoint")),
        )
        .order_by()
    )
    for r in log:
        i = result.get(r["account_id"])
        if i is not None:
            i.last_csm_activity, i.last_exec_touch = r["csm"], r["exec"]
