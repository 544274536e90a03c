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

from routing.enums import Identity, OrgType
from routing.enums import ProfileField as F

from ..models import SiteSnapshot  # noqa: F401  (the site cache the classifier shares with domain_site)
from .base import AgentInput, AgentOutput, ProviderError, SignalOut
from .calibration import calibrated, confidence
from .domains import email_domain, identity_of
from .site import SiteDoc, site_for

# "tenant improvement" and "build-out" are the work, not the role: subs say them as often as GCs do.
GC_PHRASES = (
    "general contractor",
    "general contracting",
    "construction management",
    "construction manager",
    "design-build",
    "design build",
    "cm at risk",
    "cm-at-risk",
    "self-perform",
    "self-performs",
    "self-performing",
    "preconstruction services",
    "turnkey construction",
    "ground-up construction",
    "our subcontractors",
    "our trade partners",
    "subcontractors and suppliers",
    "we coordinate",
    "remodeling contractor",
    "home remodeling",
    "custom home builder",
    "design and remodel",
    "whole-home renovation",
    "kitchen and bath remodeling",
    "general building contractor",
    "preconstruction",
)
SUB_PHRASES = (
    "subcontractor",
    "sub-contractor",
    "specialty contractor",
    "trade contractor",
    "installer",
    "installation contractor",
    "fabricator",
    "trade partner to",
)
# A sub names its clients in GC words: "we work for general contractors" is evidence of a sub, not a GC.
_FOR_GCS = re.compile(
    r"\b(?:for|to|with|alongside|serving|serve|partner(?:s|ing)?\s+with|by|of)\s+"
    r"(?:(?:the|our|many|leading|local|area|top|regional|national|major|commercial|[a-z]+'s)\s+){0,3}"
    r"general\s+contractors?\b"
)
# A GC talks about the subs it hires: "our subcontractors", "subcontractor prequalification", "bid opportunities".
_OUR_SUBS = re.compile(
    r"\b(?:(?:our|trusted|qualified|vetted|manage|coordinate|select|prequalify|prequalifies|"
    r"every|all)\s+(?:(?:specialty|trade|local|every)\s+)?subcontractors?\b|"
    r"subcontractors?\s*(?:prequalification|registration|portal|:|bid\s+list)|"
    r"subcontractors?\s+(?:can|may|should)\s+(?:register|submit|apply))"
)
_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d|\"[^\"]{0,400}\"")
CONSUMER_PHRASES = ("my home", "our home", "my house", "homeowner looking", "for my kitchen", "remodel my")
# Sellers to contractors are neither: their site names trades and GC words, but they build nothing.
VENDOR_PHRASES = (
    "supplier",
    "distributor",
    "wholesale",
    "software",
    "saas",
    "platform",
    "request a demo",
    "free trial",
    "showroom",
    "product catalog",
    "shop now",
    "add to cart",
    "we supply",
    "pricing plans",
    "integrations",
    "lumber yard",
    "supply house",
    "contractor account",
    "building materials",
    "rooftop delivery",
    "jobsite delivery",
    "materials distributor",
)
VENDOR_WEIGHT = 3.0  # "distributor", "request a demo": said about itself, it rules out building for a living
SCHEMA_GC = {"GeneralContractor"}
SCHEMA_TRADES = {
    "Electrician": "electrical",
    "Plumber": "plumbing",
    "RoofingContractor": "roofing",
    "HVACBusiness": "hvac",
    "HousePainter": "painting",
}
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


