"""RevOps-editable router configuration: the trade library and the router's thresholds.

Neither is read inside ``route()``: ``routing.config.router_config_load`` reads them once and hands the
router a frozen ``RouterConfig``, so the router stays a pure function of its arguments.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from .enums import TakeoffFamily


class TradeConfig(models.Model):
    """One row of the 34-trade library (seed 002 "TradeConfig"). Position overrides live in the white-glove
    BattlePack, not here."""

    trade = models.SlugField(max_length=40, unique=True, help_text="TRADES[].value, e.g. drywall.")
    label = models.CharField(max_length=80)
    lander = models.CharField(max_length=60, unique=True, help_text='/{trade} → "{Label} OS".')
    takeoff_family = models.CharField(max_length=8, choices=TakeoffFamily.choices)
    takeoff_recipe = models.JSONField(default=list, help_text="What Sarah extracts from the plans.")
    value_lever = models.CharField(max_length=200)
    money_flag = models.CharField(max_length=200, help_text="The change-order / lead-time gotcha.")
    keywords = models.JSONField(default=list, blank=True, help_text="Site words the classifier matches.")
    active = models.BooleanField(default=True, help_text="Retire instead of deleting.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "trade"]
        verbose_name = "trade config"

    def __str__(self) -> str:
        return f"{self.label} ({self.get_takeoff_family_display()})"

    @property
    def lander_title(self) -> str:
        return f"{self.label} OS"


class RouterSettings(models.Model):
    """The router's numbers (seed 002 "Routing logic" and DESIGN.md defaults). One row (pk=1)."""

    theta = models.DecimalField(
        "θ (confidence threshold)",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.85"),
        help_text="Assert a field at or above θ; ask it below.",
    )
    # Revenue bands (annual revenue, $). micro < micro_max ≤ small < small_max ≤ mid < mid_max ≤ large <
    # large_max ≤ enterprise. The seed fixes the small/mid and mid/large edges; the micro and enterprise edges
    # are ours (DESIGN.md: SizeBand has five values, the seed's sketch three).
    gc_micro_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("2000000"))
    gc_small_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("10000000"))
    gc_mid_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("500000000"))
    gc_large_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("2000000000"))
    sub_micro_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("2000000"))
    sub_small_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("10000000"))
    sub_mid_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("100000000"))
    sub_large_max = models.DecimalField(max_digits=16, decimal_places=0, default=Decimal("500000000"))
    # ACV bands (DESIGN.md): < 25k micro/small, 25k–150k mid, ≥ 150k large. ACV wins ties.
    acv_small_max = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal("25000"))
    acv_mid_max = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal("150000"))

    class Meta:
        verbose_name = verbose_name_plural = "router settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="router_settings_singleton"),
            models.CheckConstraint(condition=Q(theta__gt=0) & Q(theta__lte=1), name="router_theta_in_0_1"),
        ]

    def __str__(self) -> str:
        return "Router settings"

    @classmethod
    def load(cls) -> "RouterSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
