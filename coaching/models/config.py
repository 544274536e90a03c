"""RevOps/enablement-owned coaching configuration: the seed 001 thresholds and the action playbook."""

from django.db import models
from django.db.models import Q

from gtmos.core.memo import RequestMemoSingleton
from gtmos.crm.models import Role


class CoachingSettings(RequestMemoSingleton, models.Model):
    """One row (pk=1) with seed 001's defaults; changes through admin are audited."""

    # Escalation flow: week 1 flag → week 3 (same pattern, no improvement) → SLM.
    escalate_after_weeks = models.PositiveSmallIntegerField(
        default=3, help_text="Consecutive weekly flags of one pattern, without improvement, that escalate to the SLM."
    )
    # Seed 001: "Week 1 — pattern flagged": the first weekly breach is a pattern unless RevOps asks for more.
    pattern_min_weeks = models.PositiveSmallIntegerField(
        default=1, help_text="A metric gap must show in this many consecutive weekly measurements to be a pattern."
    )
    improvement_pct = models.PositiveSmallIntegerField(
        default=10, help_text="The flagged metric moving the right way by this % vs the prior period resets the clock."
    )
    # Escalation-threshold table.
    ae_attainment_floor_pct = models.PositiveSmallIntegerField(default=50)
    ae_weeks_left = models.PositiveSmallIntegerField(default=6)
    attainment_counts_committed = models.BooleanField(
        default=False,
        help_text="Count committed deals as attained in the < 50% row (the seed's attainment is closed / "
        "quota; pace, in the performance summary, always counts closed + committed).",
    )
    quality_quartile_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Days in the role cohort's bottom quartile of conversation quality before the manager hears.",
    )
    book_drop_share_pct = models.PositiveSmallIntegerField(
        default=50, help_text="More than this % of a rep's book dropping a tier in one period → manager + SLM."
    )
    book_drop_period_days = models.PositiveSmallIntegerField(default=30)
    # Daily flags (DESIGN): critical bound = the role cohort's 10th percentile; 3 flags in 14 days → escalation path.
    critical_percentile = models.PositiveSmallIntegerField(default=10)
    repeat_flags = models.PositiveSmallIntegerField(default=3)
    repeat_flags_days = models.PositiveSmallIntegerField(default=14)
    # DESIGN defaults for AM metrics.
    renewal_open_days = models.PositiveSmallIntegerField(
        default=120, help_text="A renewal opportunity opened fewer days than this before the renewal date is late."
    )
    qbr_every_days = models.PositiveSmallIntegerField(
        default=92, help_text="Enterprise and Mid-Market accounts need a completed QBR at least this often."
    )
    role_period_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="A rep is measured in the role of their latest RepActivity within this many days of the "
        "run (seed 001: role from RepActivity at runtime); without one, their employee role.",
    )
    # Minimum sample before a rate is a measurement rather than noise.
    min_sample = models.PositiveSmallIntegerField(default=5)
    # Holidays the first-business-day rule skips, as ISO dates.
    holidays = models.JSONField(default=list, blank=True, help_text='e.g. ["2027-01-01"]')
    # Per-metric overrides of the registry's gap thresholds: {"stage_conversion:discovery>demo": 12}.
    gap_overrides = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "coaching settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="coaching_settings_singleton")]

    def __str__(self) -> str:
        return "Coaching settings"

    @classmethod
    def _load(cls) -> "CoachingSettings":  # load(): once per GET request (gtmos/core/memo.py)
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class CriticalBound(models.Model):
    """The bound past which one metric of one role raises a daily flag (DESIGN: "any metric worse than its
    critical bound (a RevOps setting per metric; default: the role cohort's 10th percentile)").

    ``value`` set: a fixed bound in the metric's unit. Otherwise ``percentile``: the worst ``percentile``% of
    the role cohort (its 10th percentile for a higher-is-better metric, its 90th for a lower-is-better one),
    and the rep must also be past the metric's benchmark gap. One row per metric family: a stage pair, a
    cadence step or a stage's velocity share their family's bound."""

    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in (Role.AE, Role.AM, Role.CSM, Role.SDR)])
    metric = models.CharField(max_length=60, help_text="Metric code (the family: the part before ':').")
    percentile = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=10,
        help_text="Worst share of the role cohort that is critical (used when no value).",
    )
    value = models.FloatField(
        null=True, blank=True, help_text="A fixed bound in the metric's unit; replaces the percentile."
    )

    class Meta:
        ordering = ["role", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["role", "metric"], name="coaching_bound_once_per_role_metric"),
            models.CheckConstraint(
                condition=Q(percentile__isnull=False) | Q(value__isnull=False), name="coaching_bound_has_a_rule"
            ),
            models.CheckConstraint(
                condition=Q(percentile__isnull=True) | Q(percentile__lte=50),
                name="coaching_bound_percentile_at_most_half",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.metric}"

    @classmethod
    def as_rules(cls) -> dict[tuple[str, str], tuple[int | None, float | None]]:
        return {(b.role, b.metric): (b.percentile, b.value) for b in cls.objects.all()}


class CoachingPlay(models.Model):
    """An entry of the coaching action playbook, edited by enablement/RevOps in admin.

    ``action`` is a template filled from the pattern's evidence, so a recommendation names the deals,
    calls or cadence step behind it: {rep}, {value}, {benchmark}, {gap}, {weeks}, {evidence} and the
    metric's own evidence keys (e.g. {deals}, {calls}, {step})."""

    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in (Role.AE, Role.AM, Role.CSM, Role.SDR)])
    metric = models.CharField(max_length=60, help_text="Metric code, or its family (the part before ':').")
    title = models.CharField(max_length=200)
    action = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "metric"]
        constraints = [models.UniqueConstraint(fields=["role", "metric"], name="coaching_play_once_per_role_metric")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.metric}"
