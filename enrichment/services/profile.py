"""Signals in, the Profile projection out, and the router's view of it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from gtmos.core import clock
from routing.config import router_config_cached
from routing.enums import ProfileField as F
from routing.router import route
from routing.types import FieldValue, Profile as RouteProfile, RouteDecision

from ..enums import USER_SOURCE
from ..flags import flags_for
from ..models import EnrichmentRun, EnrichmentSignal, Lead, Profile
from ..providers.base import SignalOut

# Ties at equal confidence go to what the prospect said, then to the agent that owns the field.
OWNER = {F.IDENTITY: "domain_site", F.COMPANY: "domain_site", F.WEBSITE: "domain_site", F.HQ: "domain_site",
         F.SERVICE_AREA: "domain_site", F.ORG_TYPE: "classifier", F.TRADE: "classifier", F.SECTORS: "classifier",
         F.PROJECT_MIX: "classifier", F.SIZE_BAND: "size_estimator", F.REVENUE: "size_estimator",
         F.ACV: "size_estimator", F.ROLE: "role_resolver", F.PERSONA: "role_resolver"}
TEXT_FIELDS = {F.COMPANY: ("company", 200), F.WEBSITE: ("website", 300), F.HQ: ("hq", 200),
               F.IDENTITY: ("identity", 12), F.ORG_TYPE: ("org_type", 16), F.SIZE_BAND: ("size_band", 12),
               F.ROLE: ("role", 200), F.PERSONA: ("persona", 12), F.TRADE: ("trade", 40)}


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


def signals_write(*, run: EnrichmentRun, agent: str, signals: list[SignalOut], attempt: int) -> int:
    """Upsert one agent's signals on a run. The agent's latest attempt replaces its earlier values; fields it
    no longer reports are dropped. (run, field, agent) is unique, so a replay writes no duplicate."""
    now = clock.now()
    latest: dict[str, SignalOut] = {}
    for s in signals:
        if s.field in F.values:
            latest[s.field] = s  # one value per field per agent; the last one wins
    rows = [EnrichmentSignal(run=run, field=s.field, agent=agent, value=_jsonable(s.value),
                             confidence=_clamp(s.confidence), evidence=s.evidence[:300], attempt=attempt,
                             created_at=now, updated_at=now) for s in latest.values()]
    if rows:
        EnrichmentSignal.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["run", "field", "agent"],
            update_fields=["value", "confidence", "evidence", "attempt", "updated_at"])
    EnrichmentSignal.objects.filter(run=run, agent=agent).exclude(field__in=list(latest)).delete()
    return len(rows)


def signals_record_user(*, run: EnrichmentRun, values: dict[str, Any], confidence: float = 1.0) -> int:
    """What the prospect told us (confirm chips, the role question, an inviter's word) becomes a signal with
    provenance ``user``: it wins over any agent's guess and goes through the same projection."""
    now = clock.now()
    rows = [EnrichmentSignal(run=run, field=name, agent=USER_SOURCE, value=_jsonable(value),
                             confidence=_clamp(confidence), evidence="stated by the prospect", created_at=now,
                             updated_at=now) for name, value in values.items() if name in F.values]
    if rows:
        EnrichmentSignal.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["run", "field", "agent"],
            update_fields=["value", "confidence", "evidence", "updated_at"])
    return len(rows)


def _winner(candidates: list[EnrichmentSignal]) -> EnrichmentSignal:
    def rank(s: EnrichmentSignal):
        return (s.confidence, s.agent == USER_SOURCE, s.agent == OWNER.get(s.field), s.updated_at, s.agent)
    return max(candidates, key=rank)


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal(1))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and amount >= 0 and amount < Decimal(10) ** 15 else None


def profile_refresh(*, lead: Lead, theta: float) -> tuple[Profile, list[str], list[str]]:
    """Re-project the lead's signals; returns the profile, the fields that crossed θ upward now, and every
    field whose value or confidence changed."""
    by_field: dict[str, list[EnrichmentSignal]] = {}
    for signal in EnrichmentSignal.objects.filter(run__lead=lead):
        by_field.setdefault(signal.field, []).append(signal)
    profile, _ = Profile.objects.get_or_create(lead=lead)
    before = dict(profile.confidence or {})
    before_values = dict(profile.values or {})
    values, confidence, provenance = {}, {}, {}
    for name, candidates in by_field.items():
        best = _winner(candidates)
        values[name], confidence[name] = best.value, round(best.confidence, 3)
        provenance[name] = {"agent": best.agent, "signal": str(best.id)}
    for name, (attr, cap) in TEXT_FIELDS.items():
        value = values.get(name)
        setattr(profile, attr, str(value)[:cap] if isinstance(value, (str, int, float)) and value != "" else "")
    profile.revenue_est = _money(values.get(F.REVENUE))
    profile.acv_est = _money(values.get(F.ACV))
    profile.sectors = [str(v) for v in values.get(F.SECTORS) or [] if isinstance(v, (str, int))] \
        if isinstance(values.get(F.SECTORS), list) else []
    profile.service_area = [str(v) for v in values.get(F.SERVICE_AREA) or [] if isinstance(v, (str, int))] \
        if isinstance(values.get(F.SERVICE_AREA), list) else []
    profile.project_mix = values.get(F.PROJECT_MIX) if isinstance(values.get(F.PROJECT_MIX), dict) else {}
    profile.values, profile.confidence, profile.provenance = values, confidence, provenance
    profile.updated_at = clock.now()
    profile.save()
    crossed = sorted(n for n, c in confidence.items() if c >= theta > float(before.get(n, 0.0)))
    changed = sorted(n for n in set(confidence) | set(before)
                     if confidence.get(n) != before.get(n) or values.get(n) != before_values.get(n))
    return profile, crossed, changed


def route_input(*, lead: Lead, profile: Profile | None) -> RouteProfile:
    """The router's view: warmth, and per field the projected value with its confidence."""
    fields = {}
    if profile is not None:
        for name, value in (profile.values or {}).items():
            fields[name] = FieldValue(value, (profile.confidence or {}).get(name, 0.0),
                                      (profile.provenance or {}).get(name, {}).get("agent", ""))
    return RouteProfile(warmth=lead.warmth, fields=fields)


def decision_for(*, lead: Lead, gates=None) -> RouteDecision:
    """The router's decision on the lead's current profile, with the gates this lead's flags turn on."""
    profile = Profile.objects.filter(lead=lead).first()
    if gates is None:
        gates = flags_for(lead.pk).gates
    return route(route_input(lead=lead, profile=profile), router_config_cached(gates_on=gates))
