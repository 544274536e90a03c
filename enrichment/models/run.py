import uuid

from django.db import models
from django.db.models import Q

from ..enums import AgentId, EnrichmentStatus, JobStatus, RunMode


class EnrichmentRun(models.Model):
    """Seed 002 EnrichmentRun: one per Lead. ``status`` leaves ``running`` once, by a conditional update
    under the run's row lock, taken by whichever sync agent reports last (or the deadline watchdog)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.OneToOneField("enrichment.Lead", on_delete=models.CASCADE, related_name="run")
    mode = models.CharField(max_length=16, choices=RunMode.choices)
    status = models.CharField(max_length=10, choices=EnrichmentStatus.choices, default=EnrichmentStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0, help_text="Agent attempts made, retries included.")
    idempotency_key = models.CharField(max_length=200, unique=True, help_text="(lead, stage)")
    started_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(
        null=True, blank=True, help_text="Sync budget: past it, S2→S3 goes ahead as partial."
    )
    settled_at = models.DateTimeField(null=True, blank=True, help_text="First terminal status (S2 decided).")
    completed_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=40, blank=True, help_text="The agent or watchdog that settled it.")

    class Meta:
        indexes = [models.Index(fields=["deadline_at"], condition=Q(status="running"), name="run_running_deadline")]

    def __str__(self) -> str:
        return f"Run {str(self.id)[:8]} {self.mode} {self.status}"


class AgentJob(models.Model):
    """One agent on one run, and its retry ladder (2m → 10m → 1h → 6h → abandoned) kept in the database:
    the beat sweeper claims due rows with SELECT … FOR UPDATE SKIP LOCKED."""

    run = models.ForeignKey(EnrichmentRun, on_delete=models.CASCADE, related_name="jobs")
    agent = models.CharField(max_length=16, choices=AgentId.choices)
    sync = models.BooleanField(help_text="One of the four agents that gate S2→S3.")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(help_text="When the current attempt was due (ladder steps count from it).")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True, help_text="A worker that died mid-attempt.")
    reported_at = models.DateTimeField(null=True, blank=True, help_text="First attempt's outcome known.")
    succeeded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, help_text="Error class and message; no PII.")

    class Meta:
        ordering = ["run", "agent"]
        constraints = [models.UniqueConstraint(fields=["run", "agent"], name="agent_job_once_per_run")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="retry_wait"), name="agent_job_retry_due"),
            models.Index(
                fields=["lease_expires_at"], condition=Q(status__in=["running", "pending"]), name="agent_job_lease"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} #{self.attempts} {self.status}"
