"""RevOps-owned health configuration: component weights, measure thresholds, tiers, segments.

One row (pk=1) with the seeds' defaults; every change through admin is audited (config.changed).
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

from gtmos.core.memo import RequestMemoSingleton


class HealthSettings(RequestMemoSingleton, models.Model):
    # Seed 004's four components. The four must add up to 100 (a check constraint says so).
    weight_engagement = models.PositiveSmallIntegerField(default=30)
    weight_adoption = models.PositiveSmallIntegerField(default=25)
    weight_satisfaction = models.PositiveSmallIntegerField(default=25)
    weight_growth = models.PositiveSmallIntegerField(default=20)

    # DESIGN: ≥ 75 Low risk, 50–74 Medium, 25–49 High, < 25 Critical.
    tier_low_min = models.PositiveSmallIntegerField("Low risk from score", default=75)
    tier_medium_min = models.PositiveSmallIntegerField("Medium risk from score", default=50)
    tier_high_min = models.PositiveSmallIntegerField("High risk from score", default=25)

    # Seed 004's lifecycle segments: New 0–90 days, Growing 90–180, Established 180+.
    growing_from_day = models.PositiveSmallIntegerField(default=90)
    established_from_day = models.PositiveSmallIntegerField(default=180)

    # Measure thresholds: the value at which a measure scores 100 (and, for decays, 0).
    login_days_target = models.PositiveSmallIntegerField(
        default=20, help_text="Login days in the last 30 that score 100."
    )
    feature_breadth_target = models.PositiveSmallIntegerField(
        default=5, help_text="Distinct features used in 30 days that score 100."
    )
    seat_utilization_target_pct = models.PositiveSmallIntegerField(
        default=80, help_text="Active seats / contracted that scores 100."
    )
    usage_trend_floor_pct = models.PositiveSmallIntegerField(
        default=50, help_text="Last 30 days vs the 30 before: at or below scores 0."
    )
    usage_trend_full_pct = models.PositiveSmallIntegerField(
        default=110, help_text="Last 30 days vs the 30 before: at or above scores 100."
    )
    recency_full_days = models.PositiveSmallIntegerField(
        default=14, help_text="Engagement recency: touched within scores 100."
    )
    recency_zero_days = models.PositiveSmallIntegerField(
        default=90, help_text="Engagement recency: untouched this long scores 0."
    )
    exec_full_days = models.PositiveSmallIntegerField(default=30, help_text="Exec sponsor engaged within scores 100.")
    exec_zero_days = models.PositiveSmallIntegerField(default=120, help_text="Exec sponsor silent this long scores 0.")
    survey_lookback_days = models.PositiveSmallIntegerField(
        default=180, help_text="NPS/CSAT older than this is a data gap."
    )
    ticket_lookback_days = models.PositiveSmallIntegerField(default=90)
    ticket_penalties = models.JSONField(
        default=dict, blank=True, help_text="Points off 100 per ticket opened in the lookback, by priority."
    )
    growth_lookback_days = models.PositiveSmallIntegerField(default=365, help_text="Expansion and advocacy window.")
    advocacy_target = models.PositiveSmallIntegerField(
        default=2, help_text="Advocacy acts in the window that score 100."
    )

    # Outputs.
    mover_points = models.PositiveSmallIntegerField(default=10, help_text="A change of this many points is a mover.")
    low_coverage_pct = models.PositiveSmallIntegerField(
        default=50, help_text="Below this weight coverage the score is flagged low confidence."
    )
    override_days = models.PositiveSmallIntegerField(
        default=30, help_text="A manual override expires after this many days."
    )
    task_overdue_escalation_days = models.PositiveSmallIntegerField(
        default=2, help_text="Retention tasks this many days overdue escalate to the CSM's manager."
    )

    class Meta:
        verbose_name = verbose_name_plural = "health settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="health_settings_singleton"),
            models.CheckConstraint(
                condition=Exact(
                    F("weight_engagement") + F("weight_adoption") + F("weight_satisfaction") + F("weight_growth"), 100
                ),
                name="health_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(tier_low_min__gt=F("tier_medium_min")) & Q(tier_medium_min__gt=F("tier_high_min")),
                name="health_tiers_ordered",
            ),
            models.CheckConstraint(
                condition=Q(established_from_day__gt=F("growing_from_day")), name="health_segments_ordered"
            ),
            models.CheckConstraint(
                condition=Q(usage_trend_full_pct__gt=F("usage_trend_floor_pct")), name="health_trend_band_ordered"
            ),
            models.CheckConstraint(
                condition=Q(recency_zero_days__gt=F("recency_full_days")) & Q(exec_zero_days__gt=F("exec_full_days")),
                name="health_recency_ordered",
            ),
        ]

    def __str__(self) -> str:
        return "Health settings"

    DEFAULT_TICKET_PENALTIES = {"urgent": 30, "high": 15, "normal": 5, "low": 2}

    @classmethod
    def _load(cls) -> "HealthSettings":  # load(): once per GET request (gtmos/core/memo.py)
        obj, _ = cls.objects.get_or_create(pk=1, defaults={"ticket_penalties": dict(cls.DEFAULT_TICKET_PENALTIES)})
        return obj

    def clean(self):
        from django.core.exceptions import ValidationError

        total = self.weight_engagement + self.weight_adoption + self.weight_satisfaction + self.weight_growth
        if total != 100:
            raise ValidationError(f"The four component weights must add up to 100 (they add up to {total}).")

    @property
    def weights(self) -> dict[str, int]:
        return {
            "engagement": self.weight_engagement,
            "adoption": self.weight_adoption,
            "satisfaction": self.weight_satisfaction,
            "growth": self.weight_growth,
        }
