"""The classifier's confidence is calibrated: on the labelled corpus (enrichment/data/calibration.json),
what it asserts at ≥ θ is right at least θ of the time, and it still asserts most of what it can."""

import json
from pathlib import Path

import pytest

from enrichment.providers.classifier import classify
from enrichment.providers.site import SiteDoc
from routing.trades import LIBRARY

CORPUS = json.loads((Path(__file__).resolve().parents[2] / "enrichment" / "data" / "calibration.json").read_text())
THETA = 0.85
TRADES = {t.trade: tuple(k.lower() for k in t.keywords) for t in LIBRARY.values()}


def _predict(case):
    doc = SiteDoc(domain="x.test", final_url="https://x.test/", title=case["title"], text=case["text"],
                  structured=[{"@type": t, "name": "X"} for t in case["schema_types"]])
    return {s.field: (s.value, s.confidence) for s in classify(doc, TRADES)}


@pytest.mark.parametrize("field", ["org_type", "trade"])
def test_assertions_at_theta_are_right_at_least_theta_of_the_time(field):
    asserted = correct = labelled = 0
    for case in CORPUS:
        value, confidence = _predict(case).get(field, (None, 0.0))
        if case[field] is not None:
            labelled += 1
        if confidence >= THETA:
            asserted += 1
            correct += value == case[field]
    assert asserted and correct / asserted >= THETA, (correct, asserted)
    assert asserted >= 0.6 * labelled, "calibrated into uselessness: too little asserted"


def test_pages_without_evidence_are_never_asserted():
    for case in CORPUS:
        if case["org_type"] is None:
            value, confidence = _predict(case).get("org_type", (None, 0.0))
            assert confidence < THETA, (case["title"], value, confidence)
