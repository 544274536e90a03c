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
