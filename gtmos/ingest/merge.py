"""Set-based writes for the high-volume ingest tables (issue 21): COPY into a staging table, then one merge.

``import_csv`` and the ``/api/v1/usage`` batch validate every row with the same schemas as before, resolve
every reference in one query per kind, and — only when no row is bad — stage the rows with COPY and merge them
with one ``INSERT … ON CONFLICT DO UPDATE`` whose ``WHERE`` skips unchanged rows (a replay writes nothing).
Everything runs in the caller's transaction: a failure anywhere, the merge included, leaves nothing behind.
Within one batch the last row for a key wins, as it did row by row.

A small batch (at most ``INGEST_SMALL_BATCH_ROWS`` rows, default 200: the realtime feed's one-row posts) skips
the staging table: creating, altering and dropping a temp table is catalog work that cost a one-row write more
than the write itself. The rows go in one multi-row ``INSERT … VALUES … ON CONFLICT DO UPDATE … WHERE … IS
DISTINCT FROM`` — the same statement shape, the same last-row-wins (deduplicated here, since one statement may
not touch a row twice), the same counts.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction

from enrichment.models import Lead
from gtmos.core.bulk import _copy_text
from gtmos.crm.models import (
    Account,
    CadenceEventLog,
    Contact,
    ConvIntelligenceCall,
    Employee,
    Opportunity,
    RepActivity,
    UsageDaily,
    UsageEvent,
)
from gtmos.health.models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse

COPY_CHUNK = 50_000
SMALL_BATCH_ROWS = 200  # default of settings.INGEST_SMALL_BATCH_ROWS


@dataclass
class Merged:
    created: int
    updated: int  # rows that were not new (changed or not), as the row-by-row import counted them
    created_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)  # existing rows the merge really changed


@dataclass(frozen=True)
class Reference:
    """A payload field naming a record by a unique value, resolved set-based."""

    field: str
    model: type[models.Model]
    lookup: str
    to: str  # the attname it fills
    required: bool = True
    lower: bool = False
    # Columns of the referenced row the spec's rules read, stored as ``payload[f"{to}.{column}"]``: e.g. a
    # survey's contact must be a contact of the survey's account.
    extra: tuple[str, ...] = ()
    # Several rows may share the value (a prospect's email on several leads): the last in this order wins.
    order_by: str = ""


@dataclass(frozen=True)
class MergeSpec:
    model: type[models.Model]
    key: tuple[str, ...]  # attnames of the unique key ON CONFLICT uses
    references: tuple[Reference, ...]
    values: Callable[[dict], dict]  # payload (refs resolved) → attname values
    on_created: Callable[[list[int]], None] | None = None
    # A hot path: the payload as one COPY line of every column (in field order), skipping the per-value
    # dispatch; only for tables whose every column the payload gives (the usage feed: a million rows a file).
    copy_line: Callable[[dict], str] | None = None
    # Cross-record rules the service checked row by row, on a payload whose references all resolved:
    # [(field, message)] per broken rule, reported as the service reported them.
    rules: Callable[[dict], list[tuple[str, str]]] | None = None
    # Columns written when the row is created and never changed by an update (the role a rep had that day).
    insert_only: tuple[str, ...] = ()
    # Per-row workflow after the merge, in the same transaction (a deal's stage change: history, events, the
    # close-won signal): given the (line, payload) rows and the merge, returns (line, field, message) per row
    # it refused; any refusal rolls the whole file back.
    after: Callable[[Sequence[tuple[int, dict]], Merged], list[tuple[int, str, str]]] | None = None


def resolve_references(spec: MergeSpec, payloads: Sequence[tuple[int, dict]]) -> list[tuple[int, str, str]]:
    """Fill each reference in place (``payload[ref.to] = id``); return (line, field, message) per miss, then per
    broken rule of a row whose references all resolved."""
    errors = []
    for ref in spec.references:
        wanted = {p[ref.field] for _, p in payloads if p.get(ref.field) not in (None, "")}
        if ref.lower:
            wanted = {w.lower() for w in wanted}
        rows = _lookup(ref, wanted) if wanted else []
        found = {row[0]: row[1:] for row in rows}
        for line, p in payloads:
            value = p.get(ref.field)
            if value in (None, ""):
                if ref.required:
                    errors.append((line, ref.field, f"no record matches {value!r}"))
                p[ref.to] = None
                for column in ref.extra:
                    p[f"{ref.to}.{column}"] = None
                continue
            match = found.get(value.lower() if ref.lower else value)
            if match is None:
                errors.append((line, ref.field, f"no record matches {value!r}"))
                p[ref.to] = None
                p["_missing"] = True
                continue
            p[ref.to] = match[0]
            for column, got in zip(ref.extra, match[1:], strict=True):
                p[f"{ref.to}.{column}"] = got
    if spec.rules is not None:
        for line, p in payloads:
            if p.pop("_missing", False):
                continue
            errors.extend((line, name, message) for name, message in spec.rules(p))
    else:
        for _, p in payloads:
            p.pop("_missing", None)
    return errors


def _lookup(ref: Reference, wanted: set) -> list[tuple]:
    """(key, pk, *extra) of every referenced row, in one statement of plain SQL (no ORDER BY: the model's
    ordering, accounts by name, sorted every match for nothing; and the ORM's compiling cost a one-row write
    more than the read)."""
    q = connection.ops.quote_name
    meta = ref.model._meta
    column = q(meta.get_field(ref.lookup).column)
    key = f"lower({column})" if ref.lower else column
    extra = "".join(f", {q(meta.get_field(name).column)}" for name in ref.extra)
    order = f" ORDER BY {q(meta.get_field(ref.order_by).column)}" if ref.order_by else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {q(meta.pk.column)}{extra} FROM {q(meta.db_table)} WHERE {key} = ANY(%s){order}",
            [list(wanted)],
        )
        return cursor.fetchall()


def key_id(spec: MergeSpec, values: dict) -> int | None:
    """The id of the row with this payload's key (after a merge that found it unchanged)."""
    q = connection.ops.quote_name
    meta = spec.model._meta
    where = " AND ".join(f"{q(meta.get_field(k).column)} = %s" for k in spec.key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q(meta.pk.column)} FROM {q(meta.db_table)} WHERE {where}", [values[k] for k in spec.key]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def merge(spec: MergeSpec, payloads: Sequence[dict]) -> Merged:
    """Stage (COPY) and merge validated, resolved payloads into ``spec.model``'s table."""
    if not payloads:
        return Merged(0, 0)
    model = spec.model
    provided = set(spec.values(payloads[0]))
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if len(payloads) <= getattr(settings, "INGEST_SMALL_BATCH_ROWS", SMALL_BATCH_ROWS):
        return _merge_values(spec, fields, payloads, provided)
    columns = [f.column for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    stage = f"_stage_{model._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {', '.join(map(q, columns))} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"ALTER TABLE {stage} ADD COLUMN _line bigserial")
        staged = _copy(
            cursor,
            stage,
            fields,
            (spec.values(p) for p in payloads) if spec.copy_line is None else payloads,
            spec.copy_line,
        )
        return _merge(cursor, spec, stage, table, fields, staged, provided)


def _copy(cursor, stage: str, fields, rows, line=None) -> int:
    """COPY the rows (attname dicts; a missing column takes the field's default) into the staging table."""
    sql = f"COPY {stage} ({', '.join(connection.ops.quote_name(f.column) for f in fields)}) FROM STDIN"
    # Per column: its attname and the COPY text of its default (computed once, not per row).
    plan = [(f.attname, _copy_text(_db_value(f, f.get_default()))) for f in fields]
    stamped = {f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)}
    raw, buffer, pending, total = cursor.cursor, io.StringIO(), 0, 0
    for row in rows:
        if line is not None:
            buffer.write(line(row))
        else:
            buffer.write("\t".join(d if a in stamped or a not in row else _copy_text(row[a]) for a, d in plan))
        buffer.write("\n")
        pending += 1
        if pending >= COPY_CHUNK:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            total, buffer, pending = total + pending, io.StringIO(), 0
    if pending:
        buffer.seek(0)
        raw.copy_expert(sql, buffer)
        total += pending
    return total


