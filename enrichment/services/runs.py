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

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F as DbF

from gtmos.audit.services import event_record, events_bulk_create
from gtmos.core import clock
from routing.config import router_config_cached

from .. import catalog, hooks
from ..enums import ASYNC_AGENTS, SYNC_AGENTS, AgentId, EnrichmentStatus, JobStatus, RunMode
from ..flags import SwarmFlags, flags_for, switch_on
from ..models import AgentJob, EnrichmentRun, Lead, NetworkLink, Profile, Pursuit
from ..providers.base import AgentInput, AgentOutput, BudgetExceeded, ProviderError
from ..providers.registry import provider_for
from .profile import decision_for, profile_refresh, signals_write

logger = logging.getLogger(__name__)
DONE = (JobStatus.SUCCEEDED, JobStatus.ABANDONED, JobStatus.SKIPPED)


def _lease(due_at: datetime, agent: str) -> datetime:
    return due_at + timedelta(milliseconds=settings.SWARM_AGENT_BUDGET_MS[agent],
                              seconds=settings.SWARM_LEASE_SECONDS)


def _dispatch(job_id: int, attempt: int, due_at: datetime, agent: str = "") -> None:
    from ..tasks import agent_run

    # The async agents go to their own queue: they may lag, so a burst of them never takes the worker time the
    # sync agents (a prospect waiting in S2) need.
    queue = settings.SWARM_ASYNC_QUEUE if agent in ASYNC_AGENTS else settings.SWARM_QUEUE
    transaction.on_commit(partial(agent_run.apply_async, kwargs={"job_id": job_id, "attempt": attempt,
                                                                 "due_at": due_at.isoformat()}, queue=queue),
                          robust=True)


def _watch_deadline(run: EnrichmentRun) -> None:
    from ..tasks import run_deadline

    transaction.on_commit(partial(run_deadline.apply_async, kwargs={"run_id": str(run.pk)},
                                  countdown=settings.SWARM_RUN_BUDGET_MS / 1000), robust=True)


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
    run = EnrichmentRun.objects.create(
        lead=lead, mode=mode, status=EnrichmentStatus.RUNNING, idempotency_key=catalog.key(lead.pk, "S2", "run"),
        started_at=now,
        deadline_at=now + timedelta(milliseconds=settings.SWARM_RUN_BUDGET_MS) if mode == RunMode.SYNC_CRITICAL else None)
    jobs = []
    for agent in AgentId.values:
        on = flags.agent_on(agent)
        sync = agent in SYNC_AGENTS
        jobs.append(AgentJob(run=run, agent=agent, sync=sync, due_at=now,
                             status=JobStatus.PENDING if on else JobStatus.SKIPPED,
                             reported_at=None if on else now,
                             lease_expires_at=_lease(now, agent) if on and sync else None))
    AgentJob.objects.bulk_create(jobs)
    event_record(type=catalog.ENRICHMENT_REQUESTED, subject=run,
                 idempotency_key=catalog.key(lead.pk, "S2", catalog.ENRICHMENT_REQUESTED),
                 payload={"lead_id": str(lead.pk), "run_id": str(run.pk), "mode": mode,
                          "agents": sorted(j.agent for j in jobs if j.status == JobStatus.PENDING)})
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


# --- one agent attempt ----------------------------------------------------------------------------------------

def _input(lead: Lead) -> AgentInput:
    try:
        profile = lead.profile  # loaded with the job (select_related)
    except Profile.DoesNotExist:
        profile = None
    known = {}
    if profile is not None:
        known = {name: (value, float((profile.confidence or {}).get(name, 0.0)))
                 for name, value in (profile.values or {}).items()}
    return AgentInput(lead_id=str(lead.pk), email=lead.email or "", name=lead.name, title=lead.title,
                      consent_inbox=lead.consent_inbox, known=known)


def agent_execute(*, job_id: int, attempt: int, due_at: datetime) -> str:
    """Run attempt ``attempt`` of one agent: claim it (a conditional update — a duplicate delivery claims
    nothing and returns quietly), call the provider within the agent's budget, report."""
    lease = due_at + timedelta(seconds=settings.SWARM_LEASE_SECONDS, milliseconds=max(
        settings.SWARM_AGENT_BUDGET_MS.values()))
    claimed = AgentJob.objects.filter(
        pk=job_id, attempts=attempt - 1, status__in=[JobStatus.PENDING, JobStatus.RETRY_WAIT],
    ).update(status=JobStatus.RUNNING, attempts=attempt, due_at=due_at, lease_expires_at=lease)
    if not claimed:
        return "duplicate"  # a second delivery, an attempt already made, or the lead was deleted
    job = AgentJob.objects.select_related("run__lead__profile").filter(pk=job_id).first()
    if job is None:
        return "gone"
    lead = job.run.lead
    flags = flags_for(lead.pk)
    if not flags.agent_on(job.agent):
        return agent_report(job_id=job_id, attempt=attempt, outcome="killed", due_at=due_at,
                            error="kill switch off or agent flag off")
    inp = _input(lead)
    deadline = time.monotonic() + settings.SWARM_AGENT_BUDGET_MS[job.agent] / 1000
    output, error = None, ""
    try:
        output = provider_for(job.agent).run(inp, deadline=deadline)
        outcome = "succeeded"
    except BudgetExceeded as exc:
        outcome, error = "timeout", str(exc)
    except ProviderError as exc:
        outcome, error = "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 — a bug in a provider is a failed attempt, logged; the ladder retries
        logger.exception("agent %s failed unexpectedly", job.agent)
        outcome, error = "error", f"{exc.__class__.__name__}: {exc}"
    return agent_report(job_id=job_id, attempt=attempt, outcome=outcome, output=output, error=error,
                        due_at=due_at)


