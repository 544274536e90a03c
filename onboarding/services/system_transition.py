"""The write of a system transition in one statement: the S2 → S3 / FALLBACK_FORM move the run's settle makes
(seed 002: enrichment.complete / .partial / .failed), inside the last sync agent's report, under the run's lock;
and email.submitted (S1 → S2), inside the prospect's submit, under the lead's.

``session._fire_system`` decides as ``_fire`` does (the FSM method: source state, guard, the fields its body
sets); this writes the result. One statement bumps the version under the optimistic lock (``WHERE state =
before AND version = loaded``) and — only if that row moved — inserts the transition's Event with its
idempotency key and points ``last_event`` at it. Through the ORM this was a re-read, the event's replay check,
two savepoints, the insert and a full-row save: ~9 statements and most of the settling report's CPU in a
50-lead burst (building the queries, not running them).

The Event id is drawn from its identity sequence first because a statement may not update the same row twice
(the session would otherwise need a second update for ``last_event``).
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from gtmos.audit.models import Event
from gtmos.core import clock

from ..models import OnboardingSession

# Written by the statement itself, never taken from the transition's body.
_BOOKKEEPING = {"version", "last_event_id", "last_event_at"}

_MOVE = """
WITH event_id AS (SELECT nextval(pg_get_serial_sequence('{event}', 'id')) AS id),
moved AS (
    UPDATE {session} s SET {sets}, version = s.version + 1, last_event_id = e.id, last_event_at = %(now)s
      FROM event_id e
     WHERE s.id = %(pk)s AND s.state = %(before)s AND s.version = %(version)s
    RETURNING e.id)
INSERT INTO {event} (id, type, actor_type, actor_id, actor_label, subject_type, subject_id, account_id, payload,
                     idempotency_key, occurred_at)
SELECT moved.id, %(type)s, %(actor_type)s, NULL, '', %(subject_type)s, %(subject_id)s, NULL, %(payload)s::jsonb,
       %(key)s, %(now)s FROM moved
RETURNING id
"""


def session_fields(session: OnboardingSession) -> dict:
    """The session's column values, to tell afterwards which ones a transition's body set."""
    return {f.attname: getattr(session, f.attname) for f in session._meta.concrete_fields}


def session_move_write(*, moved: OnboardingSession, loaded: dict, event: str, key: str, payload: dict) -> bool:
    """Write ``moved`` (a session the FSM just moved from ``loaded``) and its system Event. False when the row
    no longer holds the state and version it was read with (nothing is written then)."""
    fields = {f.attname: f for f in moved._meta.concrete_fields}
    now, version = clock.now(), moved._loaded_version
    changed = [
        name
        for name, value in session_fields(moved).items()
        if name not in _BOOKKEEPING and (name == "state" or value != loaded[name])
    ]
    params = {f"set_{name}": fields[name].get_db_prep_save(getattr(moved, name), connection) for name in changed}
    params.update(
        now=now,
        pk=moved.pk,
        before=loaded["state"],
        version=version,
        type=event,
        actor_type=Event.Actor.SYSTEM,
        subject_type=moved._meta.label_lower,
        subject_id=str(moved.pk),
        key=key,
        payload=json.dumps(payload, cls=DjangoJSONEncoder),
    )
    statement = _MOVE.format(
        event=Event._meta.db_table,
        session=moved._meta.db_table,
        sets=", ".join(f"{fields[name].column} = %(set_{name})s" for name in changed),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return False
    moved.version, moved.last_event_id, moved.last_event_at = version + 1, row[0], now
    moved._update_initial_state()  # the FSM's and the version lock's "as read" are now this write
    return True
