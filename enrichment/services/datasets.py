"""The local datasets the offline agents read, written by RevOps' imports (CSV and the ingest API)."""

from __future__ import annotations

from django.db import transaction

from ..models import BidInvite, Firmographic, ProjectRecord
from ..providers.domains import registrable_domain


def _domain(field: str, value: str, *, required: bool) -> str:
    value = (value or "").strip().lower()
    if not value:
        if required:
            raise ValueError(f"{field}: a domain is required")
        return ""
    domain = registrable_domain(value)
    if not domain:
        raise ValueError(f"{field}: {value!r} is not a domain")
    return domain


@transaction.atomic
def firmographic_upsert(
    *,
    domain: str,
    company: str,
    org_type: str = "",
    trade: str = "",
    employees=None,
    revenue=None,
    bonding_capacity=None,
    hq_city: str = "",
    hq_state: str = "",
    source: str = "",
    as_of=None,
) -> tuple[Firmographic, bool]:
    return Firmographic.objects.update_or_create(
        domain=_domain("domain", domain, required=True),
        defaults=dict(
            company=company,
            org_type=org_type,
            trade=trade,
            employees=employees,
            revenue=revenue,
            bonding_capacity=bonding_capacity,
            hq_city=hq_city,
            hq_state=hq_state.upper(),
            source=source,
            as_of=as_of,
        ),
    )


@transaction.atomic
def project_record_upsert(
    *,
    external_id: str,
    source: str,
    name: str,
    company: str = "",
    company_domain: str = "",
    trades=None,
    city: str = "",
    state: str = "",
    value=None,
    bid_date=None,
    published_on=None,
    url: str = "",
) -> tuple[ProjectRecord, bool]:
    return ProjectRecord.objects.update_or_create(
        external_id=external_id,
        defaults=dict(
            source=source,
            name=name,
            company=company,
            company_domain=_domain("company_domain", company_domain, required=False),
            trades=list(trades or []),
            city=city,
            state=state.upper(),
            value=value,
            bid_date=bid_date,
            published_on=published_on,
            url=url,
        ),
    )


@transaction.atomic
def bid_invite_upsert(
    *,
    external_id: str,
    recipient_domain: str,
    sender_company: str,
    sender_domain: str = "",
    sender_org_type: str = "",
    project_name: str = "",
    trade: str = "",
    received_on=None,
) -> tuple[BidInvite, bool]:
    return BidInvite.objects.update_or_create(
        external_id=external_id,
        defaults=dict(
            recipient_domain=_domain("recipient_domain", recipient_domain, required=True),
            sender_company=sender_company,
            sender_domain=_domain("sender_domain", sender_domain, required=False),
            sender_org_type=sender_org_type,
            project_name=project_name,
            trade=trade,
            received_on=received_on,
        ),
    )
