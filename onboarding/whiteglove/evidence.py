"""The research a battle pack is drawn from (seed 002 W5: "deep swarm → dossier + … + MEDDPICC"; issue 17 item 11:
cells "drawn from evidence (calls, site, firmographics) with the rule that produced each").

Three kinds of evidence besides the Profile the swarm built, each kept with where it came from:

- **firmographics** — the company's row in the firmographics table (aggregators, bonding lists): headcount,
  revenue, which list;
- **site** — sentences of the company's own site (the pages domain_site read) that say something about how they
  buy: security or compliance requirements, procurement / vendor registration, the tools they use;
- **calls** — conversation-intelligence calls on the prospect's CRM account (summary, next steps, objections,
  competitors named).

Reading is plain pattern matching over text the swarm already fetched: nothing new is fetched here.
"""

from __future__ import annotations

import re

from enrichment.models import Firmographic, SiteSnapshot

# What a buyer's own words say about the way they buy. Each pattern is one kind of fact the rules read.
SECURITY = re.compile(
    r"\b(soc ?2|iso ?27001|security (?:review|questionnaire|assessment|audit)|vendor security|it security|"
    r"cyber ?security (?:review|questionnaire|requirements?)|penetration test|pen test)\b",
    re.IGNORECASE,
)
PROCUREMENT = re.compile(
    r"(vendor registration|supplier (?:portal|registration|onboarding)|pre-?qualification|procurement|"
    r"purchase order|\bPO\b|master services? agreement|\bMSA\b|legal review|redlines?|certificate of insurance)",
    re.IGNORECASE,
)
DECISION = re.compile(
    r"\b(committee|decides?|decision|sign[- ]off|signs?|approv\w*|evaluat\w*|pilot|budget|board)\b", re.IGNORECASE
)
PAIN = re.compile(
    r"\b(pain|problem|struggl\w*|too long|miss(?:ed|ing)?|behind|overrun\w*|error\w*|re-?work|bottleneck)\b",
    re.IGNORECASE,
)
# Takeoff / estimating / construction-management tools a prospect may already use (competition).
COMPETITORS = (
    "Procore",
    "PlanSwift",
    "Bluebeam",
    "On-Screen Takeoff",
    "Accubid",
    "McCormick",
    "Trimble",
    "ConEst",
    "STACK",
    "ProEst",
    "Sage Estimating",
    "Togal",
    "Buildertrend",
    "BuildingConnected",
    "ConstructConnect",
)
_COMPETITOR = re.compile(r"\b(" + "|".join(re.escape(c) for c in COMPETITORS) + r")\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]


def _facts(text: str, source: str) -> list[dict]:
    """The sentences of one text that carry a buying fact, each tagged with its kind."""
    facts = []
    for sentence in _sentences(text):
        quote = sentence[:240]
        if SECURITY.search(sentence):
            facts.append({"kind": "security", "quote": quote, "source": source})
        if PROCUREMENT.search(sentence):
            facts.append({"kind": "procurement", "quote": quote, "source": source})
        for name in sorted(set(_COMPETITOR.findall(sentence))):
            facts.append({"kind": "competitor", "name": name, "quote": quote, "source": source})
    return facts


def site_facts(domain: str) -> list[dict]:
    """Buying facts from the pages domain_site read (each page's url is the provenance)."""
    snap = SiteSnapshot.objects.filter(domain=domain, status=SiteSnapshot.Status.OK).first() if domain else None
    if snap is None:
        return []
    pages = snap.pages or [{"url": snap.final_url or domain, "text": snap.text}]
    facts = []
    for page in pages[:20]:
        facts += _facts(page.get("text", ""), f"site: {page.get('url') or domain}")
    return facts[:30]


def firmographic(domain: str) -> dict | None:
    row = Firmographic.objects.filter(domain=domain).first() if domain else None
    if row is None:
        return None
    return {
        "company": row.company,
        "employees": row.employees,
        "revenue": str(row.revenue) if row.revenue is not None else None,
        "source": row.source or "firmographics",
        "as_of": row.as_of.isoformat() if row.as_of else None,
    }


def calls(account_id) -> list[dict]:
    """The account's recorded calls, newest first, with the facts their summaries and next steps carry."""
    from gtmos.crm.models import ConvIntelligenceCall

    if not account_id:
        return []
    out = []
    for call in ConvIntelligenceCall.objects.filter(account_id=account_id).order_by("-occurred_at")[:20]:
        source = f"call {call.occurred_at:%Y-%m-%d} ({call.get_call_type_display().lower()})"
        text = " ".join([call.summary, *(f"{s}." for s in call.next_steps or []), *(call.objections or [])])
        out.append(
            {
                "id": call.pk,
                "source": source,
                "at": call.occurred_at.isoformat(),
                "summary": call.summary[:500],
                "competitors": sorted({str(c) for c in call.competitor_mentions or []}),
                "objections": [str(o)[:200] for o in call.objections or []][:5],
                "facts": _facts(text, source)
                + [
                    {"kind": kind, "quote": s[:240], "source": source}
                    for s in _sentences(text)
                    for kind, pattern in (("decision", DECISION), ("pain", PAIN))
                    if pattern.search(s)
                ],
            }
        )
    return out


def research_evidence(*, domain: str, account_id) -> dict:
    """Everything the rules read besides the dossier, JSON-able (kept in the dossier, so the page shows it)."""
    return {"firmographic": firmographic(domain), "site": site_facts(domain), "calls": calls(account_id)}
