"""Signals in, the Profile projection out, and the router's view of it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection

from gtmos.core import clock
from routing.config import router_config_cached
from routing.enums import ProfileField as F
from routing.router import route
from routing.types import FieldValue, RouteDecision
from routing.types import Profile as RouteProfile

from ..enums import USER_SOURCE
from ..flags import flags_for
from ..models import EnrichmentRun, EnrichmentSignal, Lead, Profile
from ..providers.base import SignalOut

# Ties at equal confidence go to what the prospect said, then to the agent that owns the field.
OWNER = {
    F.IDENTITY: "domain_site",
    F.COMPANY: "domain_site",
    F.WEBSITE: "domain_site",
    F.HQ: "domain_site",
    F.SERVICE_AREA: "domain_site",
    F.ORG_TYPE: "classifier",
    F.TRADE: "classifier",
    F.SECTORS: "classifier",
    F.PROJECT_MIX: "classifier",
    F.SIZE_BAND: "size_estimator",
    F.REVENUE: "size_estimator",
    F.ACV: "size_estimator",
    F.ROLE: "role_resolver",
    F.PERSONA: "role_resolver",
}
# Values an agent computes from other fields of the same lead rather than observes: the size estimator's ACV is
# seats × seat price from headcount (or revenue). The router does not count them as evidence of their own.
DERIVED = {(F.ACV, "size_estimator")}
STATED = "stated by the prospect"
CORRECTED = "corrected by the prospect"  # a confirm chip said otherwise
TEXT_FIELDS = {
    F.COMPANY: ("company", 200),
    F.WEBSITE: ("website", 300),
    F.HQ: ("hq", 200),
    F.IDENTITY: ("identity", 12),
    F.ORG_TYPE: ("org_type", 16),
    F.SIZE_BAND: ("size_band", 12),
    F.ROLE: ("role", 200),
    F.PERSONA: ("persona", 12),
    F.TRADE: ("trade", 40),
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _clamp(confidence: float) -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if c != c else min(max(c, 0.0), 1.0)


# One statement: drop the fields this agent no longer reports, upsert the ones it does ((run, field, agent) is
# unique, so a replay writes no duplicate). Plain SQL: it runs on the swarm's hot path, once per agent report.
_SIGNALS_UPSERT = """
WITH dropped AS (
    DELETE FROM enrichment_enrichmentsignal
     WHERE run_id = %(run)s AND agent = %(agent)s AND NOT (field = ANY(%(fields)s::varchar[]))
    RETURNING 1),
upserted AS (
    INSERT INTO enrichment_enrichmentsignal
           (id, run_id, field, agent, value, confidence, evidence, attempt, created_at, updated_at)
    SELECT id, %(run)s, field, %(agent)s, value::jsonb, confidence, evidence, %(attempt)s, %(now)s, %(now)s
      FROM unnest(%(ids)s::uuid[], %(fields)s::varchar[], %(values)s::text[], %(confidences)s::float8[],
                  %(evidence)s::varchar[]) AS s(id, field, value, confidence, evidence)
    ON CONFLICT (run_id, field, agent) DO UPDATE
       SET value = EXCLUDED.value, confidence = EXCLUDED.confidence, evidence = EXCLUDED.evidence,
           attempt = EXCLUDED.attempt, updated_at = EXCLUDED.updated_at
    RETURNING 1)
