from django.db import models
from django.db.models import Q

from ..querysets import AccountChildQuerySet
from .people import Role


class ConvIntelligenceCall(models.Model):
    """A recorded call scored by conversation intelligence (the AGT-407 role)."""

    class CallType(models.TextChoices):
        DISCOVERY = "discovery", "Discovery"
        DEMO = "demo", "Demo"
        NEGOTIATION = "negotiation", "Negotiation"
        ONBOARDING = "onboarding", "Onboarding"
        QBR = "qbr", "QBR"
        CHECK_IN = "check_in", "Check-in"
        OTHER = "other", "Other"

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    owner = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="calls")
    owner_role = models.CharField(max_length=20, choices=Role.choices, help_text="call_owner_role at call time")
    account = models.ForeignKey("crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="calls")
    opportunity = models.ForeignKey(
        "crm.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    occurred_at = models.DateTimeField()
    call_type = models.CharField(max_length=12, choices=CallType.choices, default=CallType.OTHER)
    duration_seconds = models.PositiveIntegerField(default=0)
    objections = models.JSONField(default=list, blank=True)
    competitor_mentions = models.JSONField(default=list, blank=True)
    next_steps = models.JSONField(default=list, blank=True)
    demoed = models.JSONField(default=list, blank=True, help_text="Features demoed or validated.")
    sentiment = models.FloatField(null=True, blank=True, help_text="-1 (negative) to 1 (positive)")
    talk_ratio = models.FloatField(null=True, blank=True, help_text="Share of talk time by the rep, 0–1")
    question_count = models.PositiveIntegerField(default=0)
    # Seed 001's discovery question quality: "question depth and qualification coverage detected from transcripts".
    question_depth = models.FloatField(
        null=True, blank=True, help_text="Share of the rep's questions that are open or follow-up, 0–1 (AGT-407)"
    )
    qualification_coverage = models.FloatField(
        null=True, blank=True, help_text="Share of the qualification criteria the call covered, 0–1 (AGT-407)"
    )
    quality_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    summary = models.TextField(blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = "ConvIntelligence call"
        indexes = [
            models.Index(fields=["owner", "occurred_at"]),
            models.Index(fields=["account", "occurred_at"]),
            models.Index(fields=["owner_role", "occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentiment__isnull=True) | (Q(sentiment__gte=-1) & Q(sentiment__lte=1)),
                name="call_sentiment_range",
            ),
            models.CheckConstraint(
                condition=Q(talk_ratio__isnull=True) | (Q(talk_ratio__gte=0) & Q(talk_ratio__lte=1)),
                name="call_talk_ratio_range",
            ),
            models.CheckConstraint(
                condition=Q(quality_score__isnull=True) | Q(quality_score__lte=100),
                name="call_quality_0_100",
            ),
            models.CheckConstraint(
                condition=(Q(question_depth__isnull=True) | (Q(question_depth__gte=0) & Q(question_depth__lte=1)))
                & (
                    Q(qualification_coverage__isnull=True)
                    | (Q(qualification_coverage__gte=0) & Q(qualification_coverage__lte=1))
                ),
                name="call_question_depth_and_coverage_0_1",
            ),
        ]


class OpportunityBriefLog(models.Model):
    """Deal-stage meeting notes (AGT-405): stated stage objectives and whether they were executed."""

    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.CASCADE, related_name="brief_logs")
    author = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL)
    logged_at = models.DateTimeField()
    stage = models.CharField(max_length=12, blank=True)
    meeting_notes = models.TextField(blank=True)
    stage_objectives = models.JSONField(default=list, blank=True)
    objectives_met = models.BooleanField(null=True, blank=True)
    risks = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-logged_at"]
        indexes = [models.Index(fields=["opportunity", "logged_at"])]


class DiscoveryBriefLog(models.Model):
    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.CASCADE, related_name="discovery_logs")
    author = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL)
    logged_at = models.DateTimeField()
    pains = models.TextField(blank=True)
    technical_requirements = models.TextField(blank=True)
    technical_objections = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-logged_at"]


class RepActivity(models.Model):
    """Seed 001's cross-cutting activity log: rep_id, role, activity_date, activity_type, account, contact."""

    class ActivityType(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        QBR = "qbr", "QBR"
        OUTREACH = "outreach", "Outreach"
        NOTE = "note", "Note"

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="activities")
    role = models.CharField(max_length=20, choices=Role.choices)
    activity_date = models.DateField()
    activity_type = models.CharField(max_length=10, choices=ActivityType.choices)
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    notes = models.TextField(blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-activity_date"]
        verbose_name_plural = "rep activities"
        indexes = [
            models.Index(fields=["rep", "activity_date"]),
            models.Index(fields=["account", "activity_date"]),
        ]
