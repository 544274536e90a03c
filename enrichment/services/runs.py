"""The swarm's orchestration: start a run, execute one agent attempt, fan in without chords.

Fan-in: every agent attempt reports in one transaction that locks the run row. The report that finds every
sync agent accounted for settles the run — a conditional update ``running → complete | partial | failed``
— so the S2→S3 transition (a ``run_settled`` receiver, same transaction) happens exactly once however many
times a task is delivered. Sync runs count an agent once its first attempt reported (success, failure or
timeout), so a slow or failing agent never holds the prospect; the retry ladder carries on in the background
and may upgrade the run from partial to complete later. Prefetch runs (warm leads, nobody waiting) wait for
each sync agent to succeed or exhaust its ladder — unless the visitor arrives, which starts a deadline.

Times: ladder steps and leases count from the time an attempt was *due* (carried in the task message), never
from a worker's own clock, so a sweeper driven by an injected clock walks the ladder deterministically.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction

from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock
from routing.config import router_config_cached

from .. import catalog, hooks
from ..enums import ASYNC_AGENTS, SYNC_AGENTS, AgentId, EnrichmentStatus, JobStatus, NetworkSource, RunMode
from ..flags import SwarmFlags, flags_for, switch_on
from ..models import AgentJob, EnrichmentRun, Lead, NetworkLink, Pursuit
from ..outbox import send_after_commit, together
from ..providers.base import AgentInput, AgentOutput, BudgetExceeded, ProviderError
from ..providers.registry import provider_for
from .profile import db_json, decision_for, profile_project, signals_write

logger = logging.getLogger(__name__)
DONE = (JobStatus.SUCCEEDED, JobStatus.ABANDONED, JobStatus.SKIPPED)


def _lease(due_at: datetime, agent: str) -> datetime:
    return due_at + timedelta(milliseconds=settings.SWARM_AGENT_BUDGET_MS[agent], seconds=settings.SWARM_LEASE_SECONDS)


def _dispatch(job_id: int, attempt: int, due_at: datetime, agent: str = "") -> None:
    from ..tasks import agent_run

    # The async agents go to their own queue: they may lag, so a burst of them never takes the worker time the
    # sync agents (a prospect waiting in S2) need.
    queue = settings.SWARM_ASYNC_QUEUE if agent in ASYNC_AGENTS else settings.SWARM_QUEUE
    send_after_commit(
        agent_run, kwargs={"job_id": job_id, "attempt": attempt, "due_at": due_at.isoformat()}, queue=queue
    )


def _watch_deadline(run: EnrichmentRun) -> None:
    from ..tasks import run_deadline

    send_after_commit(run_deadline, kwargs={"run_id": str(run.pk)}, countdown=settings.SWARM_RUN_BUDGET_MS / 1000)


# The run, its six jobs and enrichment.requested in one statement: it runs inside the prospect's email submit, so
# a burst of sign-ups spends its web time on it (plain SQL, like the agents' hot path).
_RUN_START = """
WITH run AS (
    INSERT INTO enrichment_enrichmentrun (id, lead_id, mode, status, attempts, idempotency_key, started_at,
                                          deadline_at, settled_at, completed_at, settled_by)
    VALUES (%(run)s, %(lead)s, %(mode)s, %(running)s, 0, %(key)s, %(now)s, %(deadline)s, NULL, NULL, '')
    RETURNING id),
requested AS (
    INSERT INTO audit_event (type, actor_type, actor_id, actor_label, subject_type, subject_id, account_id, payload,
                             idempotency_key, occurred_at)
    SELECT %(event_type)s, %(system)s, NULL, '', %(subject_type)s, %(run_text)s, NULL, %(payload)s::jsonb,
           %(event_key)s, %(now)s FROM run
    ON CONFLICT DO NOTHING)
INSERT INTO enrichment_agentjob (run_id, agent, sync, status, attempts, due_at, next_attempt_at, lease_expires_at,
                                 reported_at, succeeded_at, last_error)
SELECT run.id, j.agent, j.sync, j.status, 0, %(now)s, NULL, j.lease, j.reported, NULL, ''
  FROM run, unnest(%(agents)s::varchar[], %(syncs)s::bool[], %(statuses)s::varchar[], %(leases)s::timestamptz[],
                   %(reported)s::timestamptz[]) AS j(agent, sync, status, lease, reported)
