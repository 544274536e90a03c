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


BAR_ROW = 18  # px per bar in the section charts
BAR_WIDTH = 140


@register.filter
def count_bars(rows, key):
    """Horizontal bar geometry for a count per row (the manager roll-up's reps per pattern)."""
    rows = [r for r in rows or () if r.get(key)][:8]
    top = max((r[key] for r in rows), default=0)
    return [
        {
            "label": r["label"],
            "short": r["label"][:24] + ("…" if len(r["label"]) > 24 else ""),
            "n": r[key],
            "y": i * BAR_ROW,
            "w": max(2, round(BAR_WIDTH * r[key] / top)),
        }
        for i, r in enumerate(rows)
    ]


@register.filter
def bar_height(n):
    return max(1, n) * BAR_ROW


@register.filter
def metric_bars(rows):
    """Value against benchmark per measured metric: each row on its own scale (the larger of the two plus a
    margin), so a 3% response rate and a 90% attainment both read. Text stays in the table beside it."""
    out = []
    for r in rows or ():
        if r.get("value") is None or r.get("benchmark") is None:
            continue
        top = max(abs(r["value"]), abs(r["benchmark"]), 1e-9) * 1.15
        out.append(
            {
                "label": r["label"],
                "short": r["label"][:24] + ("…" if len(r["label"]) > 24 else ""),
                "y": len(out) * BAR_ROW,
                "w": max(2, round(BAR_WIDTH * abs(r["value"]) / top)),
                "mark": 150 + round(BAR_WIDTH * abs(r["benchmark"]) / top),
                "status": r["status"],
                "text": f"{fmt(r['value'], r['unit'])} vs {fmt(r['benchmark'], r['unit'])}",
            }
        )
    return out[:10]


@register.filter
def percentile_bars(skills):
    return [
        {
            "label": s["dimension"],
            "short": s["dimension"][:24],
            "y": i * BAR_ROW,
            "w": max(2, round(BAR_WIDTH * s["percentile"] / 100)),
            "mark": 150 + round(BAR_WIDTH * 25 / 100),
            "status": "gap" if s["gap"] else "ok",
            "text": f"{s['percentile']}th percentile",
        }
        for i, s in enumerate(skills or ())
    ]


SPARK_W, SPARK_H = 160, 36


@register.filter
def spark(history):
    """A pattern's weekly values as a polyline, with the benchmark's as a dashed one."""
    points = [h for h in history or () if h.get("value") is not None]
    if len(points) < 2:
        return None
    values = [h["value"] for h in points] + [h["benchmark"] for h in points if h.get("benchmark") is not None]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1

    def line(key):
        pts = [
            (round(i * SPARK_W / (len(points) - 1)), round(SPARK_H - 4 - (h[key] - lo) * (SPARK_H - 8) / span))
            for i, h in enumerate(points)
            if h.get(key) is not None
        ]
        return " ".join(f"{x},{y}" for x, y in pts)

    return {
        "value": line("value"),
        "benchmark": line("benchmark"),
        "first": points[0]["week"],
        "last": points[-1]["week"],
        "n": len(points),
    }


@register.filter
def can_coach(user):
    """Whether to draw the manager tabs (the pages behind them answer 404 otherwise)."""
    return _can_coach(user)