@transaction.atomic
def agent_report(*, job_id: int, attempt: int, outcome: str, due_at: datetime, output: AgentOutput | None = None,
                 error: str = "") -> str:
    """Record one attempt's outcome: signals (upserted), pursuits and network, the job's place on the retry
    ladder and the attempt's events — then, under the run's row lock, the profile, fields that crossed θ, and
    the settle if this was the last sync agent to report.

    Only the second half holds the run's lock (the serial part of the fan-in stays short). It is still exactly
    once: each report updates its own job *before* waiting for the lock and counts the jobs *after* taking
    it, so the last report to get the lock sees every other report committed."""
    job = AgentJob.objects.select_for_update().select_related("run__lead").filter(pk=job_id).first()
    if job is None:
        return "gone"
    if job.status == JobStatus.SUCCEEDED:
        return "already"
    current = job.attempts == attempt and job.status == JobStatus.RUNNING
    if not current and outcome != "succeeded":
        return "stale"  # the sweeper presumed this attempt lost and moved on; a late failure changes nothing
    run, lead = job.run, job.run.lead
    now = clock.now()
    fields: list[str] = []
    if outcome == "succeeded":
        output = output or AgentOutput()
        signals_write(run=run, agent=job.agent, signals=output.signals, attempt=attempt)
        fields = sorted({s.field for s in output.signals})
        _write_results(lead=lead, output=output)
        job.status, job.succeeded_at, job.last_error, job.next_attempt_at = JobStatus.SUCCEEDED, now, "", None
    else:
        ladder = settings.SWARM_RETRY_LADDER_SECONDS
        if outcome != "killed" and attempt <= len(ladder):
            job.status, job.next_attempt_at = JobStatus.RETRY_WAIT, due_at + timedelta(seconds=ladder[attempt - 1])
        else:
            job.status, job.next_attempt_at = JobStatus.ABANDONED, None
            outcome = "killed" if outcome == "killed" else "abandoned"
        job.last_error = f"{outcome}: {error}"[:300]
    job.reported_at = job.reported_at or now
    job.lease_expires_at = None
    job.save(update_fields=["status", "succeeded_at", "last_error", "next_attempt_at", "reported_at",
                            "lease_expires_at"])
    subject = {"subject_type": run._meta.label_lower, "subject_id": str(run.pk), "actor_type": "agent",
               "actor_label": job.agent}
    attempt_event = {**subject, "type": catalog.AGENT_COMPLETED,
                     "idempotency_key": catalog.key(lead.pk, "S2", "agent", job.agent, attempt),
                     "payload": {"lead_id": str(lead.pk), "run_id": str(run.pk), "agent": job.agent,
                                 "attempt": attempt, "outcome": outcome, "fields": fields,
                                 "next_attempt_at": job.next_attempt_at.isoformat() if job.next_attempt_at else None}}

    # --- the serial part: the run's lock ---
    run = EnrichmentRun.objects.select_for_update().select_related("lead").get(pk=run.pk)
    EnrichmentRun.objects.filter(pk=run.pk).update(attempts=DbF("attempts") + 1)
    crossed: list[str] = []
    changed: list[str] = []
    if outcome == "succeeded":
        _, crossed, changed = profile_refresh(lead=lead, theta=router_config_cached().theta)
    # The attempt's events in one insert; their keys make a replay insert nothing.
    events_bulk_create([attempt_event, *(
        {**subject, "type": catalog.FIELD_RESOLVED,
         "idempotency_key": catalog.key(lead.pk, "S2", catalog.FIELD_RESOLVED, name, job.agent, attempt),
         "payload": {"lead_id": str(lead.pk), "field": name, "agent": job.agent}} for name in crossed)])
    settle_if_ready(run=run, by=job.agent)
    if changed:
        # Routed sessions recompute their decision (seed: "recomputed if a signal changes").
        hooks.profile_changed.send(sender=EnrichmentRun, lead=lead, fields=changed, crossed=crossed)
    return outcome


