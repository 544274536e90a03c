from django.db import models
from django.db.models import Q

from ..querysets import OpportunityQuerySet


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    DISCOVERY = "discovery", "Discovery"
    DEMO = "demo", "Demo / solution"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSED_WON = "closed_won", "Closed won"
    CLOSED_LOST = "closed_lost", "Closed lost"

    @classmethod
    def ladder(cls) -> list["Stage"]:
        """Open stages in order; closed won sits at the top, closed lost is off the ladder."""
        return [cls.PROSPECTING, cls.DISCOVERY, cls.DEMO, cls.PROPOSAL, cls.NEGOTIATION, cls.CLOSED_WON]

    @classmethod
    def at_or_after(cls, stage: "Stage") -> list[str]:
        ladder = cls.ladder()
        return [s.value for s in ladder[ladder.index(stage) :]]

    @classmethod
    def rank(cls, stage: str) -> int:
        values = [s.value for s in cls.ladder()]
        return values.index(stage) if stage in values else -1


CLOSED_STAGES = (Stage.CLOSED_WON, Stage.CLOSED_LOST)


class Opportunity(models.Model):
    class Type(models.TextChoices):
        NEW = "new", "New business"
        RENEWAL = "renewal", "Renewal"
        EXPANSION = "expansion", "Expansion"

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.NEW)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PROSPECTING)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    acv = models.DecimalField("ACV", max_digits=14, decimal_places=2, default=0)
    sam_value = models.DecimalField("SAM value", max_digits=14, decimal_places=2, default=0)
    deal_health_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100 (AGT-401).")
    deal_risk_flags = models.JSONField(default=list, blank=True, help_text="Risk flags from deal health.")
    close_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    contract_start_date = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_opportunities"
    )
    se = models.ForeignKey(
        "crm.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="se_opportunities",
        verbose_name="SE",
    )
    am = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="am_opportunities"
    )
    csm = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="csm_opportunities"
    )
    sdr = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="sourced_opportunities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "opportunities"
        indexes = [
            # The pre-close trigger scans open deals by stage and deal health.
            models.Index(fields=["stage", "deal_health_score"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["account", "type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deal_health_score__isnull=True) | Q(deal_health_score__lte=100),
                name="opportunity_health_0_100",
            ),
            models.CheckConstraint(condition=Q(acv__gte=0), name="opportunity_acv_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class OpportunityStageChange(models.Model):
    """Stage history: conversion rates and days-per-stage (AGT-701) read these rows."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["changed_at"]
        indexes = [models.Index(fields=["opportunity", "changed_at"])]


class Product(models.Model):
    """A PricingConfig SKU."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    is_api_consumption = models.BooleanField(
        default=False, help_text="API / consumption SKU: signals implementation complexity."
    )
    is_implementation_service = models.BooleanField(default=False)
    list_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = "product (PricingConfig SKU)"

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="quotes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    term_months = models.PositiveSmallIntegerField(default=12)
    discount_pct = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    term_exception = models.BooleanField(default=False, help_text="Non-standard term approved by deal desk.")
    configuration_notes = models.TextField(blank=True, help_text="What was configured / promised.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0) & Q(discount_pct__lte=100), name="quote_discount_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Quote {self.external_id or self.pk} · {self.opportunity}"


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="quote_lines")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_pct = models.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0) & Q(discount_pct__lte=100), name="quoteline_discount_0_100"
            ),
        ]


class ImplementationSOW(models.Model):
    """Seed 000's ImplementationSOW: hours, roles and timeline when services are purchased."""

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="sows")
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="sows")
    hours = models.PositiveIntegerField(default=0)
    roles = models.JSONField(default=list, blank=True, help_text='e.g. ["Implementation Engineer"]')
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    signed = models.BooleanField(default=False)

    class Meta:
        verbose_name = "implementation SOW"
