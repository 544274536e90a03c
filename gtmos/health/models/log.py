from django.db import models
from django.db.models import Q

from gtmos.core import clock
from gtmos.crm.querysets import AccountChildQuerySet


class Tier(models.TextChoices):
    # Ordered from safest to worst; ``RISK_ORDER`` sorts by risk.
    LOW = "low", "Low risk"
    MEDIUM = "medium", "Medium risk"
    HIGH = "high", "High risk"
    CRITICAL = "critical", "Critical risk"


RISK_ORDER = {Tier.CRITICAL: 0, Tier.HIGH: 1, Tier.MEDIUM: 2, Tier.LOW: 3}
AT_RISK_TIERS = (Tier.HIGH, Tier.CRITICAL)


class LifecycleSegment(models.TextChoices):
    """Seed 004's customer segments. At-Risk (tier High or Critical) wins over tenure."""

    NEW = "new", "New"
    GROWING = "growing", "Growing"
    ESTABLISHED = "established", "Established"
    AT_RISK = "at_risk", "At-Risk"


class CustomerHealthLog(models.Model):
    """One row per account per day: the AGT-501 health record.

    ``measures`` maps each measure code to its 0–100 score, or null when it is a data gap; ``inputs`` keeps
    the raw values behind them so the explain page can say "12 login days of 30" rather than a bare number.
    """

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="health_log")
    day = models.DateField()
    score = models.PositiveSmallIntegerField(help_text="The score in force: the override if one is active.")
    computed_score = models.PositiveSmallIntegerField(help_text="What the model computed, kept beside any override.")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    lifecycle_segment = models.CharField(max_length=11, choices=LifecycleSegment.choices)
    in_onboarding = models.BooleanField(default=False)
    coverage_pct = models.PositiveSmallIntegerField(help_text="Share of the weight backed by data (not gaps).")
    components = models.JSONField(default=dict, help_text='{"engagement": {"score": 62, "points": 19.5}, …}')
    measures = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict)
    data_gaps = models.JSONField(default=list)
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_change = models.SmallIntegerField(null=True, blank=True)
    drivers = models.JSONField(default=list, blank=True, help_text="The measures that moved the score most.")
    override = models.ForeignKey(
        "health.HealthOverride", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="health_log_account_day"),
            models.CheckConstraint(
                condition=Q(score__lte=100) & Q(computed_score__lte=100) & Q(coverage_pct__lte=100),
                name="health_log_scores_0_100",
            ),
        ]
        indexes = [models.Index(fields=["day", "tier"]), models.Index(fields=["day", "score"])]

    def __str__(self) -> str:
        return f"{self.account} · {self.day} · {self.score}"

    @property
    def is_overridden(self) -> bool:
        return self.override_id is not None


class OverrideQuerySet(AccountChildQuerySet):
    def active(self, today=None):
        today = today or clock.today()
        return self.filter(cleared_at__isnull=True, expires_on__gte=today)


class HealthOverride(models.Model):
    """A CSM's or manager's manual score, with a reason; the computed score stays on the log beside it."""

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="health_overrides")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    set_by = models.ForeignKey("crm.Employee", null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=clock.now)
    expires_on = models.DateField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="health_override_0_100"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(cleared_at__isnull=True), name="health_override_one_active"
            ),
        ]