def classify(doc: SiteDoc, trades: dict[str, tuple[str, ...]], table: dict | None = None) -> list[SignalOut]:
    """Pure: a parsed site and the trade library in, signals out (the calibration command calls this).
    Quoted text — testimonials — is the client's voice and is not counted. ``table={}`` gives raw scores."""
    body = _QUOTED.sub(" ", doc.text).lower()
    head = " ".join([doc.title, *(v for k, v in doc.meta.items() if k != "logo_alt")]).lower()
    types = doc.schema_types()
    works_for_gcs = len(_FOR_GCS.findall(body))
    body_gc = _FOR_GCS.sub(" ", body)
    manages_subs = len(_OUR_SUBS.findall(body_gc))
    body_sub = _OUR_SUBS.sub(" ", body_gc)

    gc = (
        _count(body_gc, GC_PHRASES)
        + TITLE_WEIGHT * _count(head, GC_PHRASES)
        + SCHEMA_WEIGHT * len(types & SCHEMA_GC)
        + manages_subs
    )
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
    # A site dominated by one trade is a sub even if it never says "subcontractor" ("installs suspended ceilings").
    # A GC that self-performs one trade names it often too: dominance counts only where no GC phrase is said.
    vendor = VENDOR_WEIGHT * (_count(body, VENDOR_PHRASES) + TITLE_WEIGHT * _count(head, VENDOR_PHRASES))
    dominance = max(top_hits - 2 * second_hits, 0) if top_hits >= 3 and gc == 0 and vendor == 0 else 0
    sub = (
        _count(body_sub, SUB_PHRASES)
        + TITLE_WEIGHT * _count(head, SUB_PHRASES)
        + 2 * works_for_gcs
        + SCHEMA_WEIGHT * len(types & set(SCHEMA_TRADES))
        + max(top_hits - second_hits, 0) * 0.5
        + dominance * 0.5
    )
    consumer = _count(body, CONSUMER_PHRASES)

    out: list[SignalOut] = []
    scores = {OrgType.CONTRACTOR: gc, OrgType.SUB_CONTRACTOR: sub, OrgType.CONSUMER: consumer}
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (winner, best), (_, runner_up) = ordered[0], ordered[1]
    # A seller to contractors: its evidence counts against whichever role the trade words suggest.
    margin = best - max(runner_up, vendor)
    evidence = f"site evidence gc={gc:g} sub={sub:g} consumer={consumer:g} vendor={vendor:g}"
    if best > 0:
        out.append(SignalOut(F.ORG_TYPE, winner, calibrated(F.ORG_TYPE, confidence(margin), table), evidence))
    if top_trade is not None:
        raw = confidence(top_hits - second_hits, scale=1.5)
        if winner != OrgType.SUB_CONTRACTOR or vendor >= best:
            raw = min(raw, 0.6)  # a GC lists the trades it coordinates; that names no trade of its own
        out.append(
            SignalOut(
                F.TRADE,
                top_trade,
                calibrated(F.TRADE, raw, table),
                f"trade keywords: {top_trade}={top_hits:g}, next={second_hits:g}",
            )
        )
    sector_hits = Counter({s: _count(body, words) + TITLE_WEIGHT * _count(head, words) for s, words in SECTORS.items()})
    sector_hits = Counter({s: n for s, n in sector_hits.items() if n > 0})
    if sector_hits:
        total = sum(sector_hits.values())
        named = [
            s for s, n in sorted(sector_hits.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2 or n / total >= 0.25
        ]
        if named:
            out.append(
                SignalOut(
                    F.SECTORS,
                    named[:5],
                    confidence(total - 1, scale=2.5, ceiling=0.95),
                    f"sector words on the site ({total})",
                )
            )
        mix = {s: round(n / total, 2) for s, n in sorted(sector_hits.items(), key=lambda kv: (-kv[1], kv[0]))}
        out.append(
            SignalOut(F.PROJECT_MIX, mix, confidence(total - 1, scale=3.0, ceiling=0.9), "share of sector words")
        )
    return out


class ClassifierProvider:
    agent = "classifier"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if not domain:
            raise ProviderError("the email has no usable domain")
        if identity_of(domain) != Identity.WORK:
            return AgentOutput(
                [
                    SignalOut(
                        F.ORG_TYPE,
                        OrgType.CONSUMER,
                        0.6,
                        "personal mailbox and no company site: maybe a homeowner (ask)",
                    )
                ]
            )
        doc = site_for(domain, deadline=deadline)
        if doc is None:
            return AgentOutput([])  # no site: nothing to classify; the confirm asks
        return AgentOutput(classify(doc, _trade_library()))