SELECT (SELECT count(*) FROM dropped) + (SELECT count(*) FROM upserted)
"""


def signals_write(*, run_id, agent: str, signals: list[SignalOut], attempt: int) -> int:
    """Upsert one agent's signals on a run. The agent's latest attempt replaces its earlier values; fields it
    no longer reports are dropped. Returns the rows written or dropped (0: the projection cannot change)."""
    latest: dict[str, SignalOut] = {}
    for s in signals:
        if s.field in F.values:
            latest[s.field] = s  # one value per field per agent; the last one wins
    rows = list(latest.values())
    if not rows and attempt == 1:
        # Nothing to upsert, and nothing to drop: a job succeeds once, so a first attempt has no earlier values
        # on the run (a later one may: a re-run of a succeeded job counts on). Most async agents and an
        # unresolved role report nothing: no statement.
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            _SIGNALS_UPSERT,
            {
                "run": run_id,
                "agent": agent,
                "attempt": attempt,
                "now": clock.now(),
                "ids": [str(uuid.uuid4()) for _ in rows],
                "fields": [s.field for s in rows],
                "values": [json.dumps(_jsonable(s.value)) for s in rows],
                "confidences": [_clamp(s.confidence) for s in rows],
                "evidence": [s.evidence[:300] for s in rows],
            },
        )
        return cursor.fetchone()[0]


def signals_record_user(
    *, run: EnrichmentRun, values: dict[str, Any], confidence: float = 1.0, evidence: str = STATED
) -> int:
    """What the prospect told us (confirm chips, the role question, an inviter's word) becomes a signal with
    provenance ``user``: it wins over any agent's guess and goes through the same projection. A correction of a
    chip is the same signal with ``evidence=CORRECTED`` (the gateTrace credits the prospect)."""
    now = clock.now()
    rows = [
        EnrichmentSignal(
            run=run,
            field=name,
            agent=USER_SOURCE,
            value=_jsonable(value),
            confidence=_clamp(confidence),
            evidence=evidence[:300],
            created_at=now,
            updated_at=now,
        )
        for name, value in values.items()
        if name in F.values
    ]
    if rows:
        EnrichmentSignal.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["run", "field", "agent"],
            update_fields=["value", "confidence", "evidence", "updated_at"],
        )
    return len(rows)


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal(1))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and amount >= 0 and amount < Decimal(10) ** 15 else None


_PROFILE_READ = """
SELECT s.id, s.field, s.value, s.confidence, s.agent, s.updated_at, NULL::jsonb, s.evidence
  FROM enrichment_enrichmentsignal s JOIN enrichment_enrichmentrun r ON r.id = s.run_id
 WHERE r.lead_id = %(lead)s
UNION ALL  -- the profile as it stood: its values and confidences, to say what changed and what crossed θ
SELECT NULL, NULL, p."values", NULL, NULL, NULL, p.confidence, NULL FROM enrichment_profile p WHERE p.lead_id = %(lead)s
"""
_PROFILE_COLUMNS = (
    "company",
    "website",
    "hq",
    "identity",
    "org_type",
    "size_band",
    "revenue_est",
    "acv_est",
    "role",
    "persona",
    "trade",
    "sectors",
    "service_area",
    "project_mix",
    "values",
    "confidence",
    "provenance",
    "updated_at",
)
_JSON_COLUMNS = {"sectors", "service_area", "project_mix", "values", "confidence", "provenance"}
_PROFILE_UPSERT = """
INSERT INTO enrichment_profile (lead_id, {columns}) VALUES (%s, {params})
ON CONFLICT (lead_id) DO UPDATE SET {updates}
""".format(
    columns=", ".join(f'"{c}"' for c in _PROFILE_COLUMNS),
    params=", ".join("%s::jsonb" if c in _JSON_COLUMNS else "%s" for c in _PROFILE_COLUMNS),
    updates=", ".join(f'"{c}" = EXCLUDED."{c}"' for c in _PROFILE_COLUMNS),
)


def db_json(value: Any) -> Any:
    """A jsonb column read with a raw cursor: decoded already, or text when it came through a UNION/CTE."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def profile_project(*, lead_id, theta: float) -> tuple[list[str], list[str]]:
    """Re-project the lead's signals onto its Profile (two statements: the signals with the profile as it
    stood, then an upsert); returns the fields that crossed θ upward now, and every field whose value or
    confidence changed. Callers that race for the same lead hold its run's lock."""
    by_field: dict[str, list[tuple]] = {}
    before_values, before = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(_PROFILE_READ, {"lead": lead_id})
        for sid, field, value, confidence, agent, updated_at, profile_confidence, evidence in cursor.fetchall():
            if field is None:
                before_values, before = db_json(value) or {}, db_json(profile_confidence) or {}
            else:
                by_field.setdefault(field, []).append((confidence, agent, updated_at, sid, db_json(value), evidence))
    values, confidence, provenance = {}, {}, {}
    for name, candidates in by_field.items():
        # Ties at equal confidence: what the prospect said, then the field's owner, then the newest, then by name.
        conf, agent, _, sid, value, evidence = max(
            candidates, key=lambda c: (c[0], c[1] == USER_SOURCE, c[1] == OWNER.get(name), c[2], c[1])
        )
        values[name], confidence[name] = value, round(conf, 3)
        provenance[name] = {"agent": agent, "signal": str(sid)}
        if (name, agent) in DERIVED:
            provenance[name]["derived"] = True
        if agent == USER_SOURCE and evidence == CORRECTED:
            provenance[name]["corrected"] = True
    row: dict[str, Any] = {}
    for name, (attr, cap) in TEXT_FIELDS.items():
        value = values.get(name)
        row[attr] = str(value)[:cap] if isinstance(value, (str, int, float)) and value != "" else ""
    row["revenue_est"] = _money(values.get(F.REVENUE))
    row["acv_est"] = _money(values.get(F.ACV))
    row["sectors"] = (
        [str(v) for v in values.get(F.SECTORS) or [] if isinstance(v, (str, int))]
        if isinstance(values.get(F.SECTORS), list)
        else []
    )
    row["service_area"] = (
        [str(v) for v in values.get(F.SERVICE_AREA) or [] if isinstance(v, (str, int))]
        if isinstance(values.get(F.SERVICE_AREA), list)
        else []
    )
    row["project_mix"] = values.get(F.PROJECT_MIX) if isinstance(values.get(F.PROJECT_MIX), dict) else {}
    row["values"], row["confidence"], row["provenance"] = values, confidence, provenance
    row["updated_at"] = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _PROFILE_UPSERT,
            [lead_id, *(json.dumps(row[c]) if c in _JSON_COLUMNS else row[c] for c in _PROFILE_COLUMNS)],
        )
    crossed = sorted(n for n, c in confidence.items() if c >= theta > float(before.get(n, 0.0)))
    changed = sorted(
        n
        for n in set(confidence) | set(before)
        if confidence.get(n) != before.get(n) or values.get(n) != before_values.get(n)
    )
    return crossed, changed


