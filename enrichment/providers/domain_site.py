"""domain_site — registrable domain of the email (free-mail and disposable recognised), the company site,
and from it the company name, website, HQ and service area (page text and schema.org data), plus the
firmographics table when it knows the domain."""

from __future__ import annotations

import re

from routing.enums import Identity, ProfileField as F

from ..models import Firmographic
from .base import AgentInput, AgentOutput, ProviderError, SignalOut
from .domains import email_domain, identity_of
from .site import SiteDoc, site_for

_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·]\s+")
_HQ_TEXT = re.compile(r"\b(?:headquartered|based|located)\s+in\s+([A-Z][A-Za-z .'-]{1,40}),\s*([A-Z]{2})\b")
_SERVING = re.compile(r"\bserv(?:ing|es|e)\s+(?:the\s+)?((?:[A-Z][A-Za-z .'-]+(?:,\s*|\s+and\s+)?){1,6})")
_GENERIC_TITLES = {"home", "welcome", "index", "homepage", "home page"}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("&", "and"))


def _candidates(doc: SiteDoc | None, firmo: Firmographic | None) -> list[tuple[str, float, str]]:
    found: list[tuple[str, float, str]] = []
    if doc is not None:
        for org in doc.organizations():
            name = org.get("name")
            if isinstance(name, str) and name.strip():
                found.append((name.strip()[:200], 0.95, "schema.org Organization name"))
                break
        if doc.meta.get("og:site_name"):
            found.append((doc.meta["og:site_name"][:200], 0.9, "og:site_name"))
        if doc.title:
            parts = [p.strip() for p in _TITLE_SPLIT.split(doc.title) if p.strip()]
            parts = [p for p in parts if p.lower() not in _GENERIC_TITLES]
            if parts:
                found.append((max(parts, key=len)[:200] if len(parts) > 1 else parts[0][:200], 0.7, "page title"))
    if firmo is not None and firmo.company:
        found.append((firmo.company, 0.9, f"firmographics ({firmo.source or 'table'})"))
    return found


def _best(candidates: list[tuple[str, float, str]]) -> tuple[str, float, str] | None:
    """Highest-confidence name; two independent sources agreeing raise it a little (they're not 100%)."""
    if not candidates:
        return None
    name, conf, why = max(candidates, key=lambda c: c[1])
    agreeing = [c for c in candidates if _norm(c[0]) == _norm(name)]
    if len(agreeing) > 1:
        conf = min(0.99, conf + 0.03)
        why = " + ".join(c[2] for c in agreeing)
    return name, conf, why


def _hq(doc: SiteDoc | None, firmo: Firmographic | None) -> tuple[str, float, str] | None:
    if doc is not None:
        for org in doc.organizations():
            address = org.get("address")
            if isinstance(address, list) and address:
                address = address[0]
            if isinstance(address, dict):
                city, region = address.get("addressLocality"), address.get("addressRegion")
                if isinstance(city, str) and isinstance(region, str) and city and region:
                    return f"{city.strip()}, {region.strip()}", 0.92, "schema.org PostalAddress"
    if firmo is not None and firmo.hq_city and firmo.hq_state:
        return f"{firmo.hq_city}, {firmo.hq_state}", 0.88, "firmographics HQ"
    if doc is not None:
        match = _HQ_TEXT.search(doc.text)
        if match:
            return f"{match.group(1).strip()}, {match.group(2)}", 0.7, "'based in' sentence on the site"
    return None


def _service_area(doc: SiteDoc | None, hq: tuple[str, float, str] | None) -> tuple[list[str], float, str] | None:
    if doc is not None:
        for org in doc.organizations():
            served = org.get("areaServed")
            names = []
            for item in served if isinstance(served, list) else [served]:
                if isinstance(item, str):
                    names.append(item.strip())
                elif isinstance(item, dict) and isinstance(item.get("name"), str):
                    names.append(item["name"].strip())
            names = [n for n in names if n]
            if names:
                return names[:10], 0.9, "schema.org areaServed"
        match = _SERVING.search(doc.text)
        if match:
            places = [p.strip(" ,.") for p in re.split(r",|\band\b", match.group(1)) if p.strip(" ,.")]
            if places:
                return places[:10], 0.72, "'serving …' sentence on the site"
    if hq is not None:
        return [hq[0].rsplit(", ", 1)[-1]], 0.6, "HQ state only"
    return None


class DomainSiteProvider:
    agent = "domain_site"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if not domain:
            raise ProviderError("the email has no usable domain")
        identity = identity_of(domain)
        out = [SignalOut(F.IDENTITY, identity, 0.99, f"{identity} domain list")]
        if identity != Identity.WORK:
            return AgentOutput(out)  # a personal mailbox says nothing about a company
        firmo = Firmographic.objects.filter(domain=domain).first()
        doc = site_for(domain, deadline=deadline)
        if doc is not None:
            out.append(SignalOut(F.WEBSITE, doc.final_url, 0.95, "site answered"))
        elif firmo is not None:
            out.append(SignalOut(F.WEBSITE, f"https://{domain}/", 0.6, "domain of a known company; no site read"))
        best = _best(_candidates(doc, firmo))
        if best is not None:
            out.append(SignalOut(F.COMPANY, best[0], best[1], best[2]))
        hq = _hq(doc, firmo)
        if hq is not None:
            out.append(SignalOut(F.HQ, hq[0], hq[1], hq[2]))
        area = _service_area(doc, hq)
        if area is not None:
            out.append(SignalOut(F.SERVICE_AREA, area[0], area[1], area[2]))
        return AgentOutput(out)
