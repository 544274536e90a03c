"""The prospect flow (seed 002): every OnboardingSession transition goes through a service here.

``_fire`` is the one way a transition happens: in one transaction it re-reads the session, checks the
transition (and its guard) against the context the service computed, writes the transition's catalog event
with its idempotency key (lead, stage, event …) and saves under the version lock. Replays are quiet: if the
transition's event already exists, the session is returned as it is. A concurrent writer loses with
``ConcurrentTransition`` unless it was doing the very same thing, which is then a replay too. ``_fire_system``
is the same, written in one statement, for the system's transitions on a session read moments before in the
same transaction: the run's settle (S2 → S3 / FALLBACK_FORM) and the email submit (S1 → S2).
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django_fsm import ConcurrentTransition, can_proceed

from enrichment import catalog
from enrichment.enums import TERMINAL_RUN_STATUSES, EnrichmentStatus, LeadSource, RunMode
from enrichment.flags import flags_for, switch_on
from enrichment.models import EnrichmentRun, Lead, Profile, Pursuit
from enrichment.services.leads import lead_capture, lead_set_email
from enrichment.services.profile import CORRECTED, decision_for, profile_refresh, signals_record_user
from enrichment.services.runs import run_start, run_watch_arrival
from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock
from routing.enums import OrgType, Persona, Track, Warmth
from routing.enums import ProfileField as F
from routing.models import RouterSettings
from routing.types import RouteDecision as Decision

from ..models import Deal, FallbackAnswers, OnboardingSession, RouteDecision, SessionSettings, TeamInvite
from ..models.session import KILL_SWITCH_STATES
from ..models.session import SessionState as S
from .system_transition import session_fields, session_move_write


class SessionError(Exception):
    pass


FALLBACK_COMPLETED = "onboarding.fallback_completed"


# --- the one way a transition happens ----------------------------------------------------------------------


def _fire(
    session: OnboardingSession,
    action: str,
    event: str,
    *,
    stage: str,
    key_parts=(),
    payload=None,
    context: dict | None = None,
    actor=None,
    actor_type: str = "system",
    **kwargs,
) -> OnboardingSession:
    key = catalog.key(session.lead_id, stage, event, *key_parts)
    try:
        with transaction.atomic():
            fresh = OnboardingSession.objects.get(pk=session.pk)
            fresh.context = dict(context or {})
            method = getattr(fresh, action)
            if not can_proceed(method):
                if Event.objects.filter(idempotency_key=key).exists():
                    return fresh  # a replay: this transition was made already
                raise SessionError(f"cannot {action.replace('_', ' ')} from {fresh.state}")
            before = fresh.state
            method(**kwargs)
            recorded = event_record(
                type=event,
                subject=fresh,
                actor=actor,
                actor_type=actor_type,
                idempotency_key=key,
                payload={
                    "lead_id": str(fresh.lead_id),
                    "session_id": str(fresh.pk),
                    "from": before,
                    "to": fresh.state,
                    **(payload or {}),
                },
            )
            fresh.last_event, fresh.last_event_at = recorded, clock.now()
            fresh.save()
            return fresh
    except ConcurrentTransition:
        if Event.objects.filter(idempotency_key=key).exists():
            return OnboardingSession.objects.get(pk=session.pk)  # the other writer did exactly this
        raise


def _fire_system(
    session: OnboardingSession,
    action: str,
    event: str,
    *,
    stage: str,
    key_parts=(),
    payload=None,
    context: dict | None = None,
    **kwargs,
) -> OnboardingSession:
    """``_fire`` for a system transition on a session the caller read in this very transaction (the run's
    settle under the run's lock, the submit under the lead's): no re-read, and the write is one statement
    (system_transition.py). The same outcomes: the FSM method decides, a replay is quiet, a concurrent change
    is ``ConcurrentTransition``. The caller's instance is left as read; the moved copy is returned."""
    key = catalog.key(session.lead_id, stage, event, *key_parts)
    moved = copy.copy(session)
    moved.context = dict(context or {})
    method = getattr(moved, action)
    allowed = can_proceed(method)
    if allowed:
        loaded = session_fields(moved)
        method(**kwargs)
        payload = {
            "lead_id": str(moved.lead_id),
            "session_id": str(moved.pk),
            "from": loaded["state"],
            "to": moved.state,
            **(payload or {}),
        }
        if session_move_write(moved=moved, loaded=loaded, event=event, key=key, payload=payload):
            return moved
    if Event.objects.filter(idempotency_key=key).exists():
        return OnboardingSession.objects.get(pk=session.pk)  # a replay, or the other writer did exactly this
    if allowed:
        raise ConcurrentTransition("the session changed since it was read (version lock)")
    raise SessionError(f"cannot {action.replace('_', ' ')} from {session.state}")


