"""Seed 004's training schedule ("Build training schedules"; "Day 14: Key users trained"): sessions on an
onboarding plan with a date, the customer's contacts invited, and who actually attended. Completing one writes
its OnboardingLog row like any CSM activity and may deliver M2 (admin) or M3 (end-user training)."""

from django.db import models
from django_fsm import FSMField, transition

from gtmos.core import clock
from gtmos.core.fsm import StateMachineMixin

from .log import Escalation


class TrainingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class TrainingSession(StateMachineMixin, models.Model):
    class Audience(models.TextChoices):
        ADMIN = "admin", "Admin training (M2)"
        END_USER = "end_user", "End-user training (M3)"
        OTHER = "other", "Other enablement"

    MILESTONE = {Audience.ADMIN: "M2", Audience.END_USER: "M3"}

    plan = models.ForeignKey("onboarding.OnboardingPlan", on_delete=models.CASCADE, related_name="training_sessions")
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ADMIN)
    scheduled_for = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    trainer = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invitees = models.ManyToManyField("crm.Contact", related_name="training_invitations", blank=True)
    attendees = models.ManyToManyField("crm.Contact", related_name="training_attended", blank=True)
    status = FSMField(default=TrainingStatus.SCHEDULED, choices=TrainingStatus.choices, protected=True)
    held_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="What was covered; follow-ups agreed.")
    scheduled_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["scheduled_for", "pk"]
        indexes = [models.Index(fields=["plan", "scheduled_for"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.scheduled_for:%Y-%m-%d})"

    @property
    def milestone_code(self) -> str:
        return self.MILESTONE.get(self.audience, "")

    @transition(field=status, source=TrainingStatus.SCHEDULED, target=TrainingStatus.HELD)
    def hold(self, *, on, notes: str = ""):
        self.held_on = on
        self.notes = notes

    @transition(field=status, source=TrainingStatus.SCHEDULED, target=TrainingStatus.CANCELLED)
    def cancel(self, *, notes: str = ""):
        self.notes = notes


class EscalationProcedure(models.Model):
    """The RevOps-editable part of seed 004's escalation procedures, one row per escalation kind: the target
    time to resolve (the report compares the median against it) and the team's own follow-up steps. The
    trigger, route and timing are written from OnboardingSettings, which the rules read."""

    kind = models.CharField(max_length=20, unique=True, choices=Escalation.Kind.choices)
    resolve_within_days = models.PositiveSmallIntegerField(
        default=7, help_text="Target days from opened to resolved; the report marks kinds whose median is longer."
    )
    follow_up_steps = models.TextField(
        blank=True, help_text="What the recipients do, in the team's words (printed with the procedure)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


# The shipped targets and steps per escalation kind (migration 0016 creates the rows from the same values; a
# kind without a row uses these). Customer-facing kinds get a week or two, the SLM ones a few days: they block
# money or a deal.
PROCEDURE_DEFAULTS = {
    "unresponsive": (7, "Try another stakeholder from the MAP's stakeholder map; ask the AM to reach out."),
    "unresponsive_slm": (3, "The SLM contacts the customer's executive sponsor."),
    "ttv_miss": (14, "Log a recovery plan naming the blocking milestones and new dates."),
    "ttv_miss_slm": (7, "The SLM reviews the recovery plan with the CSM."),
    "exec_sponsor": (14, "Book the executive sponsor briefing (M5) or log an exec touchpoint."),
    "map_rejected": (3, "The SLM reviews the rejection with the selling team and overrides or reworks the MAP."),
    "targets_unrealistic": (5, "The SLM agrees realistic value-event dates with the selling team before sign-off."),
}
