"""A metric value written in its unit, the same on pages, in digests, flags and recommendations."""

from __future__ import annotations


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"
    return f"{text}%" if unit == "%" else f"{text} {unit}" if unit in ("days", "pts") else text
