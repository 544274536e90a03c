"""Seed 001's RepSkillAssessmentLog: rep × skill dimension × assessment date, detected, never self-reported."""

from django.db import models

from gtmos.crm.models import Role
from gtmos.crm.querysets import RepRecordQuerySet


class SkillDimension(models.TextChoices):
    OBJECTION_HANDLING = "objection_handling", "Objection handling"
    PRODUCT_KNOWLEDGE = "product_knowledge", "Product knowledge"
    PRICING_NEGOTIATION = "pricing_negotiation", "Pricing / negotiation"
    SALES_METHODOLOGY = "sales_methodology", "Sales methodology"
    DISCOVERY_QUESTIONS = "discovery_questions", "Discovery question quality"
    TALK_TIME = "talk_time", "Talk time ratio"


class RepSkillAssessmentLog(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Source(models.TextChoices):
        CONV_INTELLIGENCE = "ConvIntelligence", "ConvIntelligence"
        QUOTE_LOG = "QuoteLog", "QuoteLog"
        CADENCE = "CadenceEventLog", "CadenceEventLog"
        EXPANSION_LOG = "ExpansionLog", "ExpansionLog"

    class Trend(models.TextChoices):
        IMPROVING = "improving", "Improving"
        STABLE = "stable", "Stable"
        DETERIORATING = "deteriorating", "Deteriorating"

    rep = models.ForeignKey("crm.Employee", on_delete=models.CASCADE, related_name="skill_assessments")
    role = models.CharField(max_length=20, choices=Role.choices)
    assessment_date = models.DateField()
    skill_dimension = models.CharField(max_length=20, choices=SkillDimension.choices)
    gap_detected = models.BooleanField()
    severity = models.CharField(max_length=6, choices=Severity.choices, blank=True)
    evidence_source = models.CharField(max_length=16, choices=Source.choices)
    trend = models.CharField(max_length=13, choices=Trend.choices, default=Trend.STABLE)
    cohort_percentile = models.PositiveSmallIntegerField(help_text="Rep vs the role cohort, 0–100 (higher is better).")
    value = models.FloatField(help_text="The measurement behind it, in the evidence's own unit.")
    sample = models.PositiveIntegerField(default=0)

    objects = RepRecordQuerySet.as_manager()  # the rep, their managers and SLM

    class Meta:
        ordering = ["-assessment_date", "skill_dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "skill_dimension", "assessment_date"], name="skill_once_per_rep_dimension_day"
            )
        ]
        indexes = [models.Index(fields=["assessment_date"])]
