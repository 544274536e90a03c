from __future__ import annotations

from django.db import transaction

from ..models import Account, Contact, ConvIntelligenceCall, Opportunity, RepActivity, UsageDaily, UsageEvent
from .references import resolve, resolve_employee, upsert


@transaction.atomic
def call_upsert(
    *,
    external_id: str,
    owner_email: str,
    occurred_at,
    account_external_id=None,
    opportunity_external_id=None,
    call_type: str = "other",
    duration_seconds: int = 0,
    objections=None,
    competitor_mentions=None,
    next_steps=None,
    demoed=None,
    sentiment=None,
    talk_ratio=None,
    question_count: int = 0,
    quality_score=None,
    summary: str = "",
    question_depth=None,
    qualification_coverage=None,
) -> tuple[ConvIntelligenceCall, bool]:
    owner = resolve_employee("owner_email", owner_email, required=True)
    opportunity = resolve(Opportunity, "opportunity_external_id", opportunity_external_id, required=False)
    account = resolve(Account, "account_external_id", account_external_id, required=False)
    if account is None and opportunity is not None:
        account = opportunity.account
    values = {
        "owner": owner,
        "owner_role": owner.role,  # call_owner_role as at the time of the call
        "account": account,
        "opportunity": opportunity,
        "occurred_at": occurred_at,
        "call_type": call_type,
        "duration_seconds": duration_seconds,
        "objections": objections or [],
        "competitor_mentions": competitor_mentions or [],
        "next_steps": next_steps or [],
        "demoed": demoed or [],
        "sentiment": sentiment,
        "talk_ratio": talk_ratio,
        "question_count": question_count,
        "question_depth": question_depth,
        "qualification_coverage": qualification_coverage,
        "quality_score": quality_score,
        "summary": summary or "",
    }
    existing = ConvIntelligenceCall.objects.filter(external_id=external_id).first()
    if existing is not None:
        values["owner_role"] = existing.owner_role  # a replay must not rewrite history
    return upsert(ConvIntelligenceCall, key={"external_id": external_id}, values=values)


@transaction.atomic
def activity_upsert(
    *,
    external_id: str,
    rep_email: str,
    activity_date,
    activity_type: str,
    account_external_id=None,
    contact_external_id=None,
    notes: str = "",
) -> tuple[RepActivity, bool]:
    rep = resolve_employee("rep_email", rep_email, required=True)
    existing = RepActivity.objects.filter(external_id=external_id).first()
    values = {
        "rep": rep,
        "role": existing.role if existing else rep.role,
        "activity_date": activity_date,
        "activity_type": activity_type,
        "account": resolve(Account, "account_external_id", account_external_id, required=False),
        "contact": resolve(Contact, "contact_external_id", contact_external_id, required=False),
        "notes": notes or "",
    }
    return upsert(RepActivity, key={"external_id": external_id}, values=values)


def usage_day_upsert(
    *, account_external_id: str, day, active_seats: int = 0, consumption_units: int = 0, logins: int = 0, account=None
) -> tuple[UsageDaily, bool]:
    account = account or resolve(Account, "account_external_id", account_external_id)
    return upsert(
        UsageDaily,
        key={"account": account, "day": day},
        values={"active_seats": active_seats, "consumption_units": consumption_units, "logins": logins},
    )


def usage_event_upsert(
    *, account_external_id: str, day, event_name: str, count: int = 1, account=None
) -> tuple[UsageEvent, bool]:
    account = account or resolve(Account, "account_external_id", account_external_id)
    return upsert(UsageEvent, key={"account": account, "day": day, "event_name": event_name}, values={"count": count})
