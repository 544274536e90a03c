"""The health inputs that arrive from neighbouring systems, each with an API and CSV import path.

Logins and feature usage come from the usage feed (``crm.UsageDaily`` / ``crm.UsageEvent``); contacts'
engagement and rep activity from the CRM records.
"""

from django.db import models
from django.db.models import Q

from gtmos.crm.querysets import AccountChildQuerySet


class SurveyResponse(models.Model):
    """NPS (0–10) or CSAT (1–5) answers from the survey tool."""

    class Kind(models.TextChoices):
        NPS = "nps", "NPS"
        CSAT = "csat", "CSAT"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey("crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    score = models.PositiveSmallIntegerField()
    responded_on = models.DateField()
    comment = models.TextField(blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-responded_on"]
        indexes = [models.Index(fields=["account", "kind", "responded_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="nps") & Q(score__lte=10)) | (Q(kind="csat") & Q(score__gte=1) & Q(score__lte=5)),
                name="survey_score_in_scale",
            ),
        ]


class SupportTicket(models.Model):
    class Priority(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="support_tickets")
    subject = models.CharField(max_length=300, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on"]
        indexes = [models.Index(fields=["account", "opened_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="ticket_closed_after_opened",
            ),
        ]


class QBRLog(models.Model):
    """Quarterly business reviews: scheduled, completed (with an outcome) or cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEUTRAL = "neutral", "Neutral"
        NEGATIVE = "negative", "Negative"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="qbrs")
    owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_for = models.DateField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.SCHEDULED)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    exec_sponsor_attended = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        verbose_name = "QBR log"
        ordering = ["-scheduled_for"]
        indexes = [models.Index(fields=["account", "completed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False), name="qbr_completed_has_date"
            ),
        ]


class ExpansionLog(models.Model):
    """Expansion plays (upsell, cross-sell, seats): opened, won, lost, or suppressed while at risk."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        SUPPRESSED = "suppressed", "Suppressed"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="expansion_plays")
    play = models.CharField(max_length=100, help_text="e.g. seat expansion, cross-sell analytics")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    reason = models.TextField(blank=True, help_text="Why it was lost or suppressed.")

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on"]
        indexes = [models.Index(fields=["account", "opened_on"])]


class AdvocacyRecord(models.Model):
    """Referrals and advocacy: a referral given, a case study, a reference call, a public review."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        CASE_STUDY = "case_study", "Case study"
        REFERENCE_CALL = "reference_call", "Reference call"
        REVIEW = "review", "Public review"
        TESTIMONIAL = "testimonial", "Testimonial"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="advocacy")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    occurred_on = models.DateField()
    notes = models.TextField(blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on"]
        indexes = [models.Index(fields=["account", "occurred_on"])]
