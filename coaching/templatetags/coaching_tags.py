from django import template

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


BAR_ROW = 18  # px per bar in the section charts
BAR_WIDTH = 140


@register.filter
def count_bars(rows, key):
    """Horizontal bar geometry for a count per row (the manager roll-up's reps per pattern)."""
    rows = [r for r in rows or () if r.get(key)][:8]
    top = max((r[key] for r in rows), default=0)
    return [{"label": r["label"], "short": r["label"][:24] + ("…" if len(r["label"]) > 24 else ""), "n": r[key],
             "y": i * BAR_ROW, "w": max(2, round(BAR_WIDTH * r[key] / top))} for i, r in enumerate(rows)]


@register.filter
def bar_height(n):
    return max(1, n) * BAR_ROW
