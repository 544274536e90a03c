"""The human gate and the SLM's side: a manager approves, modifies or dismisses a recommendation for their
own reps; the SLM resolves an escalation; a manager asks the SLM to step in (on-demand row).

Approval never touches the persistence clock — week 3 escalates whatever the manager decided."""

from __future__ import annotations

import hashlib

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Employee

from ..models import CoachingEscalation, RepCoachingLog
from .notify import notify


class NotAllowed(PermissionError):
    pass


def decider_id(rep) -> int | None:
    """Who approves a rep's recommendations: their manager; for a rep without one, their SLM (else nothing
    could ever reach that rep)."""
    return rep.manager_id or rep.slm_id


def _decide(log: RepCoachingLog, by: Employee, verb: str, **kwargs) -> RepCoachingLog:
    if decider_id(log.rep) != by.pk:
        raise NotAllowed("Only the rep's own manager (or, without one, their SLM) decides on their recommendations.")
    getattr(log, verb)(by=by, at=clock.now(), **kwargs)
    log.save()  # ConcurrentTransitionMixin: a stale second decision fails instead of overwriting the first
    event_record(
        type=f"coaching.recommendation_{log.approval_status}",
        subject=log,
        actor=by.user,
        payload={"rep": log.rep.name, "pattern": log.pattern_key, "by": by.name, "note": log.manager_note},
    )
    return log


@transaction.atomic
def recommendation_approve(*, log: RepCoachingLog, by: Employee) -> RepCoachingLog:
    """Approved: the rep sees it in the next monthly digest."""
    return _decide(log, by, "approve")


@transaction.atomic
def recommendation_modify(*, log: RepCoachingLog, by: Employee, action: str, note: str = "") -> RepCoachingLog:
    if not action.strip():
        raise ValueError("action: write the recommendation the rep should see")
    return _decide(log, by, "modify", action=action.strip(), note=note.strip())


@transaction.atomic
def recommendation_dismiss(*, log: RepCoachingLog, by: Employee, note: str) -> RepCoachingLog:
    if not note.strip():
        raise ValueError("note: say why it is dismissed")
    return _decide(log, by, "dismiss", note=note.strip())


@transaction.atomic
def escalation_resolve(*, log: RepCoachingLog, by: Employee, improvement_detected: bool, note: str) -> RepCoachingLog:
    """Post-escalation the SLM owns resolution: the pattern closes with its resolution date."""
    if log.rep.slm_id != by.pk:
        raise NotAllowed("Only the rep's SLM resolves an escalated pattern.")
    if not note.strip():
        raise ValueError("note: say how it was resolved")
    updated = RepCoachingLog.objects.filter(pk=log.pk, resolution_date__isnull=True).update(
        resolution_date=clock.today(), resolved_by=by, improvement_detected=improvement_detected
    )
    if updated:
        CoachingEscalation.objects.filter(coaching_log=log, resolved_at__isnull=True).update(resolved_at=clock.now())
        event_record(
            type="coaching.escalation_resolved",
            subject=log,
            actor=by.user,
            payload={
                "rep": log.rep.name,
                "pattern": log.pattern_key,
                "improvement": improvement_detected,
                "note": note.strip(),
            },
        )
    log.refresh_from_db()
    return log


@transaction.atomic
def escalation_request(*, rep: Employee, by: Employee, note: str) -> CoachingEscalation:
    """Manager on-demand escalation to the SLM with a context note; always available. A double submit of
    the same note on the same day makes one request."""
    if rep.manager_id != by.pk:
        raise NotAllowed("Only the rep's manager can escalate them on demand.")
    if not note.strip():
        raise ValueError("note: give the SLM the context")
    day = clock.today()
    key = f"on_demand:{rep.pk}:{by.pk}:{day}:{hashlib.sha1(note.strip().encode()).hexdigest()[:16]}"
    esc, created = CoachingEscalation.objects.get_or_create(
        dedupe_key=key,
        defaults=dict(
            rep=rep,
            kind=CoachingEscalation.Kind.ON_DEMAND,
            to_slm=True,
            fired_on=day,
            requested_by=by,
            summary=f"{by.name} asks for SLM help with {rep.name}.",
            context_note=note.strip(),
        ),
    )
    if created:
        notify(
            [
                (
                    rep.slm_id,
                    "coaching_on_demand",
                    f"Escalation request: {rep.name}",
                    f"{by.name}: {note.strip()}",
                    "/coaching/escalations/",
                    f"coaching:{key}",
                )
            ]
        )
        event_record(
            type="coaching.escalation_requested", subject=esc, actor=by.user, payload={"rep": rep.name, "by": by.name}
        )
    return esc
