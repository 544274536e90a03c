"""Seed 001's CadenceEventLog: one row per SDR touch of a cadence (sequence) step, with what came of it.

Every SDR metric of AGT-701 is a grouping of these rows: response rate by step (``responded`` by
cadence_type, step), sequence performance by cadence type, meeting acceptance (``meeting_booked`` over
touches sent; ``meeting_accepted`` over booked), conversion to an AE-qualified opportunity
(``opportunity`` set over meetings booked), outreach volume vs CompPlan expectations (rows per week), and
the AGT-303 cadence-intelligence flags (``risk_flags``).
"""

from django.db import models
from django.db.models import F, Q

from ..querysets import CadenceEventQuerySet


class CadenceType(models.TextChoices):
    COLD = "cold", "Cold"
    WARM = "warm", "Warm"
    ABM = "abm", "ABM"
    RE_ENGAGE = "re_engage", "Re-engage"


class TouchChannel(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    LINKEDIN = "linkedin", "LinkedIn"
    SMS = "sms", "SMS"


class CadenceEventLog(models.Model):
    """A touch an SDR sent at one step of one cadence, to a prospect: a Lead (the prospect side's one
    Lead concept), a CRM contact, or an account. The touch row carries its outcome: the prospect
    responded to it, a meeting was booked from it, the AE accepted that meeting, and the AE-qualified
    opportunity the meeting turned into."""

    external_id = models.CharField(max_length=64, unique=True)
    sdr = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="cadence_events")
    # SET_NULL: deleting a Lead's personal data (consent, retention) keeps the SDR's touch history.
    lead = models.ForeignKey(
        "enrichment.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="cadence_events"
    )
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="cadence_events"
    )
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="cadence_events"
    )
    cadence_type = models.CharField(max_length=10, choices=CadenceType.choices)
    cadence_id = models.CharField(max_length=64, help_text="The sequence's id in the sending tool.")
    cadence_name = models.CharField(max_length=200, blank=True)
    step = models.PositiveSmallIntegerField(help_text="Step of the cadence, from 1.")
    channel = models.CharField(max_length=10, choices=TouchChannel.choices)
    occurred_at = models.DateTimeField()
    responded = models.BooleanField(default=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    meeting_booked = models.BooleanField(default=False)
    meeting_accepted = models.BooleanField(default=False, help_text="The AE accepted the booked meeting.")
    opportunity = models.ForeignKey(
        "crm.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadence_events",
        help_text="The AE-qualified opportunity the meeting converted into.",
    )
    risk_flags = models.JSONField(default=list, blank=True, help_text="AGT-303 cadence intelligence flags.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CadenceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = "cadence event (CadenceEventLog)"
        verbose_name_plural = "cadence events (CadenceEventLog)"
        indexes = [
            models.Index(fields=["sdr", "occurred_at"]),
            models.Index(fields=["cadence_type", "step"]),
        ]
        # The outcome funnel is nested, so rates computed from these rows stay between 0 and 1. (That a
        # touch names a prospect is checked on ingest only: deleting a Lead nulls ``lead`` and must not fail.)
        constraints = [
            models.CheckConstraint(condition=Q(step__gte=1), name="cadence_step_from_1"),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded=True), name="cadence_responded_at_needs_response"
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=F("occurred_at")),
                name="cadence_response_after_touch",
            ),
            models.CheckConstraint(
                condition=Q(meeting_booked=False) | Q(responded=True), name="cadence_meeting_is_a_response"
            ),
            models.CheckConstraint(
                condition=Q(meeting_accepted=False) | Q(meeting_booked=True), name="cadence_accepted_needs_booked"
            ),
            models.CheckConstraint(
                condition=Q(opportunity__isnull=True) | Q(meeting_booked=True), name="cadence_opportunity_needs_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadence_name or self.cadence_id} step {self.step} · {self.sdr}"
