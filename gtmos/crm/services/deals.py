from __future__ import annotations

import datetime as dt

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock

from ..models import Account, Opportunity, OpportunityStageChange, Product, Quote, QuoteLine, Stage
from ..signals import opportunity_stage_changed, opportunity_updated, order_closed_won
from .references import resolve, resolve_employee, upsert


@transaction.atomic
def opportunity_upsert(
    *,
    external_id: str,
    account_external_id: str,
    name: str,
    type: str = "new",
    stage: str = Stage.PROSPECTING,
    acv=0,
    sam_value=0,
    deal_health_score=None,
    deal_risk_flags=None,
    close_date=None,
    owner_email=None,
    se_email=None,
    am_email=None,
    csm_email=None,
    sdr_email=None,
    actor_label: str = "",
) -> tuple[Opportunity, bool]:
    """Create or update a deal. A stage given here goes through ``opportunity_set_stage`` so the
    history, events and the closed-won order signal are the same as for an explicit stage change."""
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "name": name,
        "type": type,
        "acv": acv,
        "sam_value": sam_value,
        "deal_health_score": deal_health_score,
        "deal_risk_flags": deal_risk_flags or [],
        "close_date": close_date,
        "owner": resolve_employee("owner_email", owner_email),
        "se": resolve_employee("se_email", se_email),
        "am": resolve_employee("am_email", am_email),
        "csm": resolve_employee("csm_email", csm_email),
        "sdr": resolve_employee("sdr_email", sdr_email),
    }
    opportunity, created = upsert(Opportunity, key={"external_id": external_id}, values=values)
    if created:
        event_record(
            type="opportunity.created",
            subject=opportunity,
            actor_type="integration",
            actor_label=actor_label,
            payload={"stage": opportunity.stage, "type": type},
        )
    if stage != opportunity.stage:
        if stage == Stage.CLOSED_WON:
            opportunity_close_won(opportunity=opportunity, actor_label=actor_label)
        else:
            opportunity_set_stage(opportunity=opportunity, stage=stage, actor_label=actor_label)
    elif not opportunity.is_closed:
        opportunity_updated.send(sender=Opportunity, opportunity=opportunity)  # e.g. deal health moved
    return opportunity, created


@transaction.atomic
def opportunity_set_stage(
    *,
    opportunity: Opportunity,
    stage: str,
    lost_reason: str = "",
    changed_at: dt.datetime | None = None,
    actor=None,
    actor_label: str = "",
) -> bool:
    """Move a deal on the stage ladder, keeping the history. Returns False when already there."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.stage == stage:
        return False
    if opportunity.is_closed:
        raise ValueError(f"stage: {opportunity} is already {opportunity.get_stage_display()}")
    if stage == Stage.CLOSED_LOST and not lost_reason:
        raise ValueError("lost_reason: a closed-lost deal needs a reason")
    at = changed_at or clock.now()
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.stage_changed_at = at
    fields = ["stage", "stage_changed_at", "updated_at"]
    if stage in (Stage.CLOSED_WON, Stage.CLOSED_LOST):
        opportunity.closed_at = at
        fields.append("closed_at")
    if lost_reason:
        opportunity.lost_reason = lost_reason
        fields.append("lost_reason")
    opportunity.save(update_fields=fields)
    OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=previous, to_stage=stage, changed_at=at)
    event_record(
        type="opportunity.stage_changed",
        subject=opportunity,
        actor=actor,
        actor_label=actor_label,
        payload={"from": previous, "to": stage},
    )
    opportunity_stage_changed.send(sender=Opportunity, opportunity=opportunity, from_stage=previous, to_stage=stage)
    return True


@transaction.atomic
def opportunity_close_won(
    *,
    opportunity: Opportunity,
    contract_start_date: dt.date | None = None,
    closed_at: dt.datetime | None = None,
    actor=None,
    actor_label: str = "",
) -> bool:
    """The closed-won order signal: the deal closes, the account becomes a customer, and the
    post-close onboarding trigger (a receiver of ``order_closed_won``) fires. Idempotent."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.stage == Stage.CLOSED_WON:
        return False
    at = closed_at or clock.now()
    start = contract_start_date or at.date()
    opportunity_set_stage(
        opportunity=opportunity, stage=Stage.CLOSED_WON, changed_at=at, actor=actor, actor_label=actor_label
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(contract_start_date=start)
    opportunity.refresh_from_db()
    account = opportunity.account
    account_fields = {"is_customer": True}
    if opportunity.type == Opportunity.Type.NEW or account.contract_start_date is None:
        account_fields["contract_start_date"] = start
    Account.objects.filter(pk=account.pk).update(**account_fields)
    event_record(
        type="order.closed_won",
        subject=opportunity,
        actor=actor,
        actor_label=actor_label,
        payload={"acv": str(opportunity.acv), "contract_start_date": start.isoformat()},
        idempotency_key=f"order.closed_won:{opportunity.pk}",
    )
    order_closed_won.send(sender=Opportunity, opportunity=opportunity, actor=actor)
    return True


@transaction.atomic
def quote_upsert(
    *,
    external_id: str,
    opportunity_external_id: str,
    created_at: dt.datetime,
    status: str = Quote.Status.DRAFT,
    term_months: int = 12,
    discount_pct=0,
    term_exception: bool = False,
    configuration_notes: str = "",
    lines=None,
) -> tuple[Quote, bool]:
    values = {
        "opportunity": resolve(Opportunity, "opportunity_external_id", opportunity_external_id),
        "created_at": created_at,
        "status": status,
        "term_months": term_months,
        "discount_pct": discount_pct,
        "term_exception": term_exception,
        "configuration_notes": configuration_notes or "",
    }
    quote, created = upsert(Quote, key={"external_id": external_id}, values=values)
    if lines is not None:
        wanted = [
            (resolve(Product, f"lines[{i}].sku", line["sku"], lookup="sku"), line) for i, line in enumerate(lines)
        ]
        current = sorted(quote.lines.values_list("product__sku", "quantity", "unit_price", "discount_pct"))
        desired = sorted((p.sku, ln["quantity"], ln["unit_price"], ln["discount_pct"]) for p, ln in wanted)
        if current != desired:  # lines are replaced as a set; an identical replay writes nothing
            quote.lines.all().delete()
            QuoteLine.objects.bulk_create(
                QuoteLine(
                    quote=quote,
                    product=p,
                    quantity=ln["quantity"],
                    unit_price=ln["unit_price"],
                    discount_pct=ln["discount_pct"],
                )
                for p, ln in wanted
            )
    return quote, created


@transaction.atomic
def quote_line_add(
    *, quote_external_id: str, sku: str, quantity: int = 1, unit_price=0, discount_pct=0
) -> tuple[QuoteLine, bool]:
    quote = resolve(Quote, "quote_external_id", quote_external_id)
    product = resolve(Product, "sku", sku, lookup="sku")
    return upsert(
        QuoteLine,
        key={"quote": quote, "product": product},
        values={"quantity": quantity, "unit_price": unit_price, "discount_pct": discount_pct},
    )
