from django.db import models
from django.db.models import Q

from gtmos.core import clock


class OnboardingLog(models.Model):
    """Seed 000's OnboardingLog: a running log from day one that health scoring reads daily."""

    class EntryType(models.TextChoices):
        MILESTONE_COMPLETE = "milestone_complete", "Milestone complete"
        CSM_ACTIVITY = "csm_activity", "CSM activity"
        EXEC_TOUCHPOINT = "exec_touchpoint", "Exec touchpoint"
        ESCALATION = "escalation", "Escalation"
        CLOSE = "close", "Close"
        RECOVERY_PLAN = "recovery_plan", "Recovery plan"  # stops the 14-day TTV SLM escalation

    class ActivityKind(models.TextChoices):
        OUTREACH = "outreach", "Outreach to the customer"
        CUSTOMER_REPLY = "customer_reply", "Customer replied"
        MEETING = "meeting", "Meeting held"
        TRAINING = "training", "Training session held"
        NOTE = "note", "Note"

    class EscalationType(models.TextChoices):
        UNRESPONSIVE = "unresponsive", "Unresponsive"
        TTV_MISS = "ttv_miss", "TTV miss"
        OTHER = "other", "Other"

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="onboarding_log")
    plan = models.ForeignKey("onboarding.OnboardingPlan", on_delete=models.CASCADE, related_name="log_entries")
    log_date = models.DateField()
    logged_at = models.DateTimeField(default=clock.now)
    entry_type = models.CharField(max_length=20, choices=EntryType.choices)
    activity_kind = models.CharField(max_length=16, choices=ActivityKind.choices, blank=True)
    milestone_id = models.CharField(max_length=2, blank=True, help_text="M1–M7 for milestone_complete")
    escalation_type = models.CharField(max_length=12, choices=EscalationType.choices, blank=True)
    onboarding_status = models.CharField(max_length=10, default="active")
    ttv_days_elapsed = models.IntegerField()
    ttv_target_days = models.PositiveSmallIntegerField()
    milestones_complete = models.PositiveSmallIntegerField()
    milestones_total = models.PositiveSmallIntegerField()
    exec_sponsor_engaged = models.BooleanField(default=False, help_text="Exec sponsor engaged in the last 30 days.")
    in_onboarding = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    author = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-logged_at", "-id"]
        indexes = [
            models.Index(fields=["account", "log_date"]),
            models.Index(fields=["plan", "entry_type", "logged_at"]),
        ]


class Escalation(models.Model):
    """One row per alert that fired: each fires once, and carries a resolved-at for resolution times."""

    class Kind(models.TextChoices):
        UNRESPONSIVE = "unresponsive", "Customer unresponsive (CSM + AM)"
        UNRESPONSIVE_SLM = "unresponsive_slm", "Customer unresponsive (SLM)"
        TTV_MISS = "ttv_miss", "TTV trajectory miss (CSM + AM)"
        TTV_MISS_SLM = "ttv_miss_slm", "TTV deadline within 14 days, no recovery plan (SLM)"
        EXEC_SPONSOR = "exec_sponsor", "M5 not done by 50% of the TTV window"
        MAP_REJECTED = "map_rejected", "MAP rejected by post-sales (SLM)"
        TARGETS_UNREALISTIC = "targets_unrealistic", "Targets escalated as unrealistic (SLM)"

    plan = models.ForeignKey("onboarding.OnboardingPlan", on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=120, unique=True)
    fired_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=120, blank=True, default="", help_text="What cleared it.")
    recipient_ids = models.JSONField(default=list, blank=True, help_text="Users notified; reminders go to them.")
    nudged_at = models.DateTimeField(null=True, blank=True, help_text="Last reminder while still open.")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fired_at"]
        indexes = [
            models.Index(fields=["plan", "kind"], condition=Q(resolved_at__isnull=True), name="open_escalations")
        ]
