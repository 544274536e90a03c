"""Seed 001's RepCoachingLog (one row per rep × coaching event) and the escalations AGT-701 raises."""

from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from gtmos.core import clock
from gtmos.core.fsm import StateMachineMixin
from gtmos.crm.models import Role

from .outputs import RepRowQuerySet


class ApprovalStatus(models.TextChoices):
    PENDING = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    MODIFIED = "modified", "Approved with changes"
    DISMISSED = "dismissed", "Dismissed"


DELIVERABLE = (ApprovalStatus.APPROVED, ApprovalStatus.MODIFIED)


class CoachingLogQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Managers up the chain and the SLM see every row; a rep sees only rows a manager approved that a
        monthly digest has delivered (seed 001: surfaced in the next monthly digest, not before)."""
        from gtmos.crm import access

        if access.sees_everything(user):
            return self
        me = access.employee_of(user)
        if me is None:
            return self.none()
        others = access.team_ids(user) - {me.pk}
        return self.filter(
            Q(rep_id__in=others) | Q(rep_id=me.pk, approval_status__in=DELIVERABLE, delivered_in__isnull=False)
        )


class RepCoachingLog(StateMachineMixin, models.Model):
    """A detected pattern and its recommended action. The manager's gate is the FSM on approval_status;
    the persistence clock (weeks_persisting, clock_started_on) is separate and never moved by approval."""

    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="coaching_log")
    role = models.CharField(max_length=20, choices=Role.choices)
    coaching_date = models.DateField(help_text="The week the pattern was first flagged.")
    pattern_key = models.CharField(max_length=80, help_text="The metric code whose gap persists.")
    pattern_detected = models.TextField()
    recommended_action = models.TextField()
    drafted_action = models.TextField(help_text="The agent's draft, kept when a manager modifies it.")
    approval_status = FSMField(default=ApprovalStatus.PENDING, choices=ApprovalStatus.choices, protected=True)
    approved_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    manager_note = models.TextField(blank=True, help_text="Why it was modified or dismissed.")
    escalated_to_slm = models.BooleanField(default=False)
    escalation_date = models.DateField(null=True, blank=True)
    resolution_date = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    improvement_detected = models.BooleanField(default=False)
    # Persistence clock.
    clock_started_on = models.DateField(help_text="Week the clock last (re)started.")
    weeks_persisting = models.PositiveSmallIntegerField(default=1)
    last_seen_on = models.DateField()
    history = models.JSONField(default=list, help_text='[{"week": "2026-11-01", "value": 12.0, "benchmark": 30.0, …}]')
    evidence = models.JSONField(default=dict, blank=True)
    delivered_in = models.ForeignKey(
        "coaching.Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = CoachingLogQuerySet.as_manager()

    class Meta:
        ordering = ["-coaching_date", "rep"]
        indexes = [models.Index(fields=["rep", "approval_status"]), models.Index(fields=["escalated_to_slm"])]
        constraints = [
            # One open episode per rep and pattern: the weekly job re-run finds it instead of adding one.
            models.UniqueConstraint(
                fields=["rep", "pattern_key"],
                condition=Q(resolution_date__isnull=True),
                name="coaching_one_open_pattern_per_rep",
            ),
            models.CheckConstraint(
                condition=Q(escalated_to_slm=False) | Q(escalation_date__isnull=False),
                name="coaching_escalation_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} · {self.pattern_key} ({self.approval_status})"

    @property
    def is_open(self) -> bool:
        return self.resolution_date is None

    @transition(field=approval_status, source=ApprovalStatus.PENDING, target=ApprovalStatus.APPROVED)
    def approve(self, *, by, at):
        """Manager approves: the action reaches the rep in the next monthly digest."""
        self.approved_by, self.decided_at = by, at

    @transition(field=approval_status, source=ApprovalStatus.PENDING, target=ApprovalStatus.MODIFIED)
    def modify(self, *, by, at, action: str, note: str):
        """Manager approves a changed action; the draft stays in drafted_action."""
        self.approved_by, self.decided_at, self.recommended_action, self.manager_note = by, at, action, note

    @transition(field=approval_status, source=ApprovalStatus.PENDING, target=ApprovalStatus.DISMISSED)
    def dismiss(self, *, by, at, note: str):
        """Manager dismisses: logged, never shown to the rep. The pattern clock keeps running."""
        self.approved_by, self.decided_at, self.manager_note = by, at, note


class CoachingEscalation(models.Model):
    """A row of seed 001's escalation-threshold table, fired once for its dedupe key."""

    class Kind(models.TextChoices):
        PERSISTENCE = "persistence", "Same pattern 3+ consecutive weeks"
        ATTAINMENT = "attainment", "Attainment < 50% with < 6 weeks left"
        QUALITY = "quality", "Conversation quality bottom quartile 30+ days"
        BOOK_DROP = "book_drop", "Majority of the book dropped a tier"
        REPEATED_FLAGS = "repeated_flags", "Daily flags firing repeatedly"
        ON_DEMAND = "on_demand", "Manager request"

    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="coaching_escalations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    to_manager = models.BooleanField(default=False)
    to_slm = models.BooleanField(default=False)
    fired_on = models.DateField()
    fired_at = models.DateTimeField(default=clock.now)
    summary = models.TextField()
    context_note = models.TextField(blank=True, help_text="The manager's note on an on-demand request.")
    requested_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    coaching_log = models.ForeignKey(
        RepCoachingLog, null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    history = models.JSONField(default=list, blank=True)
    dedupe_key = models.CharField(max_length=160, unique=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = RepRowQuerySet.as_manager()  # escalations go to managers and SLMs, never the rep

    class Meta:
        ordering = ["-fired_at"]
        indexes = [models.Index(fields=["rep", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.rep}"
