"""Emails the prospect flow sends (white-glove outreach, team invites) and the CSM's onboarding messages, each on
the retry ladder.

Seed 002: "Failed agents / outreach retry on 2m → 10m → 1h → 6h → abandoned". The ladder lives in the row
(attempts, next attempt time), driven by the minute sweep with SKIP LOCKED like the swarm's agent jobs: a send
that fails is visible (status, last error, next attempt) instead of swallowed."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from gtmos.core import clock


class OutboundEmail(models.Model):
    class Kind(models.TextChoices):
        OUTREACH = "outreach", "White-glove outreach"
        INVITE = "invite", "Team invite"
        CUSTOMER = "customer", "Onboarding message"  # a CSM's templated message to a customer contact

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        RETRY_WAIT = "retry_wait", "Send failed, retrying"
        SENT = "sent", "Sent"
        ABANDONED = "abandoned", "Abandoned after the retry ladder"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200, unique=True, help_text="Idempotency: one email per deal / invite.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deal = models.ForeignKey("onboarding.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="emails")
    invite = models.ForeignKey(
        "onboarding.TeamInvite", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    scheduled_message = models.ForeignKey(
        "onboarding.ScheduledMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    to = models.EmailField()
    from_email = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbound_due", condition=Q(status__in=["pending", "retry_wait"])
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} email {str(self.id)[:8]} ({self.status})"
