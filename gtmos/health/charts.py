"""Server-side chart geometry for the health pages: the templates draw SVG from these numbers.

No chart library and no inline script or style (the CSP forbids both): shapes carry classes, and
every chart has a text equivalent on the page for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import format_html_join

TIER_KEYS = ("critical", "high", "medium", "low")


def line(
    values: Sequence[float | None],
    *,
    days: Sequence[dt.date] | None = None,
    label: str = "score",
    width: int = 640,
    height: int = 150,
    ymax: float = 100,
    pad: int = 24,
) -> dict:
    """A 0–ymax line over evenly spaced points; gaps (None) break the line. With ``days`` (one per value) the
    chart gets dated x ticks and every point is focusable with its day and value shown on hover and keyboard
    focus, plus the values as a table (issue 20 item 7: the same behaviour as gtmos/core/charts.sparkline)."""
    n = len(values)
    step = (width - 2 * pad) / max(1, n - 1)

    def y(v: float) -> float:
        return round(height - pad - (height - 2 * pad) * v / ymax, 1)

    segments, current, dots = [], [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        x = round(pad + i * step, 1)
        current.append(f"{x},{y(v)}")
        day = days[i] if days is not None and i < len(days) else None
        text = f"{day:%-d %b %Y}: {label} {round(v)}" if day else f"{label} {round(v)}"
        dots.append({"x": x, "y": y(v), "value": round(v), "day": day, "text": text})
    if current:
        segments.append(" ".join(current))
    grid = [{"y": y(v), "label": int(v)} for v in (0, ymax * 0.25, ymax * 0.5, ymax * 0.75, ymax)]
    x_ticks = []
    if days and n:
        picks = sorted({round((n - 1) * k / 3) for k in range(4)}) if n > 1 else [0]
        x_ticks = [{"x": round(pad + i * step, 1), "label": f"{days[i]:%-d %b}"} for i in picks]
    return {
        "width": width,
        "height": height,
        "segments": segments,
        "grid": grid,
        "last": dots[-1] if dots else None,
        "pad": pad,
        "x_ticks": x_ticks,
        "tick_y": height - 4,
        "dated": bool(days),
        "label": label,
        "first_day": days[0] if days else None,
        "last_day": days[-1] if days else None,
        # Built here rather than in a template loop: a 90-day line is 90 focusable points and 90 table rows.
        "dots_svg": format_html_join(
            "",
            '<g class="pt" tabindex="0" aria-label="{}"><title>{}</title><circle class="dot-pt" cx="{}" cy="{}" '
            'r="3"/><text class="val" x="{}" y="{}" text-anchor="middle">{}</text></g>',
            ((d["text"], d["text"], d["x"], d["y"], d["x"], round(d["y"] - 8, 1), d["value"]) for d in dots),
        )
        if days
        else "",
        "rows_html": format_html_join(
            "",
            '<tr><td>{}</td><td class="num">{}</td></tr>',
            ((f"{d['day']:%-d %b %Y}", d["value"]) for d in reversed(dots) if d["day"]),
        )
        if days
        else "",
    }


def bands(*, width: int = 640, height: int = 150, pad: int = 24, bounds: Sequence[int] = (25, 50, 75)) -> list[dict]:
    """Background bands for the tier thresholds behind a 0–100 line."""
    edges = [0, *bounds, 100]
    names = ["critical", "high", "medium", "low"]
    inner = height - 2 * pad
    return [
        {
            "key": names[i],
            "y": round(height - pad - inner * edges[i + 1] / 100, 1),
            "h": round(inner * (edges[i + 1] - edges[i]) / 100, 1),
            "x": pad,
            "w": width - 2 * pad,
        }
        for i in range(4)
    ]


def stacked_columns(
    rows: Sequence[dict],
    *,
    keys: Sequence[str] = tuple(reversed(TIER_KEYS)),
    width: int = 640,
    height: int = 150,
    pad: int = 24,
) -> dict:
    """One column per row (a day), stacked bottom-up by ``keys`` as shares of the column's total
    (by default low at the bottom, critical on top)."""
    n = len(rows)
    slot = (width - 2 * pad) / max(1, n)
    columns = []
    for i, row in enumerate(rows):
        total = sum(row.get(k, 0) for k in keys) or 1
        top = height - pad
        rects = []
        for k in keys:
            h = (height - 2 * pad) * row.get(k, 0) / total
            top -= h
            rects.append(
                {
                    "key": k,
                    "x": round(pad + i * slot, 1),
                    "y": round(top, 1),
                    "w": round(max(1.0, slot - 1), 1),
                    "h": round(h, 1),
                }
            )
        columns.append(rects)
    return {"width": width, "height": height, "columns": columns}


def hbar(
    parts: Sequence[tuple[str, float]], *, width: int = 320, height: int = 16, total: float | None = None
) -> list[dict]:
    """A single horizontal bar split into parts proportional to their values (of ``total``, or their sum)."""
    total = total or sum(v for _, v in parts) or 1
    x, out = 0.0, []
    for key, value in parts:
        w = width * value / total
        out.append({"key": key, "x": round(x, 1), "w": round(w, 1), "value": value, "h": height})
        x += w
    return out
