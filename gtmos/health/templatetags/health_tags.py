from django import template

from ..models import LifecycleSegment, RiskStage, Tier

register = template.Library()

TIER_CLASS = {Tier.LOW: "good", Tier.MEDIUM: "", Tier.HIGH: "warn", Tier.CRITICAL: "bad"}
TIER_LABEL = dict(Tier.choices)
SEGMENT_LABEL = dict(LifecycleSegment.choices)
STAGE_LABEL = dict(RiskStage.choices)


@register.filter
def tier_class(tier: str) -> str:
    return TIER_CLASS.get(tier, "")


@register.filter
def tier_label(tier: str) -> str:
    return TIER_LABEL.get(tier, tier)


@register.filter
def segment_label(segment: str) -> str:
    return SEGMENT_LABEL.get(segment, segment)


@register.filter
def stage_label(stage: str) -> str:
    return STAGE_LABEL.get(stage, stage or "")


@register.filter
def signed(value) -> str:
    """+5 / −3 / 0 for score changes (a true minus sign reads better than a hyphen)."""
    if value is None or value == "":
        return "—"
    value = float(value)
    text = f"{abs(value):g}"
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else "0")