RETURNING id, agent
"""


@transaction.atomic
def run_start(*, lead: Lead, mode: str, flags: SwarmFlags | None = None) -> EnrichmentRun:
    """enrichment.requested: one run per lead (a replay returns it), one job per agent, the sync agents
    dispatched at once — all four start from the email; none waits for another. Agents whose flag is off
    are skipped. The async agents start when the sync ones settle (they read the profile)."""
    existing = EnrichmentRun.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    flags = flags or flags_for(lead.pk)
    now = clock.now()
    run = EnrichmentRun(
        id=uuid.uuid4(),
        lead=lead,
        mode=mode,
        status=EnrichmentStatus.RUNNING,
        attempts=0,
        idempotency_key=catalog.key(lead.pk, "S2", "run"),
        started_at=now,
        deadline_at=now + timedelta(milliseconds=settings.SWARM_RUN_BUDGET_MS)
        if mode == RunMode.SYNC_CRITICAL
        else None,
    )
    jobs = []
    for agent in AgentId.values:
        on = flags.agent_on(agent)
        sync = agent in SYNC_AGENTS
        jobs.append(
            AgentJob(
                run=run,
                agent=agent,
                sync=sync,
                due_at=now,
                status=JobStatus.PENDING if on else JobStatus.SKIPPED,
                reported_at=None if on else now,
                lease_expires_at=_lease(now, agent) if on and sync else None,
            )
        )
    payload = {
        "lead_id": str(lead.pk),
        "run_id": str(run.pk),
        "mode": mode,
        "agents": sorted(j.agent for j in jobs if j.status == JobStatus.PENDING),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _RUN_START,
            {
                "run": run.pk,
                "lead": lead.pk,
                "mode": mode,
                "running": EnrichmentStatus.RUNNING,
                "key": run.idempotency_key,
                "now": now,
                "deadline": run.deadline_at,
                "event_type": catalog.ENRICHMENT_REQUESTED,
                "system": "system",
                "subject_type": EnrichmentRun._meta.label_lower,
                "run_text": str(run.pk),
                "payload": json.dumps(payload),
                "event_key": catalog.key(lead.pk, "S2", catalog.ENRICHMENT_REQUESTED),
                "agents": [j.agent for j in jobs],
                "syncs": [j.sync for j in jobs],
                "statuses": [j.status for j in jobs],
                "leases": [j.lease_expires_at for j in jobs],
                "reported": [j.reported_at for j in jobs],
            },
        )
        ids = dict((agent, pk) for pk, agent in cursor.fetchall())
    run._state.adding, run._state.db = False, connection.alias
    for job in jobs:
        job.pk = ids[job.agent]
        job._state.adding, job._state.db = False, connection.alias
    with together():  # the prospect's submit waits on these: one broker round trip, not five
        for job in jobs:
            if job.sync and job.status == JobStatus.PENDING:
                _dispatch(job.pk, 1, now, job.agent)
        if mode == RunMode.SYNC_CRITICAL:
            _watch_deadline(run)
    if not any(j.sync and j.status == JobStatus.PENDING for j in jobs):
        run_settle(run=run, by="no_sync_agent")
    return run


def run_watch_arrival(*, run: EnrichmentRun) -> EnrichmentRun:
    """The warm visitor arrived while the prefetch still runs: from now they wait at most the sync budget.
    Caller holds the run's lock."""
    if run.status == EnrichmentStatus.RUNNING and run.deadline_at is None:
        run.deadline_at = clock.now() + timedelta(milliseconds=settings.SWARM_RUN_BUDGET_MS)
        EnrichmentRun.objects.filter(pk=run.pk).update(deadline_at=run.deadline_at)
        _watch_deadline(run)
    return run


