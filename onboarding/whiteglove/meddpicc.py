"""MEDDPICC (the Zwick scorecard) seeded from research, and the deal health it implies. Pure functions.

A cell research can support is **amber**: a value, its evidence (where each fact came from), a confidence
and the rule that produced it. The AE confirms it on the discovery call (**green**); research never makes a
cell green — a human stakes credibility on it (seed 002, "the AE reviews before send"). A cell with only a
guess below the floor stays **red** (the guess kept as a hint); a cell no evidence speaks to is **unknown**
(red, ``known: False``) — never a fixed string per size band.
"""

from __future__ import annotations

import re
from collections import Counter
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


def _cell(value: str, evidence: list[str], confidence: float, floor: float, rule: tuple[str, str]) -> dict:
    """A cell a rule produced: amber at or above the floor, else red with the guess kept as a hint. The rule
    (id and words) is kept with it so the page can say why the cell says what it says."""
    confidence = round(max(0.0, min(confidence, 1.0)), 2)
    rule_of = {"id": rule[0], "text": rule[1]}
    if not value or confidence < floor:
        return {
            "value": "",
            "evidence": evidence if value else [],
            "confidence": confidence if value else 0.0,
            "status": RED,
            "confirmed": False,
            "hint": value,
            "rule": rule_of,
            "known": bool(value),
        }
    return {
        "value": value,
        "evidence": evidence,
        "confidence": confidence,
        "status": AMBER,
        "confirmed": False,
        "rule": rule_of,
        "known": True,
    }


def _unknown(hint: str) -> dict:
    """No evidence at all: the cell is unknown (red, and said so), never a template guess."""
    return {
        "value": "",
        "evidence": [],
        "confidence": 0.0,
        "status": RED,
        "confirmed": False,
        "hint": hint,
        "rule": {"id": "none", "text": "no evidence: unknown"},
        "known": False,
    }


def _call_facts(evidence: dict, kind: str) -> list[dict]:
    return [f for call in evidence.get("calls", []) for f in call.get("facts", []) if f["kind"] == kind]


def _site_facts(evidence: dict, kind: str) -> list[dict]:
    return [f for f in evidence.get("site", []) if f["kind"] == kind]


def _quoted(facts: list[dict], limit: int = 2) -> tuple[str, list[str]]:
    """The first quotes (deduplicated) as the cell's value, each with its source as evidence."""
    seen, quotes, sources = set(), [], []
    for fact in facts:
        if fact["quote"] in seen:
            continue
        seen.add(fact["quote"])
        quotes.append(f"“{fact['quote']}”")
        sources.append(f"{fact['source']}: {fact['quote'][:120]}")
        if len(quotes) == limit:
            break
    return " ".join(quotes), sources


_BUYER_TITLE = re.compile(r"\b(CFO|CEO|COO|owner|president|principal|VP|vice president|controller|director)\b", re.I)
_BUYER_ACT = re.compile(r"\b(signs?|budget|approv\w*|sign[- ]off)\b", re.I)


def _firm(evidence: dict) -> tuple[int | None, str, str]:
    firm = evidence.get("firmographic") or {}
    return firm.get("employees"), firm.get("revenue"), firm.get("source") or "firmographics"


