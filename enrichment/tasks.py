"""Thin tasks: ids in, one service call. Every task acks late and is safe to run twice (claims are
conditional updates; a duplicate returns quietly)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from .services import runs, sweep


@shared_task(acks_late=True, ignore_result=True)  # the outcome is on the AgentJob row and in the Event log
def agent_run(*, job_id: int, attempt: int, due_at: str) -> str:
    """One attempt of one swarm agent (domain_site, classifier, size_estimator, role_resolver,
    project_finder, network_seeder) on one run."""
    return runs.agent_execute(job_id=job_id, attempt=attempt, due_at=datetime.fromisoformat(due_at))


@shared_task(acks_late=True, ignore_result=True)  # the outcome is on the run
def run_deadline(*, run_id: str) -> str | None:
    """The sync budget of a run ran out: S2→S3 goes ahead as enrichment.partial."""
    return runs.run_deadline_enforce(run_id=run_id)


@shared_task(acks_late=True)
def swarm_sweep(*, now: str | None = None) -> dict:
    """Beat: the retry ladder, dead workers' attempts, overdue runs, the kill switch. ``now`` lets a test or
    an operator sweep "as of" an instant (the injected clock across processes)."""
    return sweep.swarm_sweep(now=datetime.fromisoformat(now) if now else None)