def profile_refresh(*, lead: Lead, theta: float) -> tuple[Profile, list[str], list[str]]:
    """Re-project the lead's signals; returns the profile, the fields that crossed θ upward now, and every
    field whose value or confidence changed."""
    crossed, changed = profile_project(lead_id=lead.pk, theta=theta)
    return Profile.objects.get(lead=lead), crossed, changed


def route_input(*, lead: Lead, profile: Profile | _RouteFields | None) -> RouteProfile:
    """The router's view: warmth, and per field the projected value with its confidence."""
    fields, corrected = {}, set()
    if profile is not None:
        for name, value in (profile.values or {}).items():
            prov = (profile.provenance or {}).get(name, {})
            fields[name] = FieldValue(
                value,
                (profile.confidence or {}).get(name, 0.0),
                prov.get("agent", ""),
                derived=bool(prov.get("derived")),
            )
            if prov.get("corrected"):
                corrected.add(name)
    return RouteProfile(warmth=lead.warmth, fields=fields, corrected=frozenset(corrected))


# What the router reads of a profile (route_input): three columns in a plain statement — it runs on every settle,
# on the swarm's hot path — not the Profile's nineteen through the ORM.
_ROUTE_READ = 'SELECT "values", confidence, provenance FROM enrichment_profile WHERE lead_id = %s'


@dataclass(frozen=True)
class _RouteFields:
    values: dict
    confidence: dict
    provenance: dict


def decision_for(*, lead: Lead, gates=None) -> RouteDecision:
    """The router's decision on the lead's current profile, with the gates this lead's flags turn on."""
    with connection.cursor() as cursor:
        cursor.execute(_ROUTE_READ, [lead.pk])
        row = cursor.fetchone()
    profile = None if row is None else _RouteFields(*(db_json(v) or {} for v in row))
    if gates is None:
        gates = flags_for(lead.pk).gates
    return route(route_input(lead=lead, profile=profile), router_config_cached(gates_on=gates))