def meddpicc_seed(
    *, dossier: dict, takeoff: dict | None, trade: Any | None, min_confidence: float = 0.3, evidence: dict | None = None
) -> dict:
    """The scorecard from the battle pack's research. ``trade``: a TradeSpec (or None for a GC); ``evidence``:
    firmographics, site facts and calls (``evidence.research_evidence``). Per cell the first rule with evidence
    wins (a customer's own words on a call first, then their site, then firmographics / the swarm's profile);
    each cell names its rule. A cell no rule has evidence for is unknown."""
    evidence = evidence or {}
    conf = dossier.get("confidence", {})
    company = dossier.get("company", {})
    size = dossier.get("size", {})
    pursuits = dossier.get("pursuits", [])
    people = dossier.get("people", [])
    card = meddpicc_blank()
    employees, revenue, firm_source = _firm(evidence)
    trade_label = getattr(trade, "label", "") if trade is not None else ""

    # M — metrics: their live pipeline and the takeoff we already ran on it.
    if pursuits:
        total = sum(Decimal(str(p["value"])) for p in pursuits if p.get("value"))
        top = pursuits[0]
        value = (
            f"{len(pursuits)} live pursuit(s) worth {_money(total)}; largest {top['name']} "
            f"({_money(top.get('value'))})."
        )
        cited = [f"project_finder: {p['source']} · {p['name']}" for p in pursuits[:3]]
        if takeoff and takeoff.get("lines"):
            line = takeoff["lines"][0]
            value += f" Pre-run takeoff: {line['quantity']} {line['unit']} {line['item']}."
            cited.append(f"takeoff ({takeoff.get('provider')}): {takeoff.get('label', '')}")
        match = max(float(p.get("match_score") or 0.6) for p in pursuits[:3])
        card["metrics"] = _cell(
            value,
            cited,
            INFERENCE["metrics"] * match + 0.15,
            min_confidence,
            ("M1", "their live pursuits (project_finder) and the pre-run takeoff"),
        )
    else:
        card["metrics"] = _unknown("Ask which bids they are pricing next and what a win is worth.")

    # E — economic buyer / C — champion: a call that named who signs, else the person who came in, by persona.
    lead = next((p for p in people if p.get("source") == "lead"), None)
    pconf = float(conf.get("persona", 0.6) or 0.6)
    buyer_facts = [
        f
        for f in _call_facts(evidence, "decision")
        if _BUYER_TITLE.search(f["quote"]) and _BUYER_ACT.search(f["quote"])
    ]
    if buyer_facts:
        value, cited = _quoted(buyer_facts, 1)
        card["economic_buyer"] = _cell(value, cited, 0.75, min_confidence, ("E1", "a call named who signs"))
    if lead and lead.get("persona"):
        who = f"{lead.get('name') or 'The contact who came in'}" + (f", {lead['title']}" if lead.get("title") else "")
        cited = [f"role_resolver: {lead.get('title') or lead['persona']} (persona {lead['persona']})"]
        if lead["persona"] == "owner_exec":
            if not buyer_facts:
                card["economic_buyer"] = _cell(
                    who,
                    cited,
                    INFERENCE["economic_buyer"] * pconf,
                    min_confidence,
                    ("E2", "the contact who came in is an owner / executive (role_resolver)"),
                )
        else:
            card["champion"] = _cell(
                who,
                cited,
                INFERENCE["champion"] * pconf,
                min_confidence,
                ("C1", "the contact who came in, not the buyer: the likely champion (role_resolver)"),
            )
    if card["economic_buyer"].get("rule") is None:
        card["economic_buyer"] = _unknown("Ask who signs software over their approval limit.")
    if card["champion"].get("rule") is None:
        card["champion"] = _unknown("Find who runs the bid calendar and wants this to work.")

    # D — decision criteria: what they object to on calls, else what the trade buys on (the library's lever).
    objections = [(o, c["source"]) for c in evidence.get("calls", []) for o in c.get("objections", [])]
    lever = getattr(trade, "value_lever", "") if trade is not None else "Bid coverage and scope completeness"
    family = (takeoff or {}).get("family") or getattr(trade, "takeoff_family", "")
    if objections:
        card["decision_criteria"] = _cell(
            "Must answer: " + "; ".join(o for o, _ in objections[:3]),
            [f"{src}: objection “{o}”" for o, src in objections[:3]],
            0.7,
            min_confidence,
            ("DC1", "the objections voiced on their calls"),
        )
    elif lever:
        card["decision_criteria"] = _cell(
            f"{lever}" + (f"; takeoff accuracy on {family} scopes" if family else ""),
            [f"trade library: {trade_label or 'general contractor'}"]
            + ([f"classifier: {company.get('trade')}"] if company.get("trade") else []),
            INFERENCE["decision_criteria"] * float(conf.get("trade", 0.8) or 0.8) + 0.1,
            min_confidence,
            ("DC2", "the trade library's value lever for their trade (classifier)"),
        )
    else:
        card["decision_criteria"] = _unknown("Ask what a tool must do to replace how they take off today.")

    # D — decision process: a call that said how they decide; else the people we know and the firm's size.
    decision_facts = _call_facts(evidence, "decision")
    if decision_facts:
        value, cited = _quoted(decision_facts)
        card["decision_process"] = _cell(
            value, cited, 0.75, min_confidence, ("DP1", "a call described how they decide")
        )
    elif lead and lead.get("persona"):
        who = lead.get("name") or "The contact who came in"
        value = f"{who} ({_persona_word(lead['persona'])}) " + (
            "can decide" if lead["persona"] == "owner_exec" else "evaluates"
        )
        cited = [f"role_resolver: persona {lead['persona']}"]
        if employees and lead["persona"] != "owner_exec":
            value += f"; at {employees:,} employees, others sign off above them"
            cited.append(f"firmographics ({firm_source}): {employees:,} employees")
        card["decision_process"] = _cell(
            value + ".",
            cited,
            INFERENCE["decision_process"] * pconf + 0.1,
            min_confidence,
            ("DP2", "the people we know (role_resolver) and the firm's headcount (firmographics)"),
        )
    elif employees:
        card["decision_process"] = _cell(
            f"At {employees:,} employees more than one person likely decides.",
            [f"firmographics ({firm_source}): {employees:,} employees"],
            0.25,
            min_confidence,
            ("DP3", "headcount only (firmographics): a guess, kept below the floor"),
        )
    else:
        card["decision_process"] = _unknown("Ask who else sees a demo before they decide.")

    # P — paper process: a call that mentioned the paperwork; else their site's vendor rules; else a guess.
    paper_calls, paper_site = _call_facts(evidence, "procurement"), _site_facts(evidence, "procurement")
    if paper_calls:
        value, cited = _quoted(paper_calls)
        card["paper_process"] = _cell(
            value, cited, 0.75, min_confidence, ("PP1", "a call mentioned the paperwork (MSA, procurement, PO, legal)")
        )
    elif paper_site:
        value, cited = _quoted(paper_site)
        card["paper_process"] = _cell(
            value, cited, 0.55, min_confidence, ("PP2", "their site states vendor / procurement requirements")
        )
    elif revenue or size.get("revenue_est"):
        amount = revenue or size.get("revenue_est")
        card["paper_process"] = _cell(
            f"At {_money(amount)} revenue a contract likely goes through legal.",
            [f"firmographics ({firm_source}): {_money(amount)} revenue" if revenue else "size_estimator: revenue"],
            0.25,
            min_confidence,
            ("PP3", "revenue only (firmographics): a guess, kept below the floor"),
        )
    else:
        card["paper_process"] = _unknown("Ask how software gets bought: an order form, or legal and procurement?")

    # I — identify pain: the pain voiced on a call; else the trade's money flag (the change-order gotcha).
    pain_facts = _call_facts(evidence, "pain")
    flag = (takeoff or {}).get("money_flag") or getattr(trade, "money_flag", "")
    if pain_facts:
        value, cited = _quoted(pain_facts)
        card["identify_pain"] = _cell(value, cited, 0.7, min_confidence, ("IP1", "the pain voiced on a call"))
    elif flag:
        card["identify_pain"] = _cell(
            flag,
            [
                f"trade library: {trade_label or 'general contractor'}",
                f"classifier: {company.get('trade') or company.get('org_type', '')}",
            ],
            INFERENCE["identify_pain"] * float(conf.get("trade", 0.8) or 0.8) + 0.1,
            min_confidence,
            ("IP2", "the trade library's money flag for their trade (classifier)"),
        )
    else:
        card["identify_pain"] = _unknown("Ask what went wrong on their last lost or losing bid.")

    # C — competition: a tool named on their calls, else on their site; with neither it is unknown.
    named = Counter(c for call in evidence.get("calls", []) for c in call.get("competitors", []))
    on_site = _site_facts(evidence, "competitor")
    if named:
        card["competition"] = _cell(
            "Named on calls: " + ", ".join(f"{n} ({k})" if k > 1 else n for n, k in named.most_common(3)),
            [f"{c['source']}: {', '.join(c['competitors'])}" for c in evidence["calls"] if c.get("competitors")][:3],
            0.7,
            min_confidence,
            ("CO1", "a tool named on their calls (conversation intelligence)"),
        )
    elif on_site:
        names = sorted({f["name"] for f in on_site})
        card["competition"] = _cell(
            "Their site mentions " + ", ".join(names),
            [f"{f['source']}: {f['quote'][:120]}" for f in on_site[:3]],
            0.5,
            min_confidence,
            ("CO2", "a tool named on their own site"),
        )
    else:
        card["competition"] = _unknown(
            "Ask on the insight call: spreadsheets, another takeoff tool, an estimator hire?"
        )
    return card


def _persona_word(persona: str) -> str:
    return {"owner_exec": "owner / executive", "estimator": "estimator", "pm": "project manager", "field": "field"}.get(
        persona, persona
    )


def security_review_need(evidence: dict | None) -> dict:
    """Whether the buyer requires a security review before signature (seed 002 Phase 4: "enterprise contracting
    + security-review path"), from evidence only: a call that asked for one, or their site's own security /
    compliance requirements. No evidence, no review step (a size band is not evidence of one)."""
    evidence = evidence or {}
    on_calls, on_site = _call_facts(evidence, "security"), _site_facts(evidence, "security")
    if on_calls:
        _, cited = _quoted(on_calls)
        return {
            "required": True,
            "rule": {"id": "SR1", "text": "a call asked for a security review"},
            "evidence": cited,
        }
    if on_site:
        _, cited = _quoted(on_site)
        return {
            "required": True,
            "rule": {"id": "SR2", "text": "their site states security / compliance requirements"},
            "evidence": cited,
        }
    return {"required": False, "rule": {"id": "SR0", "text": "no evidence the buyer requires one"}, "evidence": []}


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
