"""One confidence curve for evidence-counting agents, calibrated on the labelled corpus in
``enrichment/data/calibration.json`` (tests/enrichment/test_calibration.py checks it still holds):
predictions at or above θ must be right at least θ of the time.

confidence = floor + (ceiling − floor) · (1 − e^(−margin / scale)) where ``margin`` is how much more evidence
the winning answer has than the runner-up. No evidence margin → 0.5 (a coin flip: ask).
"""

import math

FLOOR, CEILING = 0.5, 0.97


def confidence(margin: float, *, scale: float = 2.0, ceiling: float = CEILING) -> float:
    if margin <= 0:
        return FLOOR
    return round(FLOOR + (ceiling - FLOOR) * (1 - math.exp(-margin / scale)), 3)


# --- the fitted map (manage.py enrichment_calibrate --write) --------------------------------------------------
# Per field, raw evidence score → the accuracy observed for that score on the labelled corpus (a monotone step
# function fitted by isotonic regression on the train split). A field the map does not name keeps its raw score.

import json  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402

MAP_PATH = Path(__file__).resolve().parent.parent / "data" / "calibration_map.json"


@lru_cache(maxsize=1)
def _fitted() -> dict[str, list[list[float]]]:
    try:
        return json.loads(MAP_PATH.read_text())["fields"]
    except (OSError, ValueError, KeyError):
        return {}


def calibrated(field: str, raw: float, table: dict | None = None) -> float:
    """The calibrated confidence of a raw score: the value of the highest step at or below it."""
    steps = (table if table is not None else _fitted()).get(str(field))
    if not steps:
        return raw
    value = steps[0][1] if raw >= steps[0][0] else min(raw, steps[0][1])
    for threshold, mapped in steps:
        if raw >= threshold:
            value = mapped
    return round(value, 3)
