"""domain_site — registrable domain of the email (free-mail and disposable recognised), the company site,
and from it (``enrichment/extract.py``, every page the crawler read) the company name, website, HQ and service
area, each with the page it came from, plus the firmographics table when it knows the domain."""

from __future__ import annotations

from routing.enums import Identity
from routing.enums import ProfileField as F

from .. import extract
from ..models import Firmographic
from .base import AgentInput, AgentOutput, ProviderError, SignalOut
from .calibration import calibrated
from .domains import email_domain, identity_of
from .site import SiteDoc, site_for


def _company(doc: SiteDoc | None, firmo: Firmographic | None) -> tuple[str, float, str] | None:
    site = extract.company(doc) if doc is not None else None
    found = site and (site.value, calibrated(F.COMPANY, site.confidence), site.evidence)
    if firmo is None or not firmo.company:
        return found
    table = (firmo.company, 0.9, f"firmographics ({firmo.source or 'table'})")
    if found is None:
        return table
    if extract.norm_name(found[0]) == extract.norm_name(table[0]):  # two independent sources agree
        return found[0], min(0.99, max(found[1], table[1]) + 0.03), f"{found[2]} + {table[2]}"
    return max(found, table, key=lambda c: c[1])


def _hq(doc: SiteDoc | None, firmo: Firmographic | None) -> tuple[str, float, str] | None:
    site = extract.hq(doc) if doc is not None else None
    if site is not None and site.source.startswith("schema.org"):
        return site.value, calibrated(F.HQ, site.confidence), site.evidence
    if firmo is not None and firmo.hq_city and firmo.hq_state:
        return f"{firmo.hq_city}, {firmo.hq_state}", 0.88, "firmographics HQ"
    if site is not None:
        return site.value, calibrated(F.HQ, site.confidence), site.evidence
    return None


def _service_area(doc: SiteDoc | None, hq: tuple[str, float, str] | None) -> tuple[list[str], float, str] | None:
    site = extract.service_area(doc) if doc is not None else None
    if site is not None:
        return site.value, calibrated(F.SERVICE_AREA, site.confidence), site.evidence
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
        best = _company(doc, firmo)
        if best is not None:
            out.append(SignalOut(F.COMPANY, best[0], best[1], best[2]))
        hq = _hq(doc, firmo)
        if hq is not None:
            out.append(SignalOut(F.HQ, hq[0], hq[1], hq[2]))
        area = _service_area(doc, hq)
        if area is not None:
            out.append(SignalOut(F.SERVICE_AREA, area[0], area[1], area[2]))
        return AgentOutput(out)