def _merge_values(spec: MergeSpec, fields, payloads: Sequence[dict], provided: set[str]) -> Merged:
    """A small batch: one ``INSERT … VALUES … ON CONFLICT`` with the staging merge's semantics, no temp table."""
    stamped = {f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)}
    defaults = {f.attname: _db_value(f, f.get_default()) for f in fields}
    latest: dict[tuple, dict] = {}
    for payload in payloads:
        row = spec.values(payload)
        key = tuple(row[k] for k in spec.key)
        latest.pop(key, None)  # last row wins; keep the order of each key's last row, as the staging table does
        latest[key] = row
    params: list = []
    for row in latest.values():
        params.extend(
            f.get_db_prep_save(
                defaults[f.attname] if f.attname in stamped or f.attname not in row else row[f.attname], connection
            )
            for f in fields
        )
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        created, changed = _upsert(
            cursor, spec, fields, provided, f"VALUES {', '.join([placeholders] * len(latest))}", params
        )
    if spec.on_created and created:
        spec.on_created(created)
    return Merged(created=len(created), updated=len(latest) - len(created), created_ids=created, changed_ids=changed)


def _upsert(cursor, spec: MergeSpec, fields, provided: set[str], source: str, params=None) -> tuple[list, list]:
    """``INSERT INTO table (every column) <source> ON CONFLICT (key) DO UPDATE`` the provided columns where they
    differ; returns the new rows' primary keys. An update changes what the payload gives (and the updated-at
    stamp), nothing else: the onboarding status, churn date and TTV of an account are not the feed's to reset.
    Only a real change counts as one (so a replay writes nothing)."""
    q = connection.ops.quote_name
    table = q(spec.model._meta.db_table)
    cols = [f.column for f in fields]
    cursor.execute(
        f"WITH merged AS ("
        f" INSERT INTO {table} ({', '.join(map(q, cols))}) {source} {conflict_clause(spec, fields, provided)}"
        f" RETURNING {q(spec.model._meta.pk.column)} AS pk, (xmax = 0) AS inserted)"
        f" SELECT pk, inserted FROM merged",
        params,
    )
    rows = cursor.fetchall()
    return [pk for pk, inserted in rows if inserted], [pk for pk, inserted in rows if not inserted]


