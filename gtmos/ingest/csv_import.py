"""CSV import: every row is validated by the API's schema and written by the same service.

The whole file is one transaction. Every bad row is reported with its line and field; if any row is bad,
nothing from the file is imported. Every table that can be large — accounts, usage, usage events, contacts,
opportunities, calls, activities and the health inputs (surveys, tickets, QBRs, expansions, advocacy) — is
written set-based (``merge``: references resolved in one query per kind, COPY into a staging table, one merge):
the same validation and rules, at database speed. A deal's stage change still runs per deal after the merge
(history, events, the close-won signal). The rest (employees, quotes, cadence touches, the rep-performance and
enrichment tables) go row by row through their services.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.db import DataError, IntegrityError, transaction
from pydantic import ValidationError

from enrichment.services import datasets as enrichment_datasets
from gtmos.comp.services import comp_plan_upsert
from gtmos.crm import services
from gtmos.health.services import inputs as health_inputs

from . import merge as set_based
from . import schemas

LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class Table:
    schema: type
    service: Callable
    list_fields: tuple[str, ...] = ()


TABLES: dict[str, Table] = {
    "employees": Table(schemas.EmployeeIn, services.employee_upsert),
    "accounts": Table(schemas.AccountIn, services.account_upsert),
    "contacts": Table(schemas.ContactIn, services.contact_upsert),
    "opportunities": Table(schemas.OpportunityIn, services.opportunity_upsert, ("deal_risk_flags",)),
    "products": Table(schemas.ProductIn, services.product_upsert),
    "quotes": Table(schemas.QuoteIn, services.quote_upsert),
    "quote_lines": Table(schemas.QuoteLineRowIn, services.quote_line_add),
    "calls": Table(schemas.CallIn, services.call_upsert, ("objections", "competitor_mentions", "next_steps", "demoed")),
    "usage": Table(schemas.UsageDayIn, services.usage_day_upsert),
    "usage_events": Table(schemas.UsageEventIn, services.usage_event_upsert),
    "activities": Table(schemas.ActivityIn, services.activity_upsert),
    "territories": Table(schemas.TerritoryIn, services.territory_upsert),
    "quotas": Table(schemas.QuotaIn, services.quota_upsert),
    "quota_ledger": Table(schemas.QuotaLedgerIn, services.quota_ledger_upsert),
    "comp_plans": Table(schemas.CompPlanIn, comp_plan_upsert),
    "cadence_events": Table(schemas.CadenceEventIn, services.cadence_event_upsert, ("risk_flags",)),
    "surveys": Table(schemas.SurveyResponseIn, health_inputs.survey_response_upsert),
    "tickets": Table(schemas.SupportTicketIn, health_inputs.support_ticket_upsert),
    "qbrs": Table(schemas.QBRIn, health_inputs.qbr_upsert),
    "expansions": Table(schemas.ExpansionIn, health_inputs.expansion_upsert),
    "advocacy": Table(schemas.AdvocacyIn, health_inputs.advocacy_upsert),
    # seed 002: the datasets the offline enrichment agents read
    "firmographics": Table(schemas.FirmographicIn, enrichment_datasets.firmographic_upsert),
    "project_records": Table(schemas.ProjectRecordIn, enrichment_datasets.project_record_upsert, ("trades",)),
    "bid_invites": Table(schemas.BidInviteIn, enrichment_datasets.bid_invite_upsert),
}


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    table: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Abort(Exception):
    pass


def _clean(row: dict, list_fields: tuple[str, ...]) -> dict:
    """CSV cells are strings: blank means "not given", list cells are ``a|b|c``."""
    cleaned = {}
    for name, value in row.items():
        if name is None:
            continue
        value = (value or "").strip()
        if name in list_fields:
            cleaned[name] = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        elif value != "":
            cleaned[name] = value
    return cleaned


def import_csv(table_name: str, stream: IO[str], *, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import one table's CSV; ``progress(rows_read)`` is called every few thousand rows."""
    if table_name not in TABLES:
        raise KeyError(f"unknown table {table_name!r}; choose one of {', '.join(sorted(TABLES))}")
    table = TABLES[table_name]
    report = ImportReport(table=table_name)
    reader = csv.DictReader(stream)
    known = set(table.schema.model_fields)
    unknown = [h for h in (reader.fieldnames or []) if h not in known]
    if not reader.fieldnames:
        report.errors.append(RowError(1, "header", "the file is empty"))
        return report
    if unknown:
        report.errors.append(RowError(1, "header", f"unknown column(s): {', '.join(unknown)}"))
        return report
    if table_name in set_based.SPECS:
        return _import_set_based(table, set_based.SPECS[table_name], reader, report, progress)
    try:
        with transaction.atomic():
            for line, row in enumerate(reader, start=2):
                report.rows += 1
                _import_row(table, line, row, report)
            if report.errors:
                raise _Abort  # roll back every row written before the first bad one
    except _Abort:
        report.created = report.updated = 0
    return report


