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
    doc = SiteDoc(
        domain="x.test",
        final_url="https://x.test/",
        title=case["title"],
        text=case["text"],
        structured=[{"@type": t, "name": "X"} for t in case["schema_types"]],
    )
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


# --- the site corpus (enrichment/data/corpus): crawled, extracted and classified by the agents' own code ----------

from enrichment import calibrate  # noqa: E402
from enrichment.providers.calibration import _fitted, calibrated  # noqa: E402


@pytest.fixture(scope="module")
def held_out():
    return calibrate.predictions("test")


def test_every_field_asserted_at_theta_on_the_held_out_split_is_right_at_least_97_percent(held_out):
    report = calibrate.report(held_out, _fitted())
    for field, row in report["fields"].items():
        if row["asserted"]:
            assert row["precision_when_asserted"] >= 0.97, (field, row)


@pytest.mark.parametrize("field", ["company", "org_type", "trade"])
def test_company_org_type_and_trade_are_asserted_on_most_sites_that_state_them(held_out, field):
    row = calibrate.report(held_out, _fitted())["fields"][field]
    assert row["stated"] >= 10 and row["asserted_of_stated"] >= 0.6, row


def test_a_calibrated_confidence_of_085_or_more_is_right_at_least_90_percent_of_the_time(held_out):
    scored = [(calibrated(p.field, p.raw), p) for p in held_out if p.value is not None]
    high = [p for c, p in scored if c >= 0.85]
    assert len(high) >= 100 and sum(p.correct for p in high) / len(high) >= 0.90
    for field in calibrate.FIELDS:
        mine = [p for p in high if p.field == field]
        if len(mine) >= 5:
            assert sum(p.correct for p in mine) / len(mine) >= 0.90, field


def test_the_committed_map_is_the_fit_of_the_train_split():
    """The agents apply enrichment/data/calibration_map.json: it must be today's fit (run
    `manage.py enrichment_calibrate --write` after changing extraction or the corpus)."""
    assert calibrate.fit(calibrate.predictions("train")) == _fitted()


def test_the_fit_is_monotone_and_a_few_lucky_hits_do_not_buy_a_high_confidence():
    preds = (
        [calibrate.Prediction("d", "trade", "x", 0.6, True, True)] * 3
        + [calibrate.Prediction("d", "trade", "x", 0.7, False, True)]
        + [calibrate.Prediction("d", "trade", "x", 0.9, True, True)] * 40
    )
    steps = calibrate.fit(preds)["trade"]
    values = [v for _, v in steps]
    assert values == sorted(values)
    assert calibrated("trade", 0.6, {"trade": steps}) < 0.85  # 3 of 3 (then a miss) is not evidence enough
    assert calibrated("trade", 0.95, {"trade": steps}) >= 0.9