def conflict_clause(spec: MergeSpec, fields, provided: set[str]) -> str:
    """``ON CONFLICT (key) DO UPDATE`` the provided columns ``WHERE`` they differ (``DO NOTHING`` if none)."""
    q = connection.ops.quote_name
    table = q(spec.model._meta.db_table)
    by_attname = {f.attname: f for f in fields}
    key = [by_attname[k].column for k in spec.key]
    compared = [
        f.column
        for f in fields
        if f.attname in provided and f.attname not in spec.key and f.attname not in spec.insert_only
    ]
    changing = compared + [f.column for f in fields if isinstance(f, models.DateTimeField) and f.auto_now]
    sets = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in changing)
    differs = (
        f"({', '.join(f'{table}.{q(c)}' for c in compared)}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{q(c)}' for c in compared)})"
    )
    if not compared:
        return f"ON CONFLICT ({', '.join(map(q, key))}) DO NOTHING"
    return f"ON CONFLICT ({', '.join(map(q, key))}) DO UPDATE SET {sets} WHERE {differs}"


def _db_value(field, value):
    if isinstance(field, (models.DateTimeField,)) and (field.auto_now or field.auto_now_add):
        from gtmos.core import clock

        return clock.now()
    return value


def _merge(cursor, spec: MergeSpec, stage: str, table: str, fields, staged: int, provided: set[str]) -> Merged:
    """One statement: insert new keys, update changed rows, leave identical rows alone (last staged row wins)."""
    if not staged:
        return Merged(0, 0)
    q = connection.ops.quote_name
    by_attname = {f.attname: f for f in fields}
    key = ", ".join(q(by_attname[k].column) for k in spec.key)
    cols = ", ".join(q(f.column) for f in fields)
    created, changed = _upsert(
        cursor, spec, fields, provided, f"SELECT DISTINCT ON ({key}) {cols} FROM {stage} ORDER BY {key}, _line DESC"
    )
    cursor.execute(f"SELECT count(DISTINCT ({key})) FROM {stage}")
    (distinct,) = cursor.fetchone()
    if spec.on_created and created:
        spec.on_created(created)
    return Merged(created=len(created), updated=distinct - len(created), created_ids=created, changed_ids=changed)