PROGRESS_EVERY = 5000


def _import_set_based(table: Table, spec, reader, report: ImportReport, progress) -> ImportReport:
    """Validate every row, resolve every reference, then — only if nothing is bad — stage and merge."""
    payloads: list[tuple[int, dict]] = []
    for line, row in enumerate(reader, start=2):
        report.rows += 1
        try:
            payloads.append((line, table.schema(**_clean(row, table.list_fields)).dict()))
        except ValidationError as invalid:
            for error in invalid.errors():
                name = ".".join(str(p) for p in error["loc"]) or "row"
                report.errors.append(RowError(line, name, error["msg"]))
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(report.rows)
    for line, name, message in set_based.resolve_references(spec, payloads):
        report.errors.append(RowError(line, name, message))
    if report.errors:
        report.errors.sort(key=lambda e: e.line)
        return report
    try:
        with transaction.atomic():
            merged = set_based.merge(spec, [p for _, p in payloads])
            refused = spec.after(payloads, merged) if spec.after else []
            if refused:  # a row the per-row workflow refused: nothing from the file stays
                report.errors.extend(RowError(line, name, message) for line, name, message in refused)
                report.errors.sort(key=lambda e: e.line)
                transaction.set_rollback(True)
                return report
    except (IntegrityError, DataError):
        # A table constraint the schema does not state (rare): the one statement cannot say which line broke
        # it, so the file is written again row by row, in one transaction rolled back whatever happens, only
        # to name every bad line as the row-by-row import did. Nothing is imported.
        return _name_the_bad_rows(table, payloads, report)
    report.created, report.updated = merged.created, merged.updated
    if progress:
        progress(report.rows)
    return report


def _name_the_bad_rows(table: Table, payloads: list[tuple[int, dict]], report: ImportReport) -> ImportReport:
    known = set(table.schema.model_fields)
    with transaction.atomic():
        for line, payload in payloads:
            _write_row(table, line, {k: v for k, v in payload.items() if k in known}, report)
        transaction.set_rollback(True)
    if not report.errors:  # the constraint only broke with the rows together: say so rather than import
        report.errors.append(RowError(0, "row", "the rows together break a table constraint"))
    report.created = report.updated = 0
    return report


def _import_row(table: Table, line: int, row: dict, report: ImportReport) -> None:
    try:
        payload = table.schema(**_clean(row, table.list_fields))
    except ValidationError as invalid:
        for error in invalid.errors():
            name = ".".join(str(p) for p in error["loc"]) or "row"
            report.errors.append(RowError(line, name, error["msg"]))
        return
    _write_row(table, line, payload.dict(), report)


def _write_row(table: Table, line: int, values: dict, report: ImportReport) -> None:
    try:
        with transaction.atomic():
            _, created = table.service(**values)
    except services.ReferenceNotFound as missing:
        report.errors.append(RowError(line, missing.field, f"no record matches {missing.value!r}"))
    except ValueError as broken:  # services raise "field: message", as the API reports it
        name, _, message = (str(broken).splitlines() or ["invalid"])[0].partition(": ")
        report.errors.append(RowError(line, name if message else "row", message or name))
    except IntegrityError as broken:
        report.errors.append(RowError(line, "row", str(broken).splitlines()[0]))
    else:
        if created:
            report.created += 1
        else:
            report.updated += 1
