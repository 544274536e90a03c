"""Writes to the GTM records. The ingest API, CSV import, admin and demo data all call these."""

from .activity import activity_upsert, call_upsert, usage_day_upsert, usage_event_upsert
from .deals import opportunity_close_won, opportunity_set_stage, opportunity_upsert, quote_line_add, quote_upsert
from .performance import cadence_event_upsert, quota_ledger_upsert, quota_upsert, territory_upsert
from .records import account_upsert, contact_upsert, employee_upsert, product_upsert
from .references import ReferenceNotFound

__all__ = [
    "ReferenceNotFound",
    "account_upsert",
    "activity_upsert",
    "cadence_event_upsert",
    "call_upsert",
    "contact_upsert",
    "employee_upsert",
    "opportunity_close_won",
    "opportunity_set_stage",
    "opportunity_upsert",
    "product_upsert",
    "quota_ledger_upsert",
    "quota_upsert",
    "quote_line_add",
    "quote_upsert",
    "territory_upsert",
    "usage_day_upsert",
    "usage_event_upsert",
]
