"""MEDDPICC (the Zwick scorecard) seeded from research, and the deal health it implies. Pure functions.

A cell research can support is **amber**: a value, its evidence (where each fact came from) and a
confidence. The AE confirms it on the discovery call (**green**); research never makes a cell green — a
human stakes credibility on it (seed 002, "the AE reviews before send"). A cell research has nothing for,
or only a guess below the floor, stays **red**.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from onboarding.models.deal import MEDDPICC_CELLS, meddpicc_blank

RED, AMBER, GREEN = "red", "amber", "green"

# How far each inference is from the evidence (a fact about the company is stronger than a guess about how
# it buys). Multiplied by the source field's own confidence where there is one.
INFERENCE = {
    "metrics": 0.7,
    "economic_buyer": 0.8,
    "decision_criteria": 0.5,
    "decision_process": 0.4,
    "paper_process": 0.35,
    "identify_pain": 0.55,
    "champion": 0.7,
    "competition": 0.0,
}
ENTERPRISE_BANDS = ("large", "enterprise")


def _money(value) -> str:
    try:
        return f"${Decimal(str(value)):,.0f}"
    except Exception:  # noqa: BLE001 - an unparsable value is shown as unknown
        return "an unpublished amount"


def _cell(value: str, evidence: list[str], confidence: float, floor: float) -> dict:
    confidence = round(max(0.0, min(confidence, 1.0)), 2)
    if not value or confidence < floor:
        return {
            "value": "",
            "evidence": evidence if value else [],
            "confidence": confidence if value else 0.0,
            "status": RED,
            "confirmed": False,
            "hint": value,
        }
    return {"value": value, "evidence": evidence, "confidence": confidence, "status": AMBER, "confirmed": False}


def meddpicc_seed(*, dossier: dict, takeoff: dict | None, trade: Any | None, min_confidence: float = 0.3) -> dict:
    """The scorecard from the battle pack's research. ``trade``: a TradeSpec (or None for a GC)."""
    conf = dossier.get("confidence", {})
    company = dossier.get("company", {})
    size = dossier.get("size", {})
    pursuits = dossier.get("pursuits", [])
    people = dossier.get("people", [])
    band = size.get("band", "")
    card = meddpicc_blank()

    # M — metrics: their live pipeline and the takeoff we already ran on it.
    if pursuits:
        total = sum(Decimal(str(p["value"])) for p in pursuits if p.get("value"))
        top = pursuits[0]
        value = (
            f"{len(pursuits)} live pursuit(s) worth {_money(total)}; largest {top['name']} "
            f"({_money(top.get('value'))})."
        )
        evidence = [f"project_finder: {p['source']} · {p['name']}" for p in pursuits[:3]]
        if takeoff and takeoff.get("lines"):
            line = takeoff["lines"][0]
            value += f" Pre-run takeoff: {line['quantity']} {line['unit']} {line['item']}."
            evidence.append(f"takeoff ({takeoff.get('provider')}): {takeoff.get('label', '')}")
        match = max(float(p.get("match_score") or 0.6) for p in pursuits[:3])
        card["metrics"] = _cell(value, evidence, INFERENCE["metrics"] * match + 0.15, min_confidence)

    # E — economic buyer / C — champion: the person who came in, by persona.
    lead = next((p for p in people if p.get("source") == "lead"), None)
    if lead and lead.get("persona"):
        who = f"{lead.get('name') or 'The contact who came in'}" + (f", {lead['title']}" if lead.get("title") else "")
        pconf = float(conf.get("persona", 0.6) or 0.6)
        evidence = [f"role_resolver: {lead.get('title') or lead['persona']} (persona {lead['persona']})"]
        if lead["persona"] == "owner_exec":
            card["economic_buyer"] = _cell(who, evidence, INFERENCE["economic_buyer"] * pconf, min_confidence)
        else:
            card["champion"] = _cell(who, evidence, INFERENCE["champion"] * pconf, min_confidence)

    # D — decision criteria: what the trade buys on (the trade library's value lever).
    lever = (
        getattr(trade, "value_lever", "")
        if trade is not None
        else "Bid coverage and scope completeness across trade packages"
    )
    family = (takeoff or {}).get("family") or getattr(trade, "takeoff_family", "")
    if lever:
        card["decision_criteria"] = _cell(
            f"{lever}" + (f"; takeoff accuracy on {family} scopes" if family else ""),
            [f"trade library: {getattr(trade, 'label', 'general contractor')}"],
            INFERENCE["decision_criteria"] * float(conf.get("trade", 0.8) or 0.8) + 0.1,
            min_confidence,
        )

    # D — decision process / P — paper process: how firms of this size buy.
    if band:
        enterprise = band in ENTERPRISE_BANDS
        process = (
            "Committee: operations, chief estimator and IT; security review before signature"
            if enterprise
            else "Owner and chief estimator decide after a live demo on a real bid"
        )
        paper = (
            "Annual contract via legal: MSA, security questionnaire, PO from procurement"
            if enterprise
            else "Annual order form signed by the owner"
        )
        evidence = [f"size_estimator: {band} ({_money(size.get('revenue_est'))} revenue)"]
        band_conf = float(conf.get("size_band", 0.7) or 0.7)
        card["decision_process"] = _cell(
            process, evidence, INFERENCE["decision_process"] * band_conf + 0.1, min_confidence
        )
        card["paper_process"] = _cell(paper, evidence, INFERENCE["paper_process"] * band_conf + 0.1, min_confidence)

    # I — identify pain: the trade's money flag (the change-order / lead-time gotcha).
    flag = (takeoff or {}).get("money_flag") or getattr(trade, "money_flag", "")
    if flag:
        card["identify_pain"] = _cell(
            flag,
            [
                f"trade library: {getattr(trade, 'label', 'general contractor')}",
                f"classifier: {company.get('trade') or company.get('org_type', '')}",
            ],
            INFERENCE["identify_pain"] * float(conf.get("trade", 0.8) or 0.8) + 0.1,
            min_confidence,
        )

    # C — competition: research has no source for it; the AE asks on the insight call.
    card["competition"]["hint"] = "Ask on the insight call: spreadsheets, another takeoff tool, an estimator hire?"
    return card


def meddpicc_health(meddpicc: dict, *, amber_weight: float = 0.5) -> int:
    """Deal health 0–100 from the scorecard: a confirmed cell counts 1, an amber cell ``amber_weight``."""
    total = 0.0
    for cell in MEDDPICC_CELLS:
        status = (meddpicc or {}).get(cell, {}).get("status", RED)
        total += 1.0 if status == GREEN else amber_weight if status == AMBER else 0.0
    return round(100 * total / len(MEDDPICC_CELLS))


def meddpicc_counts(meddpicc: dict) -> dict[str, int]:
    counts = {RED: 0, AMBER: 0, GREEN: 0}
    for cell in MEDDPICC_CELLS:
        counts[(meddpicc or {}).get(cell, {}).get("status", RED)] += 1
    return counts
