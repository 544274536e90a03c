"""Writes to the customer-health input tables. The ingest API and CSV import call these.

Each is keyed by the sending system's ``external_id``; a replay with identical values writes nothing. The
payload rules (score scales, dates in order, QBR completion) are checked by the ingest schemas and backed
by the tables' check constraints.
"""

from __future__ import annotations

from django.db import transaction

from gtmos.core import clock
from gtmos.crm.models import Account, Contact
from gtmos.crm.services.references import resolve, resolve_employee, upsert

from ..models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse


@transaction.atomic
def survey_response_upsert(
    *,
    external_id: str,
    account_external_id: str,
    kind: str,
    score: int,
    responded_on,
    contact_external_id=None,
    comment: str = "",
) -> tuple[SurveyResponse, bool]:
    account = resolve(Account, "account_external_id", account_external_id)
    contact = resolve(Contact, "contact_external_id", contact_external_id, required=False)
    if contact is not None and contact.account_id != account.pk:
        raise ValueError(f"contact_external_id: {contact_external_id!r} is a contact of another account")
    values = {
        "account": account,
        "contact": contact,
        "kind": kind,
        "score": score,
        "responded_on": responded_on,
        "comment": comment or "",
    }
    return upsert(SurveyResponse, key={"external_id": external_id}, values=values)


@transaction.atomic
def support_ticket_upsert(
    *,
    external_id: str,
    account_external_id: str,
    opened_on,
    subject: str = "",
    priority: str = SupportTicket.Priority.NORMAL,
    status: str = SupportTicket.Status.OPEN,
    closed_on=None,
) -> tuple[SupportTicket, bool]:
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "subject": subject or "",
        "priority": priority,
        "status": status,
        "opened_on": opened_on,
        "closed_on": closed_on,
    }
    return upsert(SupportTicket, key={"external_id": external_id}, values=values)


@transaction.atomic
def qbr_upsert(
    *,
    external_id: str,
    account_external_id: str,
    scheduled_for,
    owner_email=None,
    status: str = QBRLog.Status.SCHEDULED,
    completed_on=None,
    outcome: str = "",
    exec_sponsor_attended: bool = False,
    notes: str = "",
) -> tuple[QBRLog, bool]:
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "owner": resolve_employee("owner_email", owner_email),
        "scheduled_for": scheduled_for,
        "status": status,
        "completed_on": completed_on,
        "outcome": outcome or "",
        "exec_sponsor_attended": exec_sponsor_attended,
        "notes": notes or "",
    }
    return upsert(QBRLog, key={"external_id": external_id}, values=values)


@transaction.atomic
def expansion_upsert(
    *,
    external_id: str,
    account_external_id: str,
    play: str,
    opened_on,
    status: str = ExpansionLog.Status.OPEN,
    closed_on=None,
    amount=0,
    reason: str = "",
) -> tuple[ExpansionLog, bool]:
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "play": play,
        "status": status,
        "opened_on": opened_on,
        "closed_on": closed_on,
        "amount": amount,
        "reason": reason or "",
    }
    return upsert(ExpansionLog, key={"external_id": external_id}, values=values)


def on_order_closed_won(sender, opportunity, **kwargs) -> None:
    """An expansion close is an expansion play won (seed 004's growth signal); idempotent per deal."""
    if opportunity.type != "expansion":
        return
    closed = (opportunity.closed_at or clock.now()).date()
    ExpansionLog.objects.update_or_create(
        external_id=f"opportunity:{opportunity.pk}",
        defaults={
            "account_id": opportunity.account_id,
            "play": opportunity.name,
            "status": ExpansionLog.Status.WON,
            "opened_on": opportunity.created_at.date() if opportunity.created_at else closed,
            "closed_on": closed,
            "amount": opportunity.acv,
        },
    )


@transaction.atomic
def advocacy_upsert(
    *, external_id: str, account_external_id: str, kind: str, occurred_on, notes: str = ""
) -> tuple[AdvocacyRecord, bool]:
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "kind": kind,
        "occurred_on": occurred_on,
        "notes": notes or "",
    }
    return upsert(AdvocacyRecord, key={"external_id": external_id}, values=values)
