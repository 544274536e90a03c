from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from gtmos.core import clock
from gtmos.core.fsm import StateMachineMixin
from gtmos.crm.querysets import AccountChildQuerySet


class RiskStage(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    PLAN_IN_PLACE = "plan_in_place", "Plan in place"
    RECOVERED = "recovered", "Recovered"
    LOST = "lost", "Lost"


OPEN_STAGES = (RiskStage.AT_RISK, RiskStage.PLAN_IN_PLACE)


class ChurnRiskLog(StateMachineMixin, models.Model):
    """A churn-risk case: opened when an account enters the At-Risk segment, with the warning signals
    behind it, then moved by the CSM (with a reason) from at risk → plan in place → recovered or lost."""

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="churn_risks")
    opened_on = models.DateField()
    opened_at = models.DateTimeField(default=clock.now)
    stage = FSMField(default=RiskStage.AT_RISK, choices=RiskStage.choices, protected=True)
    stage_entered_at = models.DateTimeField(default=clock.now)
    signals = models.JSONField(default=list, help_text='[{"code": "logins_down", "detail": "…"}, …]')
    score_at_open = models.PositiveSmallIntegerField()
    tier_at_open = models.CharField(max_length=8)
    tenure_segment = models.CharField(max_length=11, help_text="New / Growing / Established when it opened.")
    playbook = models.ForeignKey("health.Playbook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    retention_objective = models.TextField(blank=True, help_text="The retention plan's goal, in the CSM's words.")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        verbose_name = "churn risk log"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(stage__in=["at_risk", "plan_in_place"]), name="churn_risk_one_open_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def _enter(self):
        self.stage_entered_at = clock.now()

    @transition(field=stage, source=RiskStage.AT_RISK, target=RiskStage.PLAN_IN_PLACE)
    def plan_in_place(self):
        """The CSM has a retention plan with an objective and is working it."""
        self._enter()

    @transition(field=stage, source=list(OPEN_STAGES), target=RiskStage.RECOVERED)
    def recover(self):
        """The account is out of danger; the case closes."""
        self._enter()
        self.closed_at = self.stage_entered_at

    @transition(field=stage, source=list(OPEN_STAGES), target=RiskStage.LOST)
    def lose(self):
        """The customer is churning; the case closes."""
        self._enter()
        self.closed_at = self.stage_entered_at


class RetentionTask(models.Model):
    """One intervention of the retention plan, drawn from the playbook; the CSM works and logs against it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    case = models.ForeignKey(ChurnRiskLog, on_delete=models.CASCADE, related_name="tasks")
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="retention_tasks")
    step = models.ForeignKey("health.PlaybookStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, default="task")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    email_subject = models.CharField(max_length=200, blank=True)
    email_body = models.TextField(blank=True)
    owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="Overdue: escalated to the manager.")

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"], condition=Q(step__isnull=False), name="retention_task_step_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], condition=Q(status="open"), name="open_retention_tasks")]


class RetentionNote(models.Model):
    """What the CSM did and heard while working the plan."""

    case = models.ForeignKey(ChurnRiskLog, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("crm.Employee", null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=clock.now)
    body = models.TextField()

    class Meta:
        ordering = ["-written_at"]
