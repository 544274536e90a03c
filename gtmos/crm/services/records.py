from __future__ import annotations

from django.db import transaction

from gtmos.audit.services import event_record

from ..models import Account, Contact, Employee, Product
from .references import resolve, resolve_employee, upsert


@transaction.atomic
def employee_upsert(
    *,
    external_id=None,
    email: str,
    name: str,
    role: str,
    manager_email=None,
    slm_email=None,
    segment: str = "",
    territory: str = "",
) -> tuple[Employee, bool]:
    values = {
        "external_id": external_id or None,
        "name": name,
        "role": role,
        "manager": resolve_employee("manager_email", manager_email),
        "slm": resolve_employee("slm_email", slm_email),
        "segment": segment or "",
        "territory": territory or "",
    }
    return upsert(Employee, key={"email": email.lower()}, values=values)


@transaction.atomic
def account_upsert(
    *,
    external_id: str,
    name: str,
    segment: str,
    domain: str = "",
    vertical: str = "",
    region: str = "",
    owner_email=None,
    am_email=None,
    csm_email=None,
    contract_start_date=None,
    renewal_date=None,
    contracted_seats: int = 0,
    contracted_consumption_units: int = 0,
    arr=0,
    is_customer: bool = False,
    actor_label: str = "",
) -> tuple[Account, bool]:
    values = {
        "name": name,
        "segment": segment,
        "domain": (domain or "").lower(),
        "vertical": vertical or "",
        "region": region or "",
        "owner": resolve_employee("owner_email", owner_email),
        "am": resolve_employee("am_email", am_email),
        "csm": resolve_employee("csm_email", csm_email),
        "contract_start_date": contract_start_date,
        "renewal_date": renewal_date,
        "contracted_seats": contracted_seats,
        "contracted_consumption_units": contracted_consumption_units,
        "arr": arr,
        "is_customer": is_customer,
    }
    account, created = upsert(Account, key={"external_id": external_id}, values=values)
    if created:
        event_record(
            type="account.created",
            subject=account,
            actor_type="integration",
            actor_label=actor_label,
            payload={"segment": segment},
        )
    return account, created


@transaction.atomic
def contact_upsert(
    *,
    external_id: str,
    account_external_id: str,
    name: str,
    email: str = "",
    title: str = "",
    buying_role: str = "other",
    is_executive_sponsor: bool = False,
    last_engaged_at=None,
) -> tuple[Contact, bool]:
    values = {
        "account": resolve(Account, "account_external_id", account_external_id),
        "name": name,
        "email": email or "",
        "title": title or "",
        "buying_role": buying_role,
        "is_executive_sponsor": is_executive_sponsor,
        "last_engaged_at": last_engaged_at,
    }
    return upsert(Contact, key={"external_id": external_id}, values=values)


@transaction.atomic
def product_upsert(
    *,
    sku: str,
    name: str,
    is_api_consumption: bool = False,
    is_implementation_service: bool = False,
    list_price=0,
    active: bool = True,
) -> tuple[Product, bool]:
    values = {
        "name": name,
        "is_api_consumption": is_api_consumption,
        "is_implementation_service": is_implementation_service,
        "list_price": list_price,
        "active": active,
    }
    return upsert(Product, key={"sku": sku}, values=values)