# --- the tables written this way ---------------------------------------------------------------------------

ACCOUNT_REF = Reference("account_external_id", Account, "external_id", "account_id")


def _usage_day(p: dict) -> dict:
    return {
        "account_id": p["account_id"],
        "day": p["day"],
        "active_seats": p["active_seats"],
        "consumption_units": p["consumption_units"],
        "logins": p["logins"],
    }


def _usage_event(p: dict) -> dict:
    return {"account_id": p["account_id"], "day": p["day"], "event_name": p["event_name"], "count": p["count"]}


def _account(p: dict) -> dict:
    # As account_upsert writes them.
    return {
        "external_id": p["external_id"],
        "name": p["name"],
        "segment": p["segment"],
        "domain": (p.get("domain") or "").lower(),
        "vertical": p.get("vertical") or "",
        "region": p.get("region") or "",
        "owner_id": p["owner_id"],
        "am_id": p["am_id"],
        "csm_id": p["csm_id"],
        "contract_start_date": p.get("contract_start_date"),
        "renewal_date": p.get("renewal_date"),
        "contracted_seats": p["contracted_seats"],
        "contracted_consumption_units": p["contracted_consumption_units"],
        "arr": p["arr"],
        "is_customer": p["is_customer"],
    }


def _accounts_created(pks: list[int]) -> None:
    """One ``account.created`` event per new account (as ``account_upsert`` records it), in one statement."""
    from gtmos.core import clock

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_event (type, actor_type, actor_label, subject_type, subject_id, account_id, payload, "
            "occurred_at) "
            "SELECT 'account.created', 'integration', '', 'crm.account', id::text, id, "
            "jsonb_build_object('segment', segment), %s FROM crm_account WHERE id = ANY(%s)",
            [clock.now(), pks],
        )


def _employee(field: str, to: str) -> Reference:
    return Reference(field, Employee, "email", to, required=False, lower=True)


def _usage_day_line(p: dict) -> str:
    return f"{p['account_id']}\t{p['day'].isoformat()}\t{p['active_seats']}\t{p['consumption_units']}\t{p['logins']}"


def _usage_event_line(p: dict) -> str:
    return f"{p['account_id']}\t{p['day'].isoformat()}\t{_copy_text(p['event_name'])}\t{p['count']}"


def _contact(p: dict) -> dict:
    # As contact_upsert writes them.
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "name": p["name"],
        "email": p.get("email") or "",
        "title": p.get("title") or "",
        "buying_role": p["buying_role"],
        "is_executive_sponsor": p["is_executive_sponsor"],
        "last_engaged_at": p.get("last_engaged_at"),
    }


CONTACT_OF_ACCOUNT = Reference(
    "contact_external_id", Contact, "external_id", "contact_id", required=False, extra=("account_id",)
)


