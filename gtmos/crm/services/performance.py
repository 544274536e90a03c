"""Writes to the rep-performance records AGT-701 reads: territories (TerritoryDefinitions), quotas
(QuotaStore), the quota retirement ledger and SDR cadence touches (CadenceEventLog).

The ingest API and CSV import call these; a replay with identical values writes nothing. Payload rules
that need no database (dates in order, the touch outcome funnel) are checked by the ingest schemas and
backed by check constraints; the rules below need the database.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction

from ..models import Account, CadenceEventLog, Contact, Opportunity, Quota, QuotaRetirementLedger, TerritoryDefinition
from .references import ReferenceNotFound, resolve, resolve_employee, upsert


@transaction.atomic
def territory_upsert(
    *, name: str, segment: str = "", region: str = "", owner_email=None, is_active: bool = True
) -> tuple[TerritoryDefinition, bool]:
    values = {
        "segment": segment or "",
        "region": region or "",
        "owner": resolve_employee("owner_email", owner_email),
        "is_active": is_active,
    }
    return upsert(TerritoryDefinition, key={"name": name}, values=values)


@transaction.atomic
def quota_upsert(
    *,
    rep_email: str,
    period: str,
    period_start: dt.date,
    period_end: dt.date,
    amount,
    segment: str | None = None,
    territory: str | None = None,
) -> tuple[Quota, bool]:
    """A rep's quota for one period, keyed by (rep, period). The segment defaults to the rep's own.
    One rep's periods may not overlap: attainment reads "the quota covering this date"."""
    rep = resolve_employee("rep_email", rep_email, required=True)
    clash = (
        Quota.objects.filter(rep=rep, period_start__lte=period_end, period_end__gte=period_start)
        .exclude(period=period)
        .first()
    )
    if clash is not None:
        raise ValueError(
            f"period_start: {period} ({period_start} to {period_end}) overlaps {clash.period} "
            f"({clash.period_start} to {clash.period_end}) for {rep_email}"
        )
    values = {
        "period_start": period_start,
        "period_end": period_end,
        "amount": amount,
        "segment": rep.segment if segment is None else segment,
        "territory": resolve(TerritoryDefinition, "territory", territory, lookup="name", required=False),
    }
    return upsert(Quota, key={"rep": rep, "period": period}, values=values)


@transaction.atomic
def quota_ledger_upsert(
    *, rep_email: str, period: str, as_of_date: dt.date, closed_amount=0, committed_amount=0, rep_commit=None
) -> tuple[QuotaRetirementLedger, bool]:
    """Closed, committed and the rep's commit for one quota as of one date, keyed by (quota, as_of_date)."""
    rep = resolve_employee("rep_email", rep_email, required=True)
    quota = Quota.objects.filter(rep=rep, period=period).first()
    if quota is None:
        raise ReferenceNotFound("period", period)
    if as_of_date < quota.period_start:
        raise ValueError(f"as_of_date: {as_of_date} is before {period} starts ({quota.period_start})")
    values = {"closed_amount": closed_amount, "committed_amount": committed_amount, "rep_commit": rep_commit}
    return upsert(QuotaRetirementLedger, key={"quota": quota, "as_of_date": as_of_date}, values=values)


def _lead(lead_id, lead_email):
    Lead = apps.get_model("enrichment", "Lead")  # the prospect side's Lead; no import-time dependency
    if lead_id not in (None, ""):
        return resolve(Lead, "lead_id", lead_id, lookup="pk")
    if lead_email in (None, ""):
        return None
    lead = Lead.objects.filter(email__iexact=lead_email).order_by("-captured_at").first()
    if lead is None:
        raise ReferenceNotFound("lead_email", lead_email)
    return lead


@transaction.atomic
def cadence_event_upsert(
    *,
    external_id: str,
    sdr_email: str,
    occurred_at: dt.datetime,
    cadence_type: str,
    cadence_id: str,
    step: int,
    channel: str,
    cadence_name: str = "",
    lead_id=None,
    lead_email=None,
    account_external_id=None,
    contact_external_id=None,
    opportunity_external_id=None,
    responded: bool = False,
    responded_at=None,
    meeting_booked: bool = False,
    meeting_accepted: bool = False,
    risk_flags=None,
) -> tuple[CadenceEventLog, bool]:
    """One SDR touch and its outcome, keyed by the sending tool's ``external_id``. The prospect is a Lead
    (by id, or the latest Lead with that email), a contact or an account; the account defaults to the
    contact's or the opportunity's, and all three must agree."""
    contact = resolve(Contact, "contact_external_id", contact_external_id, required=False)
    opportunity = resolve(Opportunity, "opportunity_external_id", opportunity_external_id, required=False)
    account = resolve(Account, "account_external_id", account_external_id, required=False)
    if account is None:
        account_id = contact.account_id if contact else opportunity.account_id if opportunity else None
    else:
        account_id = account.pk
    if contact is not None and contact.account_id != account_id:
        raise ValueError(f"contact_external_id: {contact_external_id!r} is a contact of another account")
    if opportunity is not None and opportunity.account_id != account_id:
        raise ValueError(f"opportunity_external_id: {opportunity_external_id!r} is a deal of another account")
    values = {
        "sdr": resolve_employee("sdr_email", sdr_email, required=True),
        "lead": _lead(lead_id, lead_email),
        "account_id": account_id,
        "contact": contact,
        "cadence_type": cadence_type,
        "cadence_id": cadence_id,
        "cadence_name": cadence_name or "",
        "step": step,
        "channel": channel,
        "occurred_at": occurred_at,
        "responded": responded,
        "responded_at": responded_at,
        "meeting_booked": meeting_booked,
        "meeting_accepted": meeting_accepted,
        "opportunity": opportunity,
        "risk_flags": risk_flags or [],
    }
    return upsert(CadenceEventLog, key={"external_id": external_id}, values=values)
