"""classifier — org type, trade, sectors and project mix from the site text (and its schema.org types),
with confidences from the calibrated curve (``calibration.py``).

Evidence is counted, not guessed: phrases a general contractor uses about itself, phrases a trade contractor
uses, each trade's keywords from the (RevOps-editable) trade library, and sector words. schema.org business
types are deliberate markup and count for more. A personal mailbox with no site is weak evidence of a
homeowner and stays below θ, so the confirm asks instead of disqualifying anyone on a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from routing.enums import Identity, OrgType, ProfileField as F

from ..models import SiteSnapshot  # noqa: F401  (the site cache the classifier shares with domain_site)
from .base import AgentInput, AgentOutput, ProviderError, SignalOut
from .calibration import confidence
from .domains import email_domain, identity_of
from .site import SiteDoc, site_for

GC_PHRASES = ("general contractor", "general contracting", "construction management", "construction manager",
              "design-build", "design build", "cm at risk", "cm-at-risk", "self-perform", "preconstruction services",
              "turnkey construction", "ground-up construction", "tenant improvement", "build-out")
SUB_PHRASES = ("subcontractor", "sub-contractor", "specialty contractor", "trade contractor", "installer",
               "installation contractor", "fabricator")
CONSUMER_PHRASES = ("my home", "our home", "my house", "homeowner looking", "for my kitchen", "remodel my")
SCHEMA_GC = {"GeneralContractor"}
SCHEMA_TRADES = {"Electrician": "electrical", "Plumber": "plumbing", "RoofingContractor": "roofing",
                 "HVACBusiness": "hvac", "HousePainter": "painting"}
SCHEMA_WEIGHT = 4.0
TITLE_WEIGHT = 3.0
SECTORS = {
    "commercial": ("commercial", "office", "tenant improvement"),
    "healthcare": ("healthcare", "hospital", "medical", "clinic"),
    "education": ("education", "school", "university", "campus", "k-12"),
    "multifamily": ("multifamily", "multi-family", "apartment", "condominium", "senior living"),
    "industrial": ("industrial", "warehouse", "manufacturing", "distribution center", "plant"),
    "hospitality": ("hospitality", "hotel", "resort", "restaurant"),
    "retail": ("retail", "store", "shopping center"),
    "public": ("public works", "municipal", "government", "civic", "federal"),
    "residential": ("residential", "custom home", "single-family", "homebuilder"),
    "infrastructure": ("infrastructure", "bridge", "highway", "transit", "utility"),
    "data_centers": ("data center", "data centre", "mission critical"),
}


@lru_cache(maxsize=4096)
def _word(phrase: str) -> re.Pattern:
    return re.compile(r"\b" + re.escape(phrase) + r"\b")


def _count(text: str, phrases) -> int:
    # A phrase that is not even a substring has no whole-word match: the substring test (fast) skips most of the
    # few hundred regex scans per site.
    return sum(len(_word(p).findall(text)) for p in phrases if p in text)


def _trade_library() -> dict[str, tuple[str, ...]]:
    """The trade keywords from the router's configuration, which the hot path already caches per process
    (``SWARM_FLAG_CACHE_SECONDS``; a RevOps save in this process clears it at once)."""
    from routing.config import router_config_cached

    return {trade: tuple(k.lower() for k in spec.keywords) for trade, spec in router_config_cached().trades.items()}


def classify(doc: SiteDoc, trades: dict[str, tuple[str, ...]]) -> list[SignalOut]:
    """Pure: a parsed site and the trade library in, signals out (the calibration test calls this)."""
    body = doc.text.lower()
    head = " ".join([doc.title, *doc.meta.values()]).lower()
    types = doc.schema_types()

    gc = _count(body, GC_PHRASES) + TITLE_WEIGHT * _count(head, GC_PHRASES) + SCHEMA_WEIGHT * len(types & SCHEMA_GC)
    trade_hits = Counter()
    for trade, words in trades.items():
        hits = _count(body, words) + TITLE_WEIGHT * _count(head, words)
        if hits:
            trade_hits[trade] = hits
    for schema_type, trade in SCHEMA_TRADES.items():
        if schema_type in types and trade in trades:
            trade_hits[trade] += SCHEMA_WEIGHT
    ranked = trade_hits.most_common()
    top_trade, top_hits = ranked[0] if ranked else (None, 0)
    second_hits = ranked[1][1] if len(ranked) > 1 else 0
    # A sub names its trade again and again; a GC lists many trades about equally. Only the lead of the top
    # trade over the next one counts as evidence of being a sub.
    sub = _count(body, SUB_PHRASES) + TITLE_WEIGHT * _count(head, SUB_PHRASES) \
        + SCHEMA_WEIGHT * len(types & set(SCHEMA_TRADES)) + max(top_hits - second_hits, 0) * 0.5
    consumer = _count(body, CONSUMER_PHRASES)

    out: list[SignalOut] = []
    scores = {OrgType.CONTRACTOR: gc, OrgType.SUB_CONTRACTOR: sub, OrgType.CONSUMER: consumer}
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (winner, best), (_, runner_up) = ordered[0], ordered[1]
    if best > 0:
        out.append(SignalOut(F.ORG_TYPE, winner, confidence(best - runner_up),
                             f"site evidence gc={gc:g} sub={sub:g} consumer={consumer:g}"))
    if top_trade is not None:
        out.append(SignalOut(F.TRADE, top_trade, confidence(top_hits - second_hits, scale=1.5),
                             f"trade keywords: {top_trade}={top_hits:g}, next={second_hits:g}"))
    sector_hits = Counter({s: _count(body, words) + TITLE_WEIGHT * _count(head, words) for s, words in SECTORS.items()})
    sector_hits = Counter({s: n for s, n in sector_hits.items() if n > 0})
    if sector_hits:
        total = sum(sector_hits.values())
        named = [s for s, n in sorted(sector_hits.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2 or n / total >= 0.25]
        if named:
            out.append(SignalOut(F.SECTORS, named[:5], confidence(total - 1, scale=2.5, ceiling=0.95),
                                 f"sector words on the site ({total})"))
        mix = {s: round(n / total, 2) for s, n in sorted(sector_hits.items(), key=lambda kv: (-kv[1], kv[0]))}
        out.append(SignalOut(F.PROJECT_MIX, mix, confidence(total - 1, scale=3.0, ceiling=0.9),
                             "share of sector words"))
    return out


class ClassifierProvider:
    agent = "classifier"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if not domain:
            raise ProviderError("the email has no usable domain")
        if identity_of(domain) != Identity.WORK:
            return AgentOutput([SignalOut(F.ORG_TYPE, OrgType.CONSUMER, 0.6,
                                          "personal mailbox and no company site: maybe a homeowner (ask)")])
        doc = site_for(domain, deadline=deadline)
        if doc is None:
            return AgentOutput([])  # no site: nothing to classify; the confirm asks
        return AgentOutput(classify(doc, _trade_library()))