def _contact_on_the_account(p: dict) -> list[tuple[str, str]]:
    """survey_response_upsert's rule: a survey's contact is a contact of the survey's account."""
    if p["contact_id"] is not None and p["contact_id.account_id"] != p["account_id"]:
        return [("contact_external_id", f"{p['contact_external_id']!r} is a contact of another account")]
    return []


def _survey(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "contact_id": p["contact_id"],
        "kind": p["kind"],
        "score": p["score"],
        "responded_on": p["responded_on"],
        "comment": p.get("comment") or "",
    }


def _ticket(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "subject": p.get("subject") or "",
        "priority": p["priority"],
        "status": p["status"],
        "opened_on": p["opened_on"],
        "closed_on": p.get("closed_on"),
    }


def _qbr(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "owner_id": p["owner_id"],
        "scheduled_for": p["scheduled_for"],
        "status": p["status"],
        "completed_on": p.get("completed_on"),
        "outcome": p.get("outcome") or "",
        "exec_sponsor_attended": p["exec_sponsor_attended"],
        "notes": p.get("notes") or "",
    }


def _expansion(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "play": p["play"],
        "status": p["status"],
        "opened_on": p["opened_on"],
        "closed_on": p.get("closed_on"),
        "amount": p["amount"],
        "reason": p.get("reason") or "",
    }


def _advocacy(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "kind": p["kind"],
        "occurred_on": p["occurred_on"],
        "notes": p.get("notes") or "",
    }


def _activity(p: dict) -> dict:
    # As activity_upsert writes them: the role is the rep's when the activity is first recorded (insert_only).
    return {
        "external_id": p["external_id"],
        "rep_id": p["rep_id"],
        "role": p["rep_id.role"],
        "activity_date": p["activity_date"],
        "activity_type": p["activity_type"],
        "account_id": p["account_id"],
        "contact_id": p["contact_id"],
        "notes": p.get("notes") or "",
    }


def _opportunity(p: dict) -> dict:
    # As opportunity_upsert writes them; the stage is not a column the merge writes: a new deal starts at the
    # model's default and every stage given goes through opportunity_set_stage (_opportunity_workflow).
    return {
        "external_id": p["external_id"],
        "account_id": p["account_id"],
        "name": p["name"],
        "type": p["type"],
        "acv": p["acv"],
        "sam_value": p["sam_value"],
        "deal_health_score": p.get("deal_health_score"),
        "deal_risk_flags": p.get("deal_risk_flags") or [],
        "close_date": p.get("close_date"),
        "owner_id": p["owner_id"],
        "se_id": p["se_id"],
        "am_id": p["am_id"],
        "csm_id": p["csm_id"],
        "sdr_id": p["sdr_id"],
    }


def _opportunities_created(pks: list[int]) -> None:
    """One ``opportunity.created`` event per new deal, as ``opportunity_upsert`` records it, in one statement."""
    from gtmos.core import clock

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_event (type, actor_type, actor_label, subject_type, subject_id, account_id, payload, "
            "occurred_at) "
            "SELECT 'opportunity.created', 'integration', '', 'crm.opportunity', id::text, account_id, "
            "jsonb_build_object('stage', stage, 'type', type), %s FROM crm_opportunity WHERE id = ANY(%s) ORDER BY id",
            [clock.now(), pks],
        )


