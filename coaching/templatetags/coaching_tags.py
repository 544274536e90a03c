from django import template

from coaching.access import can_coach as _can_coach
from coaching.recommend import fmt

register = template.Library()


@register.filter
def metric(value, unit):
    """A metric value in its unit: 42% · 12.5 days · 0.61."""
    return fmt(value, unit)


@register.filter
def status_class(status):
    return {"critical": "bad", "gap": "warn", "ok": "ok"}.get(status, "")


@register.filter
def bench(kind):
    from coaching.recommend import BENCH_WORDS

    return BENCH_WORDS.get(kind, kind)


@register.filter
def can_coach(user):
    """Whether to draw the manager tabs (the pages behind them answer 404 otherwise)."""
    return _can_coach(user)
