"""size_estimator over a firmographics JSON API in the People Data Labs company-enrichment format:

    GET {SWARM_FIRMO_URL}?website=<domain>   X-Api-Key: …
    200 {"status": 200, "name": "…", "size": "51-200", "employee_count": 120, "inferred_revenue": "$10M-$25M",
         "likelihood": 8}
    404 no match · 402 the plan's credits are spent

Employees and revenue become the size band and the revenue estimate; the offline estimator still runs (the
firmographics table RevOps imports, the headcount the site states) and the better-supported value of each
field stands. Vendor data is not calibrated on our corpus, so it is held to the same 0.9 as the imported table.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal

from routing.enums import Identity
from routing.enums import ProfileField as F

from ... import conf
from ..base import AgentInput, AgentOutput, SignalOut
from ..domains import email_domain, identity_of
from ..size_estimator import SizeEstimatorProvider, acv_estimate, band_of_employees
from .client import Malformed, QuotaExhausted, call

logger = logging.getLogger("enrichment.remote")
SOURCE = "firmographics"
_RANGE = re.compile(r"\$?(\d+(?:\.\d+)?)\s*([kmb])?\s*(?:-|to)\s*\$?(\d+(?:\.\d+)?)\s*([kmb])?", re.IGNORECASE)
_UNITS = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000, None: 1}


def revenue_midpoint(text: str) -> Decimal | None:
    """ "$10M-$25M" → 17,500,000; "$1B+" → 1,000,000,000."""
    match = _RANGE.search(text or "")
    if match:
        low = float(match.group(1)) * _UNITS[(match.group(2) or match.group(4) or "").lower() or None]
        high = float(match.group(3)) * _UNITS[(match.group(4) or "").lower() or None]
        return Decimal(int((low + high) / 2))
    plus = re.search(r"\$?(\d+(?:\.\d+)?)\s*([kmb])\+", text or "", re.IGNORECASE)
    return Decimal(int(float(plus.group(1)) * _UNITS[plus.group(2).lower()])) if plus else None


def parse(body) -> tuple[int | None, Decimal | None, float]:
    if not isinstance(body, dict):
        raise Malformed("the body is not a JSON object")
    employees = body.get("employee_count")
    if employees is None and isinstance(body.get("size"), str):
        bounds = [int(n) for n in re.findall(r"\d+", body["size"].replace(",", ""))]
        employees = (sum(bounds) // len(bounds)) if bounds else None
    if employees is not None and (not isinstance(employees, int) or isinstance(employees, bool) or employees < 0):
        raise Malformed(f"employee_count is not a count: {employees!r}")
    revenue = revenue_midpoint(body.get("inferred_revenue")) if isinstance(body.get("inferred_revenue"), str) else None
    likelihood = body.get("likelihood", 6)
    if not isinstance(likelihood, (int, float)):
        raise Malformed("likelihood is not a number")
    return employees, revenue, min(0.9, 0.55 + 0.035 * float(likelihood))


class FirmographicsApiProvider:
    agent = "size_estimator"

    def __init__(self, offline=None):
        self.offline = offline or SizeEstimatorProvider()

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        offline = self.offline.run(inp, deadline=deadline)
        domain = email_domain(inp.email)
        if not domain or identity_of(domain) != Identity.WORK:
            return offline
        key = conf.get("SWARM_FIRMO_API_KEY")
        try:
            response = call(
                SOURCE,
                "GET",
                conf.get("SWARM_FIRMO_URL"),
                deadline=deadline,
                params={"website": domain},
                headers={"X-Api-Key": key} if key else {},
                quota_statuses=(402,),
            )
            if response.status == 404:
                return offline  # the vendor does not know the company: an answer, not a failure
            if response.status >= 400:
                raise Malformed(f"HTTP {response.status}")
            employees, revenue, confidence = parse(response.body)
        except QuotaExhausted as exc:
            logger.warning("size_estimator: %s; the offline estimator answers", exc)
            return offline
        except Malformed as exc:
            logger.warning("size_estimator: the firmographics answer was unusable (%s); no signal from it", exc)
            return offline
        why = f"firmographics API (likelihood {response.body.get('likelihood', '?')})"
        remote = []
        if employees:
            remote.append(
                SignalOut(F.SIZE_BAND, band_of_employees(employees), confidence, f"{employees} employees: {why}")
            )
        if revenue is not None:
            remote.append(SignalOut(F.REVENUE, str(revenue), round(confidence * 0.9, 3), f"revenue range: {why}"))
        acv = acv_estimate(employees=employees, revenue=revenue)
        if acv is not None:
            remote.append(SignalOut(F.ACV, str(acv), round(confidence * 0.93, 3), "seats × seat price from the API"))
        best = {s.field: s for s in offline.signals}
        for signal in remote:
            if signal.field not in best or signal.confidence > best[signal.field].confidence:
                best[signal.field] = signal
        return AgentOutput(list(best.values()), offline.pursuits, offline.network)