def _opportunity_workflow(payloads: Sequence[tuple[int, dict]], merged: Merged) -> list[tuple[int, str, str]]:
    """What opportunity_upsert does after writing the columns, for the deals that need it: a stage given that
    differs from the deal's goes through opportunity_set_stage / opportunity_close_won (history, events, the
    order signal); an open deal the merge created or changed is announced (opportunity_updated). A deal the
    file leaves as it was announces nothing (a replay writes nothing)."""
    from gtmos.crm.models import Stage
    from gtmos.crm.services import deals
    from gtmos.crm.signals import opportunity_updated

    last = {p["external_id"]: (line, p) for line, p in payloads}  # the last row per deal wins
    touched = set(merged.created_ids) | set(merged.changed_ids)
    current = dict(Opportunity.objects.filter(external_id__in=list(last)).values_list("external_id", "stage"))
    need = [x for x, (_, p) in last.items() if p["stage"] != current.get(x)]
    announce = [x for x, (_, p) in last.items() if p["stage"] == current.get(x)]
    objects = {
        o.external_id: o
        for o in Opportunity.objects.filter(external_id__in=need + announce).select_related("account")
        if o.external_id in need or o.pk in touched
    }
    errors = []
    for external_id, (line, p) in last.items():
        opportunity = objects.get(external_id)
        if opportunity is None:
            continue
        if external_id in need:
            try:
                with transaction.atomic():
                    if p["stage"] == Stage.CLOSED_WON:
                        deals.opportunity_close_won(opportunity=opportunity, actor_label="")
                    else:
                        deals.opportunity_set_stage(opportunity=opportunity, stage=p["stage"], actor_label="")
            except ValueError as broken:  # "field: message", as the service raises it
                name, _, message = str(broken).partition(": ")
                errors.append((line, name if message else "row", message or name))
        elif not opportunity.is_closed:
            opportunity_updated.send(sender=Opportunity, opportunity=opportunity)
    return errors


def _call(p: dict) -> dict:
    # As call_upsert writes them: the owner's role when the call is first recorded (insert_only: a replay must
    # not rewrite history); the account, if not given, the deal's.
    return {
        "external_id": p["external_id"],
        "owner_id": p["owner_id"],
        "owner_role": p["owner_id.role"],
        "account_id": p["account_id"] if p["account_id"] is not None else p["opportunity_id.account_id"],
        "opportunity_id": p["opportunity_id"],
        "occurred_at": p["occurred_at"],
        "call_type": p["call_type"],
        "duration_seconds": p["duration_seconds"],
        "objections": p.get("objections") or [],
        "competitor_mentions": p.get("competitor_mentions") or [],
        "next_steps": p.get("next_steps") or [],
        "demoed": p.get("demoed") or [],
        "sentiment": p.get("sentiment"),
        "talk_ratio": p.get("talk_ratio"),
        "question_count": p["question_count"],
        "question_depth": p.get("question_depth"),
        "qualification_coverage": p.get("qualification_coverage"),
        "quality_score": p.get("quality_score"),
        "summary": p.get("summary") or "",
    }


def _touch_account(p: dict):
    """cadence_event_upsert's account: the one given, else the contact's, else the deal's."""
    if p["account_id"] is not None:
        return p["account_id"]
    if p["contact_id"] is not None:
        return p["contact_id.account_id"]
    return p["opportunity_id.account_id"] if p["opportunity_id"] is not None else None


def _touch_agrees(p: dict) -> list[tuple[str, str]]:
    """cadence_event_upsert's rules: the contact and the deal are on the touch's account (the first that is not)."""
    account_id = _touch_account(p)
    if p["contact_id"] is not None and p["contact_id.account_id"] != account_id:
        return [("contact_external_id", f"{p['contact_external_id']!r} is a contact of another account")]
    if p["opportunity_id"] is not None and p["opportunity_id.account_id"] != account_id:
        return [("opportunity_external_id", f"{p['opportunity_external_id']!r} is a deal of another account")]
    return []


def _touch(p: dict) -> dict:
    return {
        "external_id": p["external_id"],
        "sdr_id": p["sdr_id"],
        # A lead by id, else the latest lead with the email (cadence_event_upsert's _lead).
        "lead_id": p["lead_id_ref"] if p.get("lead_id") not in (None, "") else p["lead_by_email"],
        "account_id": _touch_account(p),
        "contact_id": p["contact_id"],
        "cadence_type": p["cadence_type"],
        "cadence_id": p["cadence_id"],
        "cadence_name": p.get("cadence_name") or "",
        "step": p["step"],
        "channel": p["channel"],
        "occurred_at": p["occurred_at"],
        "responded": p["responded"],
        "responded_at": p.get("responded_at"),
        "meeting_booked": p["meeting_booked"],
        "meeting_accepted": p["meeting_accepted"],
        "opportunity_id": p["opportunity_id"],
        "risk_flags": p.get("risk_flags") or [],
    }


