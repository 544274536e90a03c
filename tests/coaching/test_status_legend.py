"""Issue 20: the coaching rep page drew gap rows lighter than on-track rows (a pale amber chip beside a blue
one, and health's muted `tr.gap`). A gap now reads stronger: a solid chip, a coloured bar on the row, a legend."""

import re
from pathlib import Path

from django.template.loader import render_to_string

from coaching.templatetags.coaching_tags import metric_bars

CSS = Path(__file__).resolve().parents[2] / "static/css/shell.css"


def test_a_gap_is_a_solid_chip_and_on_track_a_light_one():
    gap = render_to_string("coaching/partials/status.html", {"status": "gap"})
    ok = render_to_string("coaching/partials/status.html", {"status": "ok"})
    assert 'class="tag gap-tag">gap<' in gap and 'class="tag good">on track<' in ok
    css = CSS.read_text()
    assert ".tag.gap-tag { background: var(--warn); color: #fff; }" in css
    assert "tr.status-gap td:first-child, li.gap { border-left: 4px solid var(--warn)" in css


def test_the_legend_explains_every_chip():
    legend = render_to_string("coaching/partials/status_legend.html")
    for text in ("critical", "gap", "on track", "no data", "benchmark"):
        assert text in legend


def test_metric_bars_are_focusable_with_their_value():
    rows = [
        {"label": "Reply rate", "value": 0.03, "benchmark": 0.05, "unit": "pct", "status": "gap"},
        {"label": "Meetings", "value": 9, "benchmark": 8, "unit": "count", "status": "ok"},
    ]
    assert len(metric_bars(rows)) == 2
    svg = render_to_string("coaching/partials/metric_chart.html", {"rows": rows, "caption": "This month"})
    assert svg.count('<g class="bar" tabindex="0"') == 2
    assert re.search(r"<title>Reply rate: [^<]+ \(gap\)</title>", svg)