def _caused(
    session: OnboardingSession, action: str, *, cause: Event | None, context=None, **kwargs
) -> OnboardingSession:
    """A transition caused by another subsystem's catalog event (enrichment.*): that event is written once,
    by enrichment; the session records the state change as ``session.transition`` pointing at it. The system
    makes it, on a session read under the run's lock moments ago: ``_fire_system``."""
    cause_type = cause.type if cause is not None else "kill_switch"
    return _fire_system(
        session,
        action,
        "session.transition",
        stage=session.state,
        key_parts=(cause_type,),
        context=context,
        payload={"cause": cause_type, "cause_event_id": cause.pk if cause else None},
        **kwargs,
    )


def _fall_back(session: OnboardingSession, reason: str) -> OnboardingSession:
    """The classic 6-step form: swarm flags off, or the kill switch. What the Profile knows at ≥ θ is stored
    as the form's answers, so the steps it skips (never re-ask what is known) are answered, not missing."""
    with transaction.atomic():
        session = _fire(
            session,
            "fall_back",
            catalog.SESSION_FALLBACK,
            stage=session.state,
            payload={"reason": reason},
            reason=reason,
        )
        if session.state == S.FALLBACK_FORM:
            fallback_answers_from_profile(session=session)
    return session


def fallback_answers_from_profile(*, session: OnboardingSession) -> FallbackAnswers:
    """Seed the classic form's answers from the Profile's fields held at ≥ θ (prospect-stated ones included);
    an answer the prospect already gave on the form is kept."""
    answers, _ = FallbackAnswers.objects.get_or_create(session=session)
    profile = Profile.objects.filter(lead_id=session.lead_id).first()
    if profile is None:
        return answers
    theta = float(RouterSettings.load().theta)
    known = {f for f, c in (profile.confidence or {}).items() if c >= theta}
    if (
        not answers.org_type
        and F.ORG_TYPE in known
        and profile.org_type in (OrgType.CONTRACTOR, OrgType.SUB_CONTRACTOR)
    ):
        answers.org_type = profile.org_type
    if not answers.service_area and F.SERVICE_AREA in known:
        answers.service_area = list(profile.service_area)
    if not answers.trades and F.TRADE in known and profile.trade:
        answers.trades = [profile.trade]
    if not answers.sectors and F.SECTORS in known:
        answers.sectors = list(profile.sectors)
    answers.updated_at = clock.now()
    answers.save()
    return answers


def _finished_classic_form(session: OnboardingSession) -> bool:
    """A session that walked the classic form to activation already runs without the swarm: not dropped again."""
    return (
        session.state in (S.S8_ACTIVATE, S.S9_TRIAL)
        and Event.objects.filter(
            idempotency_key=catalog.key(session.lead_id, "FALLBACK_FORM", FALLBACK_COMPLETED)
        ).exists()
    )


def session_kill_switch_check(*, session: OnboardingSession) -> OnboardingSession:
    """On every prospect request: with the kill switch off, an open self-serve session (S0–S9) drops to the
    classic form now, not at the next minute sweep."""
    if session.state not in KILL_SWITCH_STATES or switch_on() or _finished_classic_form(session):
        return session
    try:
        return _fall_back(session, "kill_switch")
    except (ConcurrentTransition, SessionError):
        return OnboardingSession.objects.select_related("lead").get(pk=session.pk)  # it moved meanwhile


def _why_not_swarm(flags) -> str:
    return "kill_switch" if not flags.switch_on else "flags_off"


# --- entry (S0, S1) -----------------------------------------------------------------------------------------