SPECS: dict[str, MergeSpec] = {
    "usage": MergeSpec(UsageDaily, ("account_id", "day"), (ACCOUNT_REF,), _usage_day, copy_line=_usage_day_line),
    "usage_events": MergeSpec(
        UsageEvent, ("account_id", "day", "event_name"), (ACCOUNT_REF,), _usage_event, copy_line=_usage_event_line
    ),
    "accounts": MergeSpec(
        Account,
        ("external_id",),
        (_employee("owner_email", "owner_id"), _employee("am_email", "am_id"), _employee("csm_email", "csm_id")),
        _account,
        on_created=_accounts_created,
    ),
    "contacts": MergeSpec(Contact, ("external_id",), (ACCOUNT_REF,), _contact),
    "opportunities": MergeSpec(
        Opportunity,
        ("external_id",),
        (
            ACCOUNT_REF,
            *(_employee(f"{role}_email", f"{role}_id") for role in ("owner", "se", "am", "csm", "sdr")),
        ),
        _opportunity,
        on_created=_opportunities_created,
        after=_opportunity_workflow,
    ),
    "surveys": MergeSpec(
        SurveyResponse, ("external_id",), (ACCOUNT_REF, CONTACT_OF_ACCOUNT), _survey, rules=_contact_on_the_account
    ),
    "tickets": MergeSpec(SupportTicket, ("external_id",), (ACCOUNT_REF,), _ticket),
    "qbrs": MergeSpec(QBRLog, ("external_id",), (ACCOUNT_REF, _employee("owner_email", "owner_id")), _qbr),
    "expansions": MergeSpec(ExpansionLog, ("external_id",), (ACCOUNT_REF,), _expansion),
    "advocacy": MergeSpec(AdvocacyRecord, ("external_id",), (ACCOUNT_REF,), _advocacy),
    "calls": MergeSpec(
        ConvIntelligenceCall,
        ("external_id",),
        (
            Reference("owner_email", Employee, "email", "owner_id", lower=True, extra=("role",)),
            Reference("account_external_id", Account, "external_id", "account_id", required=False),
            Reference(
                "opportunity_external_id",
                Opportunity,
                "external_id",
                "opportunity_id",
                required=False,
                extra=("account_id",),
            ),
        ),
        _call,
        insert_only=("owner_role",),
    ),
    "cadence_events": MergeSpec(
        CadenceEventLog,
        ("external_id",),
        (
            Reference("sdr_email", Employee, "email", "sdr_id", lower=True),
            Reference(
                "contact_external_id", Contact, "external_id", "contact_id", required=False, extra=("account_id",)
            ),
            Reference(
                "opportunity_external_id",
                Opportunity,
                "external_id",
                "opportunity_id",
                required=False,
                extra=("account_id",),
            ),
            Reference("account_external_id", Account, "external_id", "account_id", required=False),
            Reference("lead_id", Lead, "id", "lead_id_ref", required=False),
            Reference("lead_email", Lead, "email", "lead_by_email", required=False, lower=True, order_by="captured_at"),
        ),
        _touch,
        rules=_touch_agrees,
    ),
    "activities": MergeSpec(
        RepActivity,
        ("external_id",),
        (
            Reference("rep_email", Employee, "email", "rep_id", lower=True, extra=("role",)),
            Reference("account_external_id", Account, "external_id", "account_id", required=False),
            Reference("contact_external_id", Contact, "external_id", "contact_id", required=False),
        ),
        _activity,
        insert_only=("role",),
    ),
}