def _write_results(*, lead: Lead, output: AgentOutput) -> None:
    if output.pursuits:
        Pursuit.objects.bulk_create(
            [Pursuit(lead=lead, record_id=p.record_id, name=p.name[:300], value=p.value, bid_date=p.bid_date,
                     location=p.location[:200], trade=p.trade, source=p.source, status=p.status,
                     match_score=p.match_score) for p in output.pursuits],
            ignore_conflicts=True)  # (lead, record) is unique: a replay adds nothing
    if output.network:
        NetworkLink.objects.bulk_create(
            [NetworkLink(lead=lead, company=n.company[:200], domain=n.domain, relation=n.relation, trade=n.trade,
                         source=n.source, account_id=n.account_id, strength=n.strength) for n in output.network],
            update_conflicts=True, unique_fields=["lead", "source", "company"], update_fields=["strength", "trade"])


# --- fan-in ------------------------------------------------------------------------------------------------------

def settle_if_ready(*, run: EnrichmentRun, by: str) -> str | None:
    """Caller holds the run's lock."""
    jobs = list(AgentJob.objects.filter(run=run))
    sync = [j for j in jobs if j.sync]
    if run.status == EnrichmentStatus.RUNNING:  # read under the lock: current
        if run.mode == RunMode.SYNC_CRITICAL:
            ready = all(j.reported_at is not None for j in sync)
        else:
            ready = all(j.status in DONE for j in sync)
        return run_settle(run=run, by=by, jobs=jobs) if ready else None
    if run.status == EnrichmentStatus.PARTIAL and all(j.status in (JobStatus.SUCCEEDED, JobStatus.SKIPPED) for j in sync) \
            and not decision_for(lead=run.lead).asks:
        # The retry ladder filled in what the first pass missed: partial → complete (the session already moved).
        if EnrichmentRun.objects.filter(pk=run.pk, status=EnrichmentStatus.PARTIAL).update(
                status=EnrichmentStatus.COMPLETE, completed_at=clock.now()):
            event_record(type=catalog.ENRICHMENT_COMPLETE, subject=run,
                         idempotency_key=catalog.key(run.lead_id, "S2", catalog.ENRICHMENT_COMPLETE),
                         payload={"lead_id": str(run.lead_id), "run_id": str(run.pk), "by": by, "upgrade": True})
            return EnrichmentStatus.COMPLETE
    return None


def run_settle(*, run: EnrichmentRun, by: str, reason: str = "", jobs: list[AgentJob] | None = None) -> str | None:
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
            status=status, settled_at=now, settled_by=by[:40],
            completed_at=now if status == EnrichmentStatus.COMPLETE else None):
        return None  # somebody settled it first: exactly once
    run.status = status
    settled = event_record(type=catalog.RUN_STATUS_EVENT[status], subject=run,
                 idempotency_key=catalog.key(run.lead_id, "S2", "enrichment.settled"),
                 payload={"lead_id": str(run.lead_id), "run_id": str(run.pk), "by": by, "reason": reason,
                          "succeeded": succeeded, "asks": list(asks)})
    # The decision goes along so the receiver does not route the same profile again.
    hooks.run_settled.send(sender=EnrichmentRun, run=run, status=status, reason=reason, decision=decision,
                           event=settled)
    for job in jobs:
        if job.agent in ASYNC_AGENTS and job.status == JobStatus.PENDING:
            if status == EnrichmentStatus.FAILED:
                # Nothing to match pursuits or network on: the async agents are skipped, not left pending.
                AgentJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
                    status=JobStatus.SKIPPED, reported_at=now, last_error="skipped: the run failed")
            else:
                AgentJob.objects.filter(pk=job.pk).update(due_at=now, lease_expires_at=_lease(now, job.agent))
                _dispatch(job.pk, 1, now, job.agent)
    return status


@transaction.atomic
def run_deadline_enforce(*, run_id) -> str | None:
    """The sync budget ran out: settle with what is there (partial — or failed if nothing succeeded)."""
    run = EnrichmentRun.objects.select_for_update().select_related("lead").filter(pk=run_id).first()
    if run is None or run.status != EnrichmentStatus.RUNNING or run.deadline_at is None:
        return None
    return run_settle(run=run, by="deadline")


@transaction.atomic
def run_kill(*, run_id) -> str | None:
    """Kill switch: a running run fails (enrichment.failed, reason kill_switch); its agents stop."""
    run = EnrichmentRun.objects.select_for_update(skip_locked=True).select_related("lead").filter(
        pk=run_id, status=EnrichmentStatus.RUNNING).first()
    if run is None:
        return None
    AgentJob.objects.filter(run=run, status__in=[JobStatus.PENDING, JobStatus.RETRY_WAIT]).update(
        status=JobStatus.ABANDONED, next_attempt_at=None, last_error="killed: kill switch", reported_at=clock.now())
    return run_settle(run=run, by="kill_switch", reason="kill_switch")


def swarm_enabled() -> bool:
    return switch_on()