def network_reseed(*, lead_id) -> bool:
    """Run the lead's network_seeder again (a new attempt on its job): the prospect just opted in to inbox
    access, and the seeder that already ran read no invites. A job still pending will read the consent when it
    is claimed, so it is left alone (as is one skipped by its flag); a replay finds it pending and adds nothing.
    Caveat, accepted: an attempt running at this very instant read the old consent; the next grant or run
    fixes it."""
    with transaction.atomic():
        job = (
            AgentJob.objects.select_for_update()
            .filter(run__lead_id=lead_id, agent=AgentId.NETWORK_SEEDER)
            .only("pk", "agent", "attempts", "status")
            .first()
        )
        if job is None or job.status in (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.SKIPPED):
            return False
        now = clock.now()
        AgentJob.objects.filter(pk=job.pk).update(
            # The lease lets the sweeper recover a message that never reached a worker (as for any attempt).
            status=JobStatus.PENDING,
            due_at=now,
            next_attempt_at=None,
            lease_expires_at=_lease(now, job.agent),
        )
        _dispatch(job.pk, job.attempts + 1, now, job.agent)
    return True


# --- one agent attempt ----------------------------------------------------------------------------------------
# The hot path (four tasks per prospect waiting in S2, in bursts) is plain SQL: the same statements the ORM would
# send, fewer of them, without building querysets and model instances per task (the benchmark measured ~30 ms of
# worker CPU per task through the ORM).

# Claim the attempt (a conditional update: a duplicate delivery claims nothing) and load what the agent reads, in
# one statement.
_CLAIM = """
WITH claimed AS (
    UPDATE enrichment_agentjob SET status = %(running)s, attempts = %(attempt)s, due_at = %(due_at)s,
           lease_expires_at = %(lease)s
     WHERE id = %(job)s AND attempts = %(attempt)s - 1 AND status IN (%(pending)s, %(retry_wait)s)
    RETURNING run_id, agent)
SELECT c.agent, l.id, l.email, l.name, l.title, l.consent_inbox, p."values", p.confidence
  FROM claimed c JOIN enrichment_enrichmentrun r ON r.id = c.run_id JOIN enrichment_lead l ON l.id = r.lead_id
  LEFT JOIN enrichment_profile p ON p.lead_id = l.id
"""


