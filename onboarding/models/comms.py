"""Onboarding communication sequences (seed 004): RevOps-editable templates the CSM sends or schedules."""

from django.db import models

from gtmos.core import clock

from .config import Milestone


class CommunicationTemplate(models.Model):
    class Stage(models.TextChoices):
        KICKOFF = "kickoff", "Kickoff"
        MILESTONE = "milestone", "Milestone"
        CHECK_IN = "check_in", "Check-in"
        CLOSE = "close", "Onboarding close"

    name = models.CharField(max_length=120)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    milestone = models.CharField(max_length=2, choices=Milestone.choices, blank=True)
    subject = models.CharField(
        max_length=200, help_text="Placeholders: {account} {contact} {csm} {milestone} {target_date}"
    )
    body = models.TextField(help_text="Same placeholders as the subject.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "milestone", "name"]

    def __str__(self) -> str:
        return self.name


class ScheduledMessage(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey("onboarding.OnboardingPlan", on_delete=models.CASCADE, related_name="messages")
    template = models.ForeignKey(CommunicationTemplate, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    send_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("crm.Employee", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["send_on", "pk"]
        indexes = [models.Index(fields=["status", "send_on"])]