def session_start(
    *,
    source: str,
    idempotency_key: str,
    warmth: str = Warmth.COLD,
    email: str | None = None,
    name: str = "",
    title: str = "",
    consent_inbox: bool = False,
) -> OnboardingSession:
    """Entry. Cold: lead.captured, S0 → S1 (ask the email). Warm (a personalized link was issued): the Lead
    is captured and the six agents prefetch (async_prefetch) before the visitor arrives; the session waits
    in S0 for lead.identified. With the swarm off: the classic form."""
    with transaction.atomic():
        lead, created = lead_capture(
            source=source,
            idempotency_key=idempotency_key,
            warmth=warmth,
            email=email,
            name=name,
            title=title,
            consent_inbox=consent_inbox,
        )
        session, _ = OnboardingSession.objects.get_or_create(lead=lead, defaults={"warmth": lead.warmth})
        if not created:
            return session
        flags = flags_for(lead.pk)
        if warmth == Warmth.COLD:
            session = _fire(
                session, "capture", catalog.LEAD_CAPTURED, stage="S0", payload={"source": source, "warmth": warmth}
            )
            if not flags.swarm_usable:
                session = _fall_back(session, _why_not_swarm(flags))
        elif flags.swarm_usable:
            run_start(lead=lead, mode=RunMode.ASYNC_PREFETCH, flags=flags)
        else:
            session = _fall_back(session, _why_not_swarm(flags))
    return session


