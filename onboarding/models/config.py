"""RevOps-owned configuration: thresholds, value events, milestone sets. Every change is audited."""

from django.db import models
from django.db.models import Q

from gtmos.core.memo import RequestMemoSingleton
from gtmos.crm.models import Segment


class Milestone(models.TextChoices):
    """Seed 000's seven standard milestones."""

    M1 = "M1", "Technical setup / integration complete"
    M2 = "M2", "Admin training delivered"
    M3 = "M3", "End-user training delivered"
    M4 = "M4", "First value event achieved"
    M5 = "M5", "Executive sponsor briefed post-go-live"
    M6 = "M6", "Adoption threshold reached"
    M7 = "M7", "Formal onboarding close"


class OnboardingSettings(RequestMemoSingleton, models.Model):
    """The thresholds seed 000 calls configurable, with its defaults. One row (pk=1)."""

    preclose_health_threshold = models.PositiveSmallIntegerField(
        default=70, help_text="Deal health ≥ this fires pre-close."
    )
    preclose_min_stage = models.CharField(
        max_length=12, default="proposal", help_text="Stage at or after which pre-close fires."
    )
    eligibility_acv_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=100_000)
    eligibility_sam_threshold = models.DecimalField(max_digits=14, decimal_places=2, default=500_000)
    ttv_default_smb = models.PositiveSmallIntegerField("TTV default SMB (days)", default=30)
    ttv_default_mm = models.PositiveSmallIntegerField("TTV default Mid-Market (days)", default=60)
    ttv_default_ent = models.PositiveSmallIntegerField("TTV default Enterprise (days)", default=90)
    adoption_threshold_pct = models.PositiveSmallIntegerField(default=60, help_text="M6: % of contracted volume.")
    exec_sponsor_flag_pct = models.PositiveSmallIntegerField(
        default=50, help_text="M5 flagged when not done by this % of the TTV window."
    )
    unresponsive_alert_after = models.PositiveSmallIntegerField(
        default=2, help_text="Unanswered outreaches → CSM + AM."
    )
    unresponsive_slm_after = models.PositiveSmallIntegerField(default=3, help_text="Unanswered outreaches → SLM.")
    ttv_slm_window_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days before the TTV deadline for the SLM rule."
    )
    map_signoff_window_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after close to obtain MAP sign-off."
    )
    success_task_remind_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Customer-success tasks (30-day check-in, renewal/expansion review) remind their owner "
        "this many days before they are due, and again once overdue.",
    )
    escalation_renudge_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="An onboarding escalation still open this many days is sent again to the same people "
        "(0: no reminders).",
    )
    product_onboarding_skus = models.JSONField(
        default=list,
        blank=True,
        help_text="SKUs whose renewal or expansion close starts its own product onboarding plan. Any other "
        "renewal or expansion updates the account and does not reopen onboarding.",
    )
    complexity_keywords = models.JSONField(
        default=list,
        blank=True,
        help_text="Words in discovery notes or call objections that mean a complex integration.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "onboarding settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="onboarding_settings_singleton")]

    def __str__(self) -> str:
        return "Onboarding settings"

    @classmethod
    def _load(cls) -> "OnboardingSettings":  # load(): once per GET request (gtmos/core/memo.py)
        obj, _ = cls.objects.get_or_create(
            pk=1, defaults={"complexity_keywords": ["integration", "api", "sso", "erp", "migration"]}
        )
        return obj

    def ttv_default(self, segment: str) -> int:
        return {Segment.SMB: self.ttv_default_smb, Segment.MM: self.ttv_default_mm}.get(segment, self.ttv_default_ent)


class ProductValueEvent(models.Model):
    """Seed 000's ProductValueEvents: the first meaningful usage events RevOps defines per product."""

    class Detection(models.TextChoices):
        AUTO = "auto_usage_feed", "Auto (usage feed)"
        MANUAL = "csm_manual", "CSM manual"
        BOTH = "both", "Both"

    product = models.ForeignKey("crm.Product", on_delete=models.PROTECT, related_name="value_events")
    event_name = models.CharField(max_length=200)
    detection_method = models.CharField(max_length=16, choices=Detection.choices, default=Detection.BOTH)
    detection_signal = models.CharField(
        max_length=100, blank=True, help_text="Usage-feed event name that auto-detects this value event."
    )
    segment_ttv_default_days = models.JSONField(default=dict, blank=True, help_text='e.g. {"smb":30,"mm":60,"ent":90}')
    active = models.BooleanField(default=True, help_text="Retire instead of deleting.")

    class Meta:
        ordering = ["product__sku", "event_name"]
        verbose_name = "product value event"

    def __str__(self) -> str:
        return f"{self.event_name} ({self.product.sku})"

    @property
    def auto_detectable(self) -> bool:
        return self.detection_method != self.Detection.MANUAL and bool(self.detection_signal)

    def delete(self, *args, **kwargs):
        raise models.ProtectedError("Retire a value event (active = False) instead of deleting it", {self})


class OnboardingMilestoneConfig(models.Model):
    """The milestone set per segment (and optionally per product): offsets on a 90-day baseline,
    scaled to each plan's TTV target."""

    segment = models.CharField(max_length=5, choices=Segment.choices)
    product = models.ForeignKey(
        "crm.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: the segment default. Set: overrides for deals with this SKU.",
    )
    code = models.CharField(max_length=2, choices=Milestone.choices)
    name = models.CharField(max_length=200, blank=True)
    day_offset = models.PositiveSmallIntegerField(help_text="Day on a 90-day plan; scaled to the TTV target.")
    owner_role = models.CharField(max_length=20, default="csm")
    evidence_required = models.BooleanField(default=False, help_text="e.g. M3 needs an attendance log or assessment.")
    scheduled_items = models.JSONField(default=list, blank=True, help_text='e.g. ["Admin training session"]')
    included = models.BooleanField(default=True)

    class Meta:
        ordering = ["segment", "product_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "code"], condition=Q(product__isnull=True), name="milestone_config_segment_default"
            ),
            models.UniqueConstraint(
                fields=["segment", "product", "code"],
                condition=Q(product__isnull=False),
                name="milestone_config_segment_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment} {self.code} day {self.day_offset}"
