"""The beat sweeper: drives the retry ladder from the database (never a Celery countdown longer than the
broker's visibility timeout), finds attempts whose worker died, settles runs past their deadline, and applies
the kill switch. Every pass claims rows with SELECT … FOR UPDATE SKIP LOCKED, so two sweepers (or a sweeper
and a slow worker) never take the same row; what one skips the next sweep gets."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from gtmos.core import clock

from ..enums import EnrichmentStatus, JobStatus
from ..flags import switch_on
from ..models import AgentJob, EnrichmentRun
from .runs import _dispatch, _lease, agent_report, run_kill, run_settle


def swarm_sweep(*, now: datetime | None = None) -> dict:
    now = now or clock.now()
    batch = settings.SWARM_SWEEP_BATCH
    done = {"killed": 0, "retried": 0, "lost": 0, "overdue": 0}
    if not switch_on():
        for run_id in EnrichmentRun.objects.filter(status=EnrichmentStatus.RUNNING).values_list("pk", flat=True)[
            :batch
        ]:
            done["killed"] += bool(run_kill(run_id=run_id))
        return done
    done["retried"] = _retry_due(now, batch)
    done["lost"] = _lost_attempts(now, batch)
    done["overdue"] = _overdue_runs(now, batch)
    return done


@transaction.atomic
def _retry_due(now: datetime, batch: int) -> int:
    """Jobs whose next rung is due: back to pending with a fresh lease, and one message for the next attempt."""
    due = list(
        AgentJob.objects.select_for_update(skip_locked=True)
        .filter(status=JobStatus.RETRY_WAIT, next_attempt_at__lte=now)
        .order_by("next_attempt_at")[:batch]
    )
    for job in due:
        at = job.next_attempt_at
        AgentJob.objects.filter(pk=job.pk).update(
            status=JobStatus.PENDING, next_attempt_at=None, due_at=at, lease_expires_at=_lease(at, job.agent)
        )
        _dispatch(job.pk, job.attempts + 1, at, job.agent)
    return len(due)


def _lost_attempts(now: datetime, batch: int) -> int:
    """An attempt whose lease ran out never reported: its worker died (SIGKILL, OOM) or its message was lost.
    It counts as a failed attempt, so the ladder schedules the next one."""
    lost = 0
    ids = list(
        AgentJob.objects.filter(
            status__in=[JobStatus.RUNNING, JobStatus.PENDING], lease_expires_at__lt=now
        ).values_list("pk", flat=True)[:batch]
    )
    for job_id in ids:
        with transaction.atomic():
            job = (
                AgentJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id, status__in=[JobStatus.RUNNING, JobStatus.PENDING], lease_expires_at__lt=now)
                .first()
            )
            if job is None:
                continue
            if job.status == JobStatus.PENDING:
                # Its message never got to a worker: the attempt it was for counts as made.
                job.attempts += 1
                AgentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=job.attempts)
        # agent_report locks the job, then the run (the one lock order); this block has committed.
        lost += (
            agent_report(
                job_id=job.pk,
                attempt=job.attempts,
                outcome="lost",
                due_at=job.due_at,
                error="no report before the lease ran out",
            )
            != "stale"
        )
    return lost


def _overdue_runs(now: datetime, batch: int) -> int:
    """Backstop for the deadline task (lost with a dead worker): running sync runs past their deadline."""
    settled = 0
    ids = list(
        EnrichmentRun.objects.filter(status=EnrichmentStatus.RUNNING, deadline_at__lt=now).values_list("pk", flat=True)[
            :batch
        ]
    )
    for run_id in ids:
        with transaction.atomic():
            run = (
                EnrichmentRun.objects.select_for_update(skip_locked=True)
                .select_related("lead")
                .filter(pk=run_id, status=EnrichmentStatus.RUNNING)
                .first()
            )
            if run is not None:
                settled += bool(run_settle(run=run, by="deadline"))
    return settled
