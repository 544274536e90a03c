"""A Gantt-style milestone timeline as SVG geometry (pure: no ORM, no clock — the caller passes today).

Each milestone is a bar from the end of the previous one's window (or the contract start) to its target date;
today is a vertical line; the axis has dated ticks. Status is carried in words on every row ("done 12 Mar",
"5 days overdue", "due in 9 days"), never by colour alone, and the page draws the same rows as a table (the
text alternative).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LABEL_W, CHART_W, ROW_H, TOP, BOTTOM = 230, 520, 30, 26, 8
WIDTH = LABEL_W + CHART_W + 10


@dataclass
class GanttRow:
    code: str
    name: str
    owner: str
    start: dt.date
    target: dt.date | None
    completed: dt.date | None
    status: str  # done | overdue | upcoming
    status_text: str
    x: float = 0
    w: float = 0
    y: float = 0


def _status(target: dt.date | None, completed: dt.date | None, today: dt.date) -> tuple[str, str]:
    if completed:
        late = target is not None and completed > target
        return "done", f"done {completed:%-d %b}" + (" (late)" if late else "")
    if target is None:
        return "upcoming", "no date"
    days = (target - today).days
    if days < 0:
        return "overdue", f"{-days} day{'s' if days != -1 else ''} overdue"
    return "upcoming", "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}"


def build(*, milestones: list[dict], start: dt.date, today: dt.date) -> dict:
    """``milestones``: dicts with code, name, owner, target, completed (dates or None), in plan order."""
    rows: list[GanttRow] = []
    previous_end = start
    for m in milestones:
        status, text = _status(m["target"], m["completed"], today)
        rows.append(
            GanttRow(
                m["code"], m["name"], m.get("owner") or "", previous_end, m["target"], m["completed"], status, text
            )
        )
        if m["target"]:
            previous_end = max(previous_end, m["target"])
    ends = [d for r in rows for d in (r.target, r.completed) if d] + [today, start + dt.timedelta(days=7)]
    first = min([start, today])
    # Room after the last date for the status words drawn at the end of each bar.
    last = max(ends) + dt.timedelta(days=max(3, round((max(ends) - first).days * 0.3)))
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(LABEL_W + (day - first).days / span * CHART_W, 1)

    for i, row in enumerate(rows):
        end = row.completed if row.status == "done" else row.target or row.start
        if row.status == "overdue":
            end = today  # an overdue bar runs on to today, so the slip is visible
        row.x, row.y = x(row.start), TOP + i * ROW_H
        row.w = max(x(max(end, row.start)) - row.x, 3)
    step = 7 if span <= 70 else 14 if span <= 140 else 28
    ticks, day = [], first
    while day <= last:
        ticks.append({"x": x(day), "label": f"{day:%-d %b}"})
        day += dt.timedelta(days=step)
    height = TOP + len(rows) * ROW_H + BOTTOM
    return {
        "rows": rows,
        "ticks": ticks,
        "today_x": x(today),
        "today": today,
        "width": WIDTH,
        "height": height,
        "label_w": LABEL_W,
        "axis_y": TOP - 8,
        "bottom": height - BOTTOM,
        "first": first,
        "last": last,
        "overdue": sum(1 for r in rows if r.status == "overdue"),
    }
