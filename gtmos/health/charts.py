"""Server-side chart geometry for the health pages: the templates draw SVG from these numbers.

No chart library and no inline script or style (the CSP forbids both): shapes carry classes, and
every chart has a text equivalent on the page for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

TIER_KEYS = ("critical", "high", "medium", "low")


def line(
    values: Sequence[float | None], *, width: int = 640, height: int = 150, ymax: float = 100, pad: int = 24
) -> dict:
    """A 0–ymax line over evenly spaced points; gaps (None) break the line."""
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
        dots.append({"x": x, "y": y(v), "value": round(v)})
    if current:
        segments.append(" ".join(current))
    grid = [{"y": y(v), "label": int(v)} for v in (0, ymax * 0.25, ymax * 0.5, ymax * 0.75, ymax)]
    return {
        "width": width,
        "height": height,
        "segments": segments,
        "grid": grid,
        "last": dots[-1] if dots else None,
        "pad": pad,
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
