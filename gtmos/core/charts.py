"""Honest small charts (issue 20, item 7): labelled axes with dated ticks, a value on every point (shown on
hover and on keyboard focus) and a text alternative the template prints beside the chart. Pure geometry."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

PAD_L, PAD_R, PAD_T, PAD_B = 34, 10, 10, 22


def sparkline(
    points: Sequence[tuple[dt.date, float]],
    *,
    width: int = 560,
    height: int = 140,
    ymax: float = 100,
    label: str = "score",
) -> dict | None:
    """A dated line: ``points`` oldest first. None when there is nothing to draw."""
    points = [(d, v) for d, v in points if v is not None]
    if not points:
        return None
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    inner_w, inner_h = width - PAD_L - PAD_R, height - PAD_T - PAD_B

    def x(day: dt.date) -> float:
        return round(PAD_L + (day - first).days / span * inner_w, 1)

    def y(value: float) -> float:
        return round(PAD_T + inner_h - inner_h * min(value, ymax) / ymax, 1)

    dots = [{"x": x(d), "y": y(v), "day": d, "value": v, "text": f"{d:%-d %b %Y}: {label} {v}"} for d, v in points]
    path = "M" + " L".join(f"{p['x']},{p['y']}" for p in dots)
    x_ticks = [{"x": x(d), "label": f"{d:%-d %b}"} for d in _date_ticks(first, last)]
    y_ticks = [{"y": y(v), "label": str(v)} for v in (0, ymax // 2, ymax)]
    values = [v for _, v in points]
    change = values[-1] - values[0]
    return {
        "width": width,
        "height": height,
        "path": path,
        "dots": dots,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "left": PAD_L,
        "right": width - PAD_R,
        "top": PAD_T,
        "bottom": PAD_T + inner_h,
        "label": label,
        "first": first,
        "last": last,
        "min": min(values),
        "max": max(values),
        "latest": values[-1],
        "change": change,
        # The per-point markup is built here, not in a template loop: a 90-day chart is 90 focusable points and
        # 90 table rows, and the template engine's per-variable cost made it the account 360's slowest part.
        "dots_svg": _join(
            '<g class="pt" tabindex="0" aria-label="{}"><title>{}</title><circle cx="{}" cy="{}" r="3.5"/>'
            '<text class="val" x="{}" y="{}" text-anchor="middle">{}</text></g>',
            ((p["text"], p["text"], p["x"], p["y"], p["x"], round(p["y"] - 8, 1), p["value"]) for p in dots),
        ),
        "rows_html": _join(
            '<tr><td>{}</td><td class="num">{}</td></tr>',
            ((f"{p['day']:%-d %b %Y}", p["value"]) for p in reversed(dots)),
        ),
    }


def _join(template: str, rows) -> SafeString:
    """``format_html_join("", template, rows)`` with the same escaping (each value ``html.escape(str(v))``, as
    Django's ``escape``) at a tenth of its cost: format_html's per-value SafeString round trips were most of the
    account 360's health block (issue 20: page speed). The values are plain text and numbers, never markup."""
    return mark_safe("".join(template.format(*(html.escape(str(v)) for v in row)) for row in rows))


def _date_ticks(first: dt.date, last: dt.date, count: int = 4) -> list[dt.date]:
    span = (last - first).days
    if span <= 0:
        return [first]
    return [first + dt.timedelta(days=round(span * i / (count - 1))) for i in range(count)]
