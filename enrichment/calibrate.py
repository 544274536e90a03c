"""Calibration of the swarm's confidences on the labelled corpus (``enrichment/data/corpus``).

Each corpus site is crawled (the archive transport: robots.txt, link choice, page cap — exactly as production)
and read by the same extraction and classifier code the agents run, giving per field a raw evidence score and
whether the value was right. On the train split we fit, per field, a monotone map raw score → observed
accuracy (isotonic regression by pool-adjacent-violators; each block's accuracy shrunk towards its raw score,
``(right + m·raw) / (n + m)``, so three lucky hits do not buy a 0.99); the held-out split measures it. A stated
0.85 should then mean at least 0.85 observed. ``manage.py enrichment_calibrate`` prints the report and
``--write`` stores the map the agents apply (``enrichment/data/calibration_map.json``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from routing.enums import ProfileField as F

from . import extract
from .crawl import ArchiveTransport, crawl
from .providers.calibration import MAP_PATH, calibrated
from .providers.classifier import classify
from .providers.site import parse_site
from .providers.size_estimator import band_of_employees

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
THETA = 0.85
FIELDS = (F.COMPANY, F.ORG_TYPE, F.TRADE, F.HQ, F.SERVICE_AREA, F.SIZE_BAND, F.REVENUE)
SHRINK = 4.0  # pseudo-observations at the raw score in every fitted block
BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0001)


@dataclass(frozen=True)
class Prediction:
    domain: str
    field: str
    value: object
    raw: float
    correct: bool
    stated: bool  # the site states this field (ground truth is not None)


def load_truth(corpus: Path = CORPUS) -> list[dict]:
    """The generated sites (``sites/``, ``truth.json``) and the hand-written ones (``handwritten/``, all
    held out: text the extractor was not tuned on)."""
    rows = [{**row, "root": "sites"} for row in json.loads((corpus / "truth.json").read_text())]
    hand = corpus / "handwritten" / "truth.json"
    if hand.is_file():
        rows += [{**row, "root": "handwritten"} for row in json.loads(hand.read_text())]
    return rows


def _trades() -> dict[str, tuple[str, ...]]:
    from routing.trades import LIBRARY

    return {t.trade: tuple(k.lower() for k in t.keywords) for t in LIBRARY.values()}


def raw_predictions(doc) -> dict[str, tuple[object, float]]:
    """Field → (value, raw score) from one parsed site, by the agents' own code, before calibration."""
    out: dict[str, tuple[object, float]] = {}
    for name, fn in (
        (F.COMPANY, extract.company),
        (F.HQ, extract.hq),
        (F.SERVICE_AREA, extract.service_area),
        (F.REVENUE, extract.revenue),
    ):
        fact = fn(doc)
        if fact is not None:
            out[name] = (fact.value, fact.confidence)
    fact = extract.headcount(doc)
    if fact is not None:
        out[F.SIZE_BAND] = (band_of_employees(fact.value), fact.confidence)
    for signal in classify(doc, _trades(), table={}):
        if signal.field in (F.ORG_TYPE, F.TRADE):
            out[signal.field] = (signal.value, signal.confidence)
    return out


def _right(field: str, value, truth) -> bool:
    if truth is None or value is None:
        return False
    if field == F.COMPANY:
        return extract.norm_name(str(value)) == extract.norm_name(str(truth))
    if field == F.HQ:
        return str(value).lower() == str(truth).lower()
    if field == F.SERVICE_AREA:
        return {p.lower() for p in value} == {p.lower() for p in truth}
    if field == F.REVENUE:
        return abs(float(value) - float(truth)) <= 0.02 * float(truth)
    return value == truth


def predictions(split: str | None = None, corpus: Path = CORPUS) -> list[Prediction]:
    out = []
    for row in load_truth(corpus):
        if split and row["split"] != split:
            continue
        transport = ArchiveTransport(corpus / row["root"])
        doc = parse_site(row["domain"], crawl(row["domain"], transport, deadline=time.monotonic() + 30))
        found = raw_predictions(doc) if doc is not None else {}
        for field in FIELDS:
            truth = row.get(str(field))
            if field in found:
                value, raw = found[field]
                out.append(Prediction(row["domain"], field, value, raw, _right(field, value, truth), truth is not None))
            elif truth is not None:
                out.append(Prediction(row["domain"], field, None, 0.0, False, True))  # stated, not found
    return out


def fit(preds: list[Prediction]) -> dict[str, list[list[float]]]:
    """Per field, isotonic steps [[lowest raw score of the block, calibrated accuracy], …]."""
    table = {}
    for field in FIELDS:
        points = sorted((p.raw, 1.0 if p.correct else 0.0) for p in preds if p.field == field and p.value is not None)
        if not points:
            continue
        blocks: list[list[float]] = []  # [sum correct, n, sum raw, lowest raw]
        for raw, right in points:
            blocks.append([right, 1, raw, raw])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
                right_sum, n, raw_sum, _low = blocks.pop()
                blocks[-1][0] += right_sum
                blocks[-1][1] += n
                blocks[-1][2] += raw_sum
        steps, floor = [], 0.0
        for right_sum, n, raw_sum, low in blocks:
            value = (right_sum + SHRINK * raw_sum / n) / (n + SHRINK)
            floor = max(floor, value)  # still monotone after shrinking
            steps.append([round(low, 3), round(floor, 3)])
        table[str(field)] = steps
    return table


def report(preds: list[Prediction], table: dict, theta: float = THETA) -> dict:
    """Per field on ``preds``: how often asserted at θ (of the sites that state the field), precision when
    asserted, and the reliability table (calibrated confidence bucket → observed accuracy)."""
    fields, pooled, pooled_raw = {}, [], []
    for field in FIELDS:
        rows = [p for p in preds if p.field == field]
        scored = [(calibrated(field, p.raw, table), p) for p in rows if p.value is not None]
        pooled += scored
        pooled_raw += [(p.raw, p) for p in rows if p.value is not None]
        stated = sum(1 for p in rows if p.stated)
        asserted = [p for c, p in scored if c >= theta]
        fields[str(field)] = {
            "stated": stated,
            "predicted": len(scored),
            "asserted": len(asserted),
            "asserted_of_stated": round(sum(1 for p in asserted if p.stated) / stated, 3) if stated else None,
            "precision_when_asserted": round(sum(p.correct for p in asserted) / len(asserted), 3) if asserted else None,
            "reliability": _buckets(scored),
        }
    return {"theta": theta, "fields": fields, "reliability": _buckets(pooled), "raw_reliability": _buckets(pooled_raw)}


def _buckets(scored) -> list[dict]:
    out = []
    for low, high in zip(BUCKETS, BUCKETS[1:]):
        inside = [p for c, p in scored if low <= c < high]
        if inside:
            out.append(
                {
                    "bucket": f"{low:.2f}–{min(high, 1):.2f}",
                    "n": len(inside),
                    "observed": round(sum(p.correct for p in inside) / len(inside), 3),
                }
            )
    return out


def write_map(table: dict, path: Path = MAP_PATH) -> None:
    path.write_text(
        json.dumps({"fitted_on": "enrichment/data/corpus (train split)", "shrink": SHRINK, "fields": table}, indent=1)
        + "\n"
    )