def session_submit_email(*, session: OnboardingSession, email: str) -> OnboardingSession:
    """email.submitted: S1 → S2 and the swarm fans out (sync_critical). A double submit is one run."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=session.lead_id)
        lead_set_email(lead=lead, email=email)
        flags = flags_for(lead.pk)
        current = OnboardingSession.objects.get(pk=session.pk)
        if not flags.swarm_usable and current.state == S.S1_AWAIT_EMAIL:
            return _fall_back(current, _why_not_swarm(flags))
        # ``current`` was read under the lead's lock in this transaction: no re-read (a burst of sign-ups
        # spends its web time here).
        session = _fire_system(current, "submit_email", catalog.EMAIL_SUBMITTED, stage="S1")
        run_start(lead=lead, mode=RunMode.SYNC_CRITICAL, flags=flags)
    return session


def session_identify(*, session: OnboardingSession) -> OnboardingSession:
    """lead.identified: the warm visitor arrived on the personalized link. S0 → S2; if the prefetch already
    settled, straight on to S3 (and past it when the role is known). The run's lock serialises this with
    the run settling, so neither can miss the other."""
    with transaction.atomic():
        run = EnrichmentRun.objects.select_for_update().filter(lead_id=session.lead_id).first()
        current = OnboardingSession.objects.get(pk=session.pk)
        if current.state == S.S0_ENTRY and (run is None or not switch_on()):
            return _fall_back(current, "kill_switch" if not switch_on() else "flags_off")
        session = _fire(current, "identify", catalog.LEAD_IDENTIFIED, stage="S0")
        if run is not None and session.state == S.S2_ENRICHING:
            if run.status in TERMINAL_RUN_STATUSES:
                session = advance_from_enriching(session=session, run=run)
            else:
                run_watch_arrival(run=run)
    return session


# --- S2 → S3 / FALLBACK (the run settled) ----------------------------------------------------------------------


def _settle_event(run: EnrichmentRun) -> Event | None:
    return Event.objects.filter(idempotency_key=catalog.key(run.lead_id, "S2", "enrichment.settled")).first()


def advance_from_enriching(
    *,
    session: OnboardingSession,
    run: EnrichmentRun,
    reason: str = "",
    decision: Decision | None = None,
    cause: Event | None = None,
) -> OnboardingSession:
    """enrichment.complete / .partial → S3 (ask only the low fields); enrichment.failed → FALLBACK_FORM.
    Warm leads whose role is known at ≥ θ pass S3 by a system transition and are routed at once."""
    cause = cause or _settle_event(run)
    if run.status == EnrichmentStatus.FAILED or not switch_on():
        session = _caused(
            session,
            "enrichment_fail",
            cause=cause,
            reason=reason or ("kill_switch" if not switch_on() else "enrichment_failed"),
        )
        if session.state == S.FALLBACK_FORM:
            fallback_answers_from_profile(session=session)
        return session
    decision = decision or decision_for(lead=session.lead)
    action = "enrichment_complete" if not decision.asks else "enrichment_partial"
    session = _caused(session, action, cause=cause, context={"decision": decision})
    if decision.skip_confirm:
        session = _fire(
            session,
            "confirm",
            catalog.CONFIRMED,
            stage="S3",
            context={"decision": decision, "role_known": True},
            payload={"answered": [], "system": True},
        )
        session = _route(session, decision)
    return session


def on_run_settled(sender, run, status, reason="", decision=None, event=None, **kwargs):
    """Receiver (inside the run's locked transaction): move the session waiting in S2, exactly once."""
    session = OnboardingSession.objects.filter(lead_id=run.lead_id).first()
    if session is not None and session.state == S.S2_ENRICHING:
        # The run's lead, read with the run under its lock moments ago (the settle's select_related): the same
        # row, so no second join for it on every lead's settle.
        session.lead = run.lead
        advance_from_enriching(session=session, run=run, reason=reason, decision=decision, cause=event)


# --- S3 confirm, S4 route ----------------------------------------------------------------------------------


def _normalize_answers(answers: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in (answers or {}).items():
        if name not in F.values or value in (None, "", []):
            continue
        values[name] = value
    role = values.get(F.ROLE) or values.get(F.PERSONA)
    if role in Persona.values:  # the role question offers the four personas
        values[F.PERSONA], values[F.ROLE] = role, str(Persona(role).label)
    return values


def session_confirm(
    *,
    session: OnboardingSession,
    answers: dict[str, Any] | None = None,
    corrections: dict[str, Any] | None = None,
    actor=None,
) -> OnboardingSession:
    """S3 → S4 → route. One tap confirms the chips (onboarding.confirmed); if the role was unknown the
    answer to the role question is onboarding.role_captured. Every field the confirm asked must be answered
    (a homeowner is asked nothing more: the B2B questions do not apply). What the prospect states becomes a
    signal with provenance ``user`` (confidence 1); a chip they changed is a correction (same, and the gateTrace
    says "corrected by the prospect"). The router re-runs on the result: if a correction opens a question the
    confirm did not ask (a subcontractor's trade), the session stays in S3 and the page asks it."""
    with transaction.atomic():
        current = OnboardingSession.objects.select_related("lead").get(pk=session.pk)
        if current.state != S.S3_CONFIRM:
            for event in (catalog.CONFIRMED, catalog.ROLE_CAPTURED):
                if Event.objects.filter(idempotency_key=catalog.key(current.lead_id, "S3", event)).exists():
                    return current  # a double tap
            raise SessionError(f"cannot confirm from {current.state}")
        lead = current.lead
        before = decision_for(lead=lead)
        values = _normalize_answers(answers or {})
        fixes = _corrections(before, _normalize_answers(corrections or {}))
        homeowner = (values.get(F.ORG_TYPE) or fixes.get(F.ORG_TYPE)) == OrgType.CONSUMER
        missing = [f for f in before.asks if f not in values and f not in fixes]
        if missing and not homeowner:
            raise SessionError("answer: " + ", ".join(missing))
        role_answered = before.persona is None and F.PERSONA in values
        if values or fixes:
            run = EnrichmentRun.objects.select_for_update().get(lead=lead)
            if values:
                signals_record_user(run=run, values=values)
            if fixes:
                signals_record_user(run=run, values=fixes, evidence=CORRECTED)
            profile_refresh(lead=lead, theta=float(RouterSettings.load().theta))
        after = decision_for(lead=lead)
        if fixes:
            event_record(
                type=catalog.PROFILE_CORRECTED,
                subject=current,
                actor=actor,
                actor_type="user",
                idempotency_key=catalog.key(lead.pk, "S3", catalog.PROFILE_CORRECTED, _fingerprint_values(fixes)),
                payload={
                    "lead_id": str(lead.pk),
                    "session_id": str(current.pk),
                    "fields": sorted(fixes),
                    "asks_now": list(after.asks),
                },
            )
        # A field with its gate off is asked every time (today's form) and never becomes "known": only a question
        # the confirm did not ask and the prospect did not answer keeps them here.
        opened = [f for f in after.asks if f not in before.asks and f not in values]
        if opened and not after.disqualified:
            return current  # the correction changed what the router needs: ask it (nothing is transitioned)
        action, event = ("capture_role", catalog.ROLE_CAPTURED) if role_answered else ("confirm", catalog.CONFIRMED)
        current = _fire(
            current,
            action,
            event,
            stage="S3",
            context={
                "decision": after,
                "role_answered": role_answered,
                "role_known": before.persona is not None or after.persona is not None,
            },
            actor=actor,
            actor_type="user",
            payload={"answered": sorted(values), "corrected": sorted(fixes)},
        )
        return _route(current, after)


# A size the prospect states replaces the estimates it was read from: revenue and ACV would otherwise still
# decide the band at G3 ("ACV wins ties") and the correction would change nothing.
SIZE_EVIDENCE = (F.REVENUE, F.ACV)


def _corrections(decision: Decision, stated: dict[str, Any]) -> dict[str, Any]:
    """The chips the prospect changed: a value that differs from what the router asserted."""
    fixes = {}
    for name, value in stated.items():
        if name == F.ROLE:
            continue  # the title follows the persona (below); "Owner" and "Owner / executive" are one role
        shown = decision.size_band if name == F.SIZE_BAND and decision.size_band else decision.asserted.get(name)
        if shown in (None, "", []):
            continue
        if (sorted(map(str, value)) if isinstance(value, list) else str(value)) != (
            sorted(map(str, shown)) if isinstance(shown, (list, tuple)) else str(shown)
        ):
            fixes[name] = value
    if F.PERSONA in fixes and F.ROLE in stated:
        fixes[F.ROLE] = stated[F.ROLE]
    if F.SIZE_BAND in fixes:
        fixes.update({name: "" for name in SIZE_EVIDENCE})  # "" reads as unknown (JSON null would be SQL NULL)
    return fixes


def _fingerprint_values(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _fingerprint(decision: Decision) -> str:
    return hashlib.sha256(json.dumps(decision.as_dict(), sort_keys=True, default=str).encode()).hexdigest()


def _persist(session: OnboardingSession, decision: Decision) -> tuple[RouteDecision, bool]:
    fingerprint = _fingerprint(decision)
    latest = RouteDecision.objects.filter(session=session).order_by("-decided_at", "-pk").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return latest, False
    data = decision.as_dict()
    row = RouteDecision.objects.create(
        session=session,
        track=decision.track or "",
        persona=decision.persona or "",
        primary_surface=decision.primary_surface or "",
        close_motion=decision.close_motion or "",
        next_question=decision.next_question,
        size_band=decision.size_band or "",
        trade=decision.trade or "",
        disqualified=decision.disqualified,
        asks=list(decision.asks),
        gate_trace=data["gate_trace"],
        decision=data,
        fingerprint=fingerprint,
        decided_at=clock.now(),
    )
    # The session's pointer follows the newest decision; an older one committing later does not take it back.
    OnboardingSession.objects.filter(pk=session.pk).filter(
        Q(route__isnull=True) | Q(route__decided_at__lte=row.decided_at)
    ).update(route=row)
    session.route = row
    return row, True


def _route_payload(decision: Decision, row: RouteDecision, **extra) -> dict:
    # No company name or other profile values: the track, the why (gateTrace) and which fields were asked.
    return {
        "route_decision_id": str(row.pk),
        "track": decision.track,
        "persona": decision.persona,
        "surface": decision.primary_surface,
        "close_motion": decision.close_motion,
        "size_band": decision.size_band,
        "trade": decision.trade,
        "asks": list(decision.asks),
        "disqualified": decision.disqualified,
        "gate_trace": row.gate_trace,
        **extra,
    }


def _route(session: OnboardingSession, decision: Decision) -> OnboardingSession:
    """route.decided: S4 → S5 (self_serve) | W5 (wg_*) | DISQUALIFIED (consumer)."""
    if session.state != S.S4_ROUTED:
        return session
    row, _ = _persist(session, decision)
    action = (
        "disqualify"
        if decision.disqualified
        else "route_self_serve"
        if decision.track == Track.SELF_SERVE
        else "route_white_glove"
    )
    session = _fire(
        session,
        action,
        catalog.ROUTE_DECIDED,
        stage="S4",
        context={"decision": decision},
        payload=_route_payload(decision, row),
    )
    if session.state == S.W5_BATTLEPACK:
        _deal_open(session)
    return session


def route_recompute(*, session: OnboardingSession) -> RouteDecision | None:
    """A profile field crossed θ after routing (an async agent, a retry): recompute; a changed decision is
    stored and announced (route.decided, recomputed). The state does not move: a track change after
    routing goes through the expansion hand-off, not here."""
    decision = decision_for(lead=session.lead)
    row, created = _persist(session, decision)
    if created:
        event_record(
            type=catalog.ROUTE_DECIDED,
            subject=session,
            idempotency_key=catalog.key(session.lead_id, "S4", catalog.ROUTE_DECIDED, row.fingerprint[:16]),
            payload={
                "lead_id": str(session.lead_id),
                "session_id": str(session.pk),
                **_route_payload(decision, row, recomputed=True),
            },
        )
    return row if created else None


ROUTED = (
    S.S5_VALUE,
    S.S6_NEXT_Q,
    S.S7_VALUE_PROOF,
    S.S8_ACTIVATE,
    S.S9_TRIAL,
    S.W5_BATTLEPACK,
    S.W6_OUTREACH,
    S.W7_DISCOVERY,
    S.W8_DEMO,
    S.W9_SEAT,
)


def on_profile_changed(sender, lead, fields, **kwargs) -> OnboardingSession | None:
    """Receiver: the profile changed (a field crossed θ, or a value moved) — a routed session gets its
    decision recomputed. Returns that session (None: not routed yet), so the white-glove research that follows
    (onboarding.apps) knows its state without reading it again."""
    session = OnboardingSession.objects.filter(lead=lead, state__in=ROUTED).select_related("lead").first()
    if session is not None:
        route_recompute(session=session)
    return session


# --- self-serve tail -------------------------------------------------------------------------------------------


def session_reveal_value(*, session: OnboardingSession, actor=None) -> OnboardingSession:
    """value.revealed: S5 → S6."""
    return _fire(session, "reveal_value", catalog.VALUE_REVEALED, stage="S5", actor=actor, actor_type="user")


def session_ask_next_question(
    *, session: OnboardingSession, actor=None, payload: dict | None = None
) -> OnboardingSession:
    """next_question.asked: S6 → S7 (``payload``: ids of what the prospect chose, e.g. the pursuit to scope)."""
    return _fire(
        session,
        "ask_next_question",
        catalog.NEXT_QUESTION_ASKED,
        stage="S6",
        actor=actor,
        actor_type="user",
        payload=payload,
    )


def session_complete_takeoff(*, session: OnboardingSession, takeoff_id: str = "", actor=None) -> OnboardingSession:
    """takeoff.completed: S7 → S8 — the value moment."""
    return _fire(
        session,
        "complete_takeoff",
        catalog.TAKEOFF_COMPLETED,
        stage="S7",
        actor=actor,
        actor_type="user",
        payload={"takeoff_id": takeoff_id},
    )


def session_activate(*, session: OnboardingSession, user=None, org=None) -> OnboardingSession:
    """account.activated (+ trial.started): S8 → S9. The Lead became an Org + User (built by the caller);
    pursuits found before signup move to the Org; the lead is converted (its data is the customer's now)."""
    trial_days = SessionSettings.load().trial_days
    with transaction.atomic():
        session = _fire(
            session,
            "activate",
            catalog.ACCOUNT_ACTIVATED,
            stage="S8",
            trial_days=trial_days,
            payload={"org_id": getattr(org, "pk", None)},
        )
        updates = {"converted_at": clock.now()}
        Lead.objects.filter(pk=session.lead_id, converted_at__isnull=True).update(**updates)
        if org is not None or user is not None:
            OnboardingSession.objects.filter(pk=session.pk).update(org=org, user=user)
            session.org, session.user = org, user
        if org is not None:
            Pursuit.objects.filter(lead_id=session.lead_id, org__isnull=True).update(org=org)
        event_record(
            type=catalog.TRIAL_STARTED,
            subject=session,
            idempotency_key=catalog.key(session.lead_id, "S8", catalog.TRIAL_STARTED),
            payload={
                "lead_id": str(session.lead_id),
                "session_id": str(session.pk),
                "trial_ends_on": session.trial_ends_on.isoformat() if session.trial_ends_on else None,
            },
        )
    return session


def session_capture_card(*, session: OnboardingSession, actor=None) -> OnboardingSession:
    """card.captured: S9 → S10, only after the value moment."""
    return _fire(session, "capture_card", catalog.CARD_CAPTURED, stage="S9", actor=actor, actor_type="user")


def session_detect_expansion(*, session: OnboardingSession, seats: int, acv: Decimal) -> OnboardingSession:
    """expansion.detected (seats / ACV cross RevOps' threshold): a self-serve account S5..S9 is handed to
    white-glove (W5) — session.handed_off goes to the sales queue."""
    limits = SessionSettings.load()
    with transaction.atomic():
        before = OnboardingSession.objects.get(pk=session.pk).state
        reason = (
            f"{seats} seats, ACV ${Decimal(acv):,.0f} (thresholds {limits.expansion_seats} seats / "
            f"${limits.expansion_acv:,.0f})"
        )
        # The white-glove track by the router's ACV bands: mid below the large edge, enterprise at or above.
        track = Track.WG_ENTERPRISE if Decimal(acv) >= RouterSettings.load().acv_mid_max else Track.WG_MID
        session = _fire(
            session,
            "hand_off",
            catalog.EXPANSION_DETECTED,
            stage=before,
            context={"seats": seats, "acv": Decimal(acv), "limits": limits, "track": track},
            reason=reason,
            payload={"seats": seats, "acv": str(acv), "track": track},
        )
        event_record(
            type=catalog.SESSION_HANDED_OFF,
            subject=session,
            idempotency_key=catalog.key(session.lead_id, before, catalog.SESSION_HANDED_OFF),
            payload={"lead_id": str(session.lead_id), "session_id": str(session.pk), "reason": reason},
        )
        _deal_open(session)
    return session


# --- white-glove tail ------------------------------------------------------------------------------------------


def _deal_open(session: OnboardingSession) -> Deal:
    """Entering W5: the white-glove track takes over (AE/SDR, CRM opportunity, battle pack)."""
    from ..whiteglove.battlepack import whiteglove_enter

    return whiteglove_enter(session=session)


def deal_review(*, deal: Deal, by) -> Deal:
    """The AE reviewed the battle pack and the drafted outreach (nothing goes out before this)."""
    Deal.objects.filter(pk=deal.pk, ae_reviewed_at__isnull=True).update(ae_reviewed_at=clock.now())
    deal.refresh_from_db()
    return deal


def _wg(session, action, event, stage, *, actor=None, **kwargs):
    deal = Deal.objects.filter(session=session).first()
    return _fire(
        session,
        action,
        event,
        stage=stage,
        context={"deal": deal},
        actor=actor,
        actor_type="ae" if actor is not None else "system",
        **kwargs,
    )


def session_send_outreach(*, session, actor=None):
    """outreach.sent (after AE review): W5 → W6."""
    return _wg(session, "send_outreach", catalog.OUTREACH_SENT, "W5", actor=actor)


def session_book_meeting(*, session, actor=None):
    """meeting.booked: W6 → W7."""
    return _wg(session, "book_meeting", catalog.MEETING_BOOKED, "W6", actor=actor)


def session_qualify(*, session, actor=None):
    """meddpicc.qualified (champion + EB confirmed): W7 → W8."""
    return _wg(session, "qualify", catalog.MEDDPICC_QUALIFIED, "W7", actor=actor)


def session_deliver_demo(*, session, actor=None):
    """demo.delivered: W8 → W9."""
    return _wg(session, "deliver_demo", catalog.DEMO_DELIVERED, "W8", actor=actor)


def session_close_won(*, session, actor=None):
    """deal.closed_won (contract signed): W9 → W10."""
    return _wg(session, "close_won", catalog.DEAL_CLOSED_WON, "W9", actor=actor)


def session_close_lost(*, session, reason: str, actor=None):
    """deal.closed_lost (with a reason): any open W state → LOST."""
    if not reason.strip():
        raise SessionError("reason: say why the deal was lost")
    stage = OnboardingSession.objects.get(pk=session.pk).state
    return _wg(
        session,
        "close_lost",
        catalog.DEAL_CLOSED_LOST,
        stage,
        actor=actor,
        reason=reason,
        payload={"reason": reason[:200]},
    )


def deal_battlepack_ready(*, deal: Deal) -> Deal:
    """deal.battlepack_ready: the agents finished the dossier, outreach draft and MEDDPICC seed (W5)."""
    if Deal.objects.filter(pk=deal.pk, battlepack_ready_at__isnull=True).update(battlepack_ready_at=clock.now()):
        event_record(
            type=catalog.BATTLEPACK_READY,
            subject=deal.session,
            actor_type="agent",
            idempotency_key=catalog.key(deal.session.lead_id, "W5", catalog.BATTLEPACK_READY),
            payload={"lead_id": str(deal.session.lead_id), "deal_id": str(deal.pk)},
        )
    deal.refresh_from_db()
    return deal


# --- fallback, invites, sweeps ---------------------------------------------------------------------------------


def session_complete_fallback_form(*, session, actor=None) -> OnboardingSession:
    """Manual steps done: today's 6-step flow → S8 activate."""
    return _fire(
        session, "complete_fallback_form", FALLBACK_COMPLETED, stage="FALLBACK_FORM", actor=actor, actor_type="user"
    )


def team_invite(*, session: OnboardingSession, email: str, role: str, actor=None) -> TeamInvite:
    """team.invited: the invitee's role (never a hard-coded "member"), surface from the role (field → Field
    Ops), and a warm Lead of their own whose prefetch starts now."""
    if role not in Persona.values:
        raise SessionError("role: choose estimator, owner_exec, pm or field")
    email = email.strip().lower()
    with transaction.atomic():
        invite, created = TeamInvite.objects.get_or_create(
            session=session, email=email, defaults={"role": role, "surface": TeamInvite.surface_for(role)}
        )
        if not created:
            return invite
        invitee = session_start(
            source=LeadSource.PLG_INVITE,
            warmth=Warmth.WARMEST,
            email=email,
            title=str(Persona(role).label),
            idempotency_key=f"invite:{session.pk}:{email}",
        )
        TeamInvite.objects.filter(pk=invite.pk).update(invitee_lead=invitee.lead)
        invite.invitee_lead = invitee.lead
        run = EnrichmentRun.objects.filter(lead=invitee.lead).first()
        if run is not None:
            # The inviter's word on the role: stated by a person, so above θ, but not the invitee's own.
            signals_record_user(run=run, values={F.PERSONA: role}, confidence=0.95)
            profile_refresh(lead=invitee.lead, theta=float(RouterSettings.load().theta))
        event_record(
            type=catalog.TEAM_INVITED,
            subject=session,
            actor=actor,
            idempotency_key=catalog.key(session.lead_id, session.state, catalog.TEAM_INVITED, invite.pk),
            payload={
                "lead_id": str(session.lead_id),
                "session_id": str(session.pk),
                "invite_id": str(invite.pk),
                "role": role,
                "surface": invite.surface,
                "invitee_lead_id": str(invitee.lead_id),
            },
        )
    return invite


def on_lead_deleted(sender, instance, **kwargs):
    """pre_delete of a Lead: the invite that named this person keeps its row (the inviter's) but not the address."""
    TeamInvite.objects.filter(invitee_lead=instance).update(email="")


def sessions_timeout_sweep(*, now: datetime | None = None) -> int:
    """session.timeout: active sessions with no event for longer than the TTL → ABANDONED (re-engage queue)."""
    now = now or clock.now()
    cutoff = now - timedelta(days=SessionSettings.load().session_ttl_days)
    done = 0
    ids = list(OnboardingSession.objects.active().filter(last_event_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    for session_id in ids:
        with transaction.atomic():
            session = (
                OnboardingSession.objects.select_for_update(skip_locked=True)
                .filter(pk=session_id, last_event_at__lt=cutoff)
                .first()
            )
            if session is None or session.is_terminal:
                continue
            _fire(
                session,
                "time_out",
                catalog.SESSION_ABANDONED,
                stage=session.state,
                key_parts=(session.last_event_at.isoformat(),),
                context={"idle_cutoff": cutoff},
                payload={"idle_since": session.last_event_at.isoformat()},
            )
            done += 1
    return done


def sessions_kill_switch_sweep() -> int:
    """Kill switch off: every open self-serve session drops to FALLBACK_FORM (each page request does it at
    once; this catches the idle ones). Sessions in S2 fall back when their run is killed (enrichment.failed)."""
    if switch_on():
        return 0
    done = 0
    states = [s for s in KILL_SWITCH_STATES if s != S.S2_ENRICHING]
    for session in OnboardingSession.objects.filter(state__in=states)[:1000]:
        if _finished_classic_form(session):
            continue
        try:
            _fall_back(session, "kill_switch")
            done += 1
        except (ConcurrentTransition, SessionError):
            continue  # it moved meanwhile; the next sweep looks again
    return done