def agent_execute(*, job_id: int, attempt: int, due_at: datetime) -> str:
    """Run attempt ``attempt`` of one agent: claim it (a conditional update — a duplicate delivery claims
    nothing and returns quietly), call the provider within the agent's budget, report."""
    lease = due_at + timedelta(
        seconds=settings.SWARM_LEASE_SECONDS, milliseconds=max(settings.SWARM_AGENT_BUDGET_MS.values())
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            {
                "job": job_id,
                "attempt": attempt,
                "due_at": due_at,
                "lease": lease,
                "running": JobStatus.RUNNING,
                "pending": JobStatus.PENDING,
                "retry_wait": JobStatus.RETRY_WAIT,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return "duplicate"  # a second delivery, an attempt already made, or the lead was deleted
    agent, lead_id, email, name, title, consent_inbox, values, confidence = row
    flags = flags_for(lead_id)
    if not flags.agent_on(agent):
        return agent_report(
            job_id=job_id, attempt=attempt, outcome="killed", due_at=due_at, error="kill switch off or agent flag off"
        )
    confidence = db_json(confidence) or {}
    inp = AgentInput(
        lead_id=str(lead_id),
        email=email or "",
        name=name,
        title=title,
        consent_inbox=consent_inbox,
        known={n: (v, float(confidence.get(n, 0.0))) for n, v in (db_json(values) or {}).items()},
    )
    deadline = time.monotonic() + settings.SWARM_AGENT_BUDGET_MS[agent] / 1000
    output, error = None, ""
    try:
        output = provider_for(agent).run(inp, deadline=deadline)
        outcome = "succeeded"
    except BudgetExceeded as exc:
        outcome, error = "timeout", str(exc)
    except ProviderError as exc:
        outcome, error = "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 — a bug in a provider is a failed attempt, logged; the ladder retries
        logger.exception("agent %s failed unexpectedly", agent)
        outcome, error = "error", f"{exc.__class__.__name__}: {exc}"
    return agent_report(job_id=job_id, attempt=attempt, outcome=outcome, output=output, error=error, due_at=due_at)


# The attempt's outcome on its job, conditionally: a succeeded job is final, and a failure of an attempt that is
# no longer current (the sweeper presumed it lost and moved on) changes nothing. The row lock it takes is the
# job's; the run's comes after (the one lock order).
_REPORT = """
UPDATE enrichment_agentjob j
   SET status = %(status)s, succeeded_at = CASE WHEN %(ok)s THEN %(now)s ELSE j.succeeded_at END,
       last_error = %(error)s, next_attempt_at = %(next)s, reported_at = COALESCE(j.reported_at, %(now)s),
       lease_expires_at = NULL
  FROM enrichment_enrichmentrun r
 WHERE j.id = %(job)s AND r.id = j.run_id AND j.status <> %(succeeded)s
   AND (%(ok)s OR (j.attempts = %(attempt)s AND j.status = %(running)s))
RETURNING j.agent, j.run_id, r.lead_id
"""
# Taking the run's lock is the attempt count's update; the jobs are read after it (a fresh snapshot), so the
# last report to get the lock sees every other report committed.
_LOCK_RUN = "UPDATE enrichment_enrichmentrun SET attempts = attempts + 1 WHERE id = %s RETURNING status, mode"
_JOBS = "SELECT id, agent, sync, status, reported_at FROM enrichment_agentjob WHERE run_id = %s"


class _JobRow(NamedTuple):
    """What the fan-in reads of a job (``_JOBS``): the attributes of an AgentJob it uses, without building one
    model instance per job on every report."""

    pk: int
    agent: str
    sync: bool
    status: str
    reported_at: datetime | None


# The attempt's events in one insert (plain, as the run's start writes enrichment.requested: the ORM's bulk insert
# built an Event per row and compiled the statement on every report). Their keys make a replay insert nothing.
_EVENTS = """
INSERT INTO audit_event (type, actor_type, actor_id, actor_label, subject_type, subject_id, account_id, payload,
                         idempotency_key, occurred_at)
SELECT e.type, 'agent', NULL, %(agent)s, %(subject_type)s, %(run)s, NULL, e.payload::jsonb, e.key, %(now)s
  FROM unnest(%(types)s::varchar[], %(keys)s::varchar[], %(payloads)s::text[]) AS e(type, key, payload)
ON CONFLICT DO NOTHING
"""
_RUN_LABEL = EnrichmentRun._meta.label_lower


@transaction.atomic
def agent_report(
    *, job_id: int, attempt: int, outcome: str, due_at: datetime, output: AgentOutput | None = None, error: str = ""
) -> str:
    """Record one attempt's outcome: signals (upserted), pursuits and network, the job's place on the retry
    ladder and the attempt's events — then, under the run's row lock, the profile, fields that crossed θ, and
    the settle if this was the last sync agent to report.

    Only the second half holds the run's lock (the serial part of the fan-in stays short). It is still exactly
    once: each report updates its own job *before* waiting for the lock and counts the jobs *after* taking
    it, so the last report to get the lock sees every other report committed."""
    now = clock.now()
    ladder = settings.SWARM_RETRY_LADDER_SECONDS
    if outcome == "succeeded":
        status, next_at, last_error = JobStatus.SUCCEEDED, None, ""
    else:
        if outcome != "killed" and attempt <= len(ladder):
            status, next_at = JobStatus.RETRY_WAIT, due_at + timedelta(seconds=ladder[attempt - 1])
        else:
            status, next_at = JobStatus.ABANDONED, None
            outcome = "killed" if outcome == "killed" else "abandoned"
        last_error = f"{outcome}: {error}"[:300]
    with connection.cursor() as cursor:
        cursor.execute(
            _REPORT,
            {
                "status": status,
                "ok": outcome == "succeeded",
                "now": now,
                "error": last_error,
                "next": next_at,
                "job": job_id,
                "attempt": attempt,
                "succeeded": JobStatus.SUCCEEDED,
                "running": JobStatus.RUNNING,
            },
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute("SELECT status FROM enrichment_agentjob WHERE id = %s", [job_id])
            found = cursor.fetchone()
            # "stale": the sweeper presumed this attempt lost and moved on; a late failure changes nothing.
            return "gone" if found is None else "already" if found[0] == JobStatus.SUCCEEDED else "stale"
    agent, run_id, lead_id = row
    fields: list[str] = []
    changed_signals = False
    if outcome == "succeeded":
        output = output or AgentOutput()
        changed_signals = signals_write(run_id=run_id, agent=agent, signals=output.signals, attempt=attempt) > 0
        fields = sorted({s.field for s in output.signals})
        _write_results(lead_id=lead_id, output=output)
    # The attempt's event (and, below, one per field that crossed θ): type, key, payload.
    events = [
        (
            catalog.AGENT_COMPLETED,
            catalog.key(lead_id, "S2", "agent", agent, attempt),
            {
                "lead_id": str(lead_id),
                "run_id": str(run_id),
                "agent": agent,
                "attempt": attempt,
                "outcome": outcome,
                "fields": fields,
                "next_attempt_at": next_at.isoformat() if next_at else None,
            },
        )
    ]

    # --- the serial part: the run's lock ---
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_RUN, [run_id])
        run_status, run_mode = cursor.fetchone()
    crossed: list[str] = []
    changed: list[str] = []
    if changed_signals:  # an agent that wrote nothing and dropped nothing cannot change the projection
        crossed, changed = profile_project(lead_id=lead_id, theta=router_config_cached().theta)
    events += [
        (
            catalog.FIELD_RESOLVED,
            catalog.key(lead_id, "S2", catalog.FIELD_RESOLVED, name, agent, attempt),
            {"lead_id": str(lead_id), "field": name, "agent": agent},
        )
        for name in crossed
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _EVENTS,
            {
                "agent": agent,
                "subject_type": _RUN_LABEL,
                "run": str(run_id),
                "now": clock.now(),
                "types": [t for t, _, _ in events],
                "keys": [k for _, k, _ in events],
                "payloads": [json.dumps(p) for _, _, p in events],
            },
        )
    # Past ``running``, a partial run becomes complete only on what its outcome depends on: the profile (a signal
    # written or dropped) or a sync agent's job succeeding. An async agent that wrote no signal — nearly every
    # one: pursuits and network are not signals — changes neither, so it skips the jobs, the run and the router
    # (three statements per async agent, on every lead).
    if run_status == EnrichmentStatus.RUNNING or (
        run_status == EnrichmentStatus.PARTIAL
        and (changed_signals or (status == JobStatus.SUCCEEDED and agent in SYNC_AGENTS))
    ):
        with connection.cursor() as cursor:
            cursor.execute(_JOBS, [run_id])
            jobs = [_JobRow(*row) for row in cursor.fetchall()]
        _settle_if_ready(run_id=run_id, status=run_status, mode=run_mode, jobs=jobs, by=agent)
    if changed and run_status != EnrichmentStatus.RUNNING:
        # Routed sessions recompute their decision (seed: "recomputed if a signal changes"). While the run still
        # runs no session is routed yet: the settle carries the decision.
        hooks.profile_changed.send(sender=EnrichmentRun, lead=Lead(pk=lead_id), fields=changed, crossed=crossed)
    if outcome == "succeeded" and agent in ASYNC_AGENTS and (output.pursuits or output.network):
        hooks.research_arrived.send(sender=EnrichmentRun, lead=Lead(pk=lead_id), agent=agent)
    return outcome


def _write_results(*, lead_id, output: AgentOutput) -> None:
    if output.pursuits:
        Pursuit.objects.bulk_create(
            [
                Pursuit(
                    lead_id=lead_id,
                    record_id=p.record_id,
                    name=p.name[:300],
                    value=p.value,
                    bid_date=p.bid_date,
                    location=p.location[:200],
                    trade=p.trade,
                    source=p.source,
                    status=p.status,
                    match_score=p.match_score,
                )
                for p in output.pursuits
            ],
            ignore_conflicts=True,
        )  # (lead, record) is unique: a replay adds nothing
    network = output.network
    if any(n.source == NetworkSource.BID_INVITE for n in network):
        # Invites are read only while inbox consent stands. An attempt claimed before a withdrawal must not
        # write them after it: the share lock on the lead waits for a withdrawal in flight (which holds the
        # row FOR UPDATE and removes such entries), and then reads the consent as it now is.
        with connection.cursor() as cursor:
            cursor.execute("SELECT consent_inbox FROM enrichment_lead WHERE id = %s FOR SHARE", [lead_id])
            row = cursor.fetchone()
        if not (row and row[0]):
            network = [n for n in network if n.source != NetworkSource.BID_INVITE]
    if network:
        NetworkLink.objects.bulk_create(
            [
                NetworkLink(
                    lead_id=lead_id,
                    company=n.company[:200],
                    domain=n.domain,
                    relation=n.relation,
                    trade=n.trade,
                    source=n.source,
                    account_id=n.account_id,
                    strength=n.strength,
                )
                for n in network
            ],
            update_conflicts=True,
            unique_fields=["lead", "source", "company"],
            update_fields=["strength", "trade"],
        )


# --- fan-in ------------------------------------------------------------------------------------------------------


def _settle_if_ready(*, run_id, status: str, mode: str, jobs: list[_JobRow], by: str) -> str | None:
    """Caller holds the run's lock; ``status`` and ``jobs`` were read under it."""
    sync = [j for j in jobs if j.sync]
    if status == EnrichmentStatus.RUNNING:  # read under the lock: current
        if mode == RunMode.SYNC_CRITICAL:
            ready = all(j.reported_at is not None for j in sync)
        else:
            ready = all(j.status in DONE for j in sync)
        if not ready:
            return None
        run = EnrichmentRun.objects.select_related("lead").get(pk=run_id)
        return run_settle(run=run, by=by, jobs=jobs)
    if status == EnrichmentStatus.PARTIAL and all(j.status in (JobStatus.SUCCEEDED, JobStatus.SKIPPED) for j in sync):
        run = EnrichmentRun.objects.select_related("lead").get(pk=run_id)
        if decision_for(lead=run.lead).asks:
            return None
        # The retry ladder filled in what the first pass missed: partial → complete (the session already moved).
        if EnrichmentRun.objects.filter(pk=run.pk, status=EnrichmentStatus.PARTIAL).update(
            status=EnrichmentStatus.COMPLETE, completed_at=clock.now()
        ):
            event_record(
                type=catalog.ENRICHMENT_COMPLETE,
                subject=run,
                idempotency_key=catalog.key(run.lead_id, "S2", catalog.ENRICHMENT_COMPLETE),
                payload={"lead_id": str(run.lead_id), "run_id": str(run.pk), "by": by, "upgrade": True},
            )
            return EnrichmentStatus.COMPLETE
    return None


# The settle's event, once per run (its key: a second settle writes nothing), in one plain insert — what
# event_record does in a read, a savepoint and an insert, on every lead's settle.
_SETTLED_EVENT = """
INSERT INTO audit_event (type, actor_type, actor_id, actor_label, subject_type, subject_id, account_id, payload,
                         idempotency_key, occurred_at)
VALUES (%(type)s, %(actor_type)s, NULL, '', %(subject_type)s, %(run)s, NULL, %(payload)s::jsonb, %(key)s, %(at)s)
ON CONFLICT DO NOTHING
RETURNING id
"""


def _settled_event_record(*, run: EnrichmentRun, type: str, at: datetime, payload: dict) -> Event:
    key = catalog.key(run.lead_id, "S2", "enrichment.settled")
    fields = {
        "type": type,
        "actor_type": Event.Actor.SYSTEM,
        "subject_type": _RUN_LABEL,
        "subject_id": str(run.pk),
        "idempotency_key": key,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _SETTLED_EVENT,
            {**fields, "run": str(run.pk), "payload": json.dumps(payload), "key": key, "at": at},
        )
        row = cursor.fetchone()
    if row is None:
        return Event.objects.get(idempotency_key=key)  # written already: the first row, as event_record returns
    event = Event(id=row[0], payload=payload, occurred_at=at, **fields)
    event._state.adding = False  # a row of the log now (Event.save refuses to write it again)
    return event


def run_settle(
    *, run: EnrichmentRun, by: str, reason: str = "", jobs: list[AgentJob] | list[_JobRow] | None = None
) -> str | None:
    """The run's one terminal transition (caller holds the run's lock): complete when every sync agent
    succeeded and the router asks nothing, failed when none succeeded (or the kill switch), else partial."""
    jobs = jobs if jobs is not None else list(AgentJob.objects.filter(run=run))
    sync = [j for j in jobs if j.sync]
    succeeded = [j.agent for j in sync if j.status == JobStatus.SUCCEEDED]
    asks: tuple = ()
    decision = None
    # DESIGN.md: failed only when every sync agent *failed* (or the kill switch). Agents that are merely late at
    # the deadline make a partial run: S2→S3 goes ahead asking the missing fields, and their results, when they
    # come, fill the profile in.
    all_failed = not succeeded and all(j.reported_at is not None for j in sync)
    if reason or all_failed:
        status = EnrichmentStatus.FAILED
    else:
        decision = decision_for(lead=run.lead)
        asks = decision.asks
        status = EnrichmentStatus.COMPLETE if len(succeeded) == len(sync) and not asks else EnrichmentStatus.PARTIAL
    now = clock.now()
    if not EnrichmentRun.objects.filter(pk=run.pk, status=EnrichmentStatus.RUNNING).update(
        status=status,
        settled_at=now,
        settled_by=by[:40],
        completed_at=now if status == EnrichmentStatus.COMPLETE else None,
    ):
        return None  # somebody settled it first: exactly once
    run.status = status
    settled = _settled_event_record(
        run=run,
        type=catalog.RUN_STATUS_EVENT[status],
        at=now,
        payload={
            "lead_id": str(run.lead_id),
            "run_id": str(run.pk),
            "by": by,
            "reason": reason,
            "succeeded": succeeded,
            "asks": list(asks),
        },
    )
    # The decision goes along so the receiver does not route the same profile again.
    hooks.run_settled.send(
        sender=EnrichmentRun, run=run, status=status, reason=reason, decision=decision, event=settled
    )
    waiting = [j for j in jobs if j.agent in ASYNC_AGENTS and j.status == JobStatus.PENDING]
    if waiting and status == EnrichmentStatus.FAILED:
        # Nothing to match pursuits or network on: the async agents are skipped, not left pending.
        AgentJob.objects.filter(pk__in=[j.pk for j in waiting], status=JobStatus.PENDING).update(
            status=JobStatus.SKIPPED, reported_at=now, last_error="skipped: the run failed"
        )
    elif waiting:
        by_lease: dict = {}
        for job in waiting:  # one update per distinct lease (the two async agents share a budget by default)
            by_lease.setdefault(_lease(now, job.agent), []).append(job.pk)
        for lease, pks in by_lease.items():
            AgentJob.objects.filter(pk__in=pks).update(due_at=now, lease_expires_at=lease)
        with together():
            for job in waiting:
                _dispatch(job.pk, 1, now, job.agent)
    return status


def run_deadline_enforce(*, run_id) -> str | None:
    """The sync budget ran out: settle with what is there (partial — or failed if nothing succeeded)."""
    # Every run's watchdog fires, and nearly every run has settled by then (its last sync agent): one plain
    # read, no transaction, no lock. A settled run never runs again, so only a running one takes the lock and
    # looks again under it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM enrichment_enrichmentrun WHERE id = %s AND status = %s AND deadline_at IS NOT NULL",
            [run_id, EnrichmentStatus.RUNNING],
        )
        if cursor.fetchone() is None:
            return None
    with transaction.atomic():
        run = EnrichmentRun.objects.select_for_update().select_related("lead").filter(pk=run_id).first()
        if run is None or run.status != EnrichmentStatus.RUNNING or run.deadline_at is None:
            return None
        return run_settle(run=run, by="deadline")


@transaction.atomic
def run_kill(*, run_id) -> str | None:
    """Kill switch: a running run fails (enrichment.failed, reason kill_switch); its agents stop."""
    run = (
        EnrichmentRun.objects.select_for_update(skip_locked=True)
        .select_related("lead")
        .filter(pk=run_id, status=EnrichmentStatus.RUNNING)
        .first()
    )
    if run is None:
        return None
    AgentJob.objects.filter(run=run, status__in=[JobStatus.PENDING, JobStatus.RETRY_WAIT]).update(
        status=JobStatus.ABANDONED, next_attempt_at=None, last_error="killed: kill switch", reported_at=clock.now()
    )
    return run_settle(run=run, by="kill_switch", reason="kill_switch")


def swarm_enabled() -> bool:
    return switch_on()
