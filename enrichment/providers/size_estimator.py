"""size_estimator — size band, revenue and ACV estimates from the firmographics table RevOps imports
(aggregators, bonding lists) and from what the company says about itself on its site."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from gtmos.core import clock
from routing.enums import Identity, SizeBand
from routing.enums import ProfileField as F

from .. import extract
from ..models import Firmographic
from .base import AgentInput, AgentOutput, ProviderError, SignalOut
from .calibration import calibrated
from .domains import email_domain, identity_of
from .site import site_for

EMPLOYEE_BANDS = ((10, SizeBand.MICRO), (50, SizeBand.SMALL), (250, SizeBand.MID), (1000, SizeBand.LARGE))


def band_of_employees(n: int) -> str:
    for limit, band in EMPLOYEE_BANDS:
        if n < limit:
            return band
    return SizeBand.ENTERPRISE


def acv_estimate(*, employees: int | None, revenue: Decimal | None) -> Decimal | None:
    """Seats × seat price: the precon/PM staff share of headcount (headcount from revenue if unknown)."""
    if employees is None and revenue is not None:
        employees = int(revenue / Decimal(settings.SWARM_REVENUE_PER_EMPLOYEE))
    if employees is None:
        return None
    seats = max(1, round(employees * settings.SWARM_SEATS_PER_EMPLOYEE))
    return Decimal(seats * settings.SWARM_SEAT_PRICE)


class SizeEstimatorProvider:
    agent = "size_estimator"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if not domain:
            raise ProviderError("the email has no usable domain")
        if identity_of(domain) != Identity.WORK:
            return AgentOutput([])
        out: list[SignalOut] = []
        revenue = employees = None
        rev_conf = emp_conf = 0.0
        firmo = Firmographic.objects.filter(domain=domain).first()
        if firmo is not None:
            fresh = firmo.as_of is None or firmo.as_of >= clock.today() - dt.timedelta(days=730)
            if firmo.revenue is not None:
                revenue, rev_conf, why = (
                    firmo.revenue,
                    (0.92 if fresh else 0.8),
                    f"firmographics ({firmo.source or 'table'})",
                )
            elif firmo.bonding_capacity is not None:
                # Aggregate bonding capacity tracks annual volume closely enough to band a firm, not to assert it.
                revenue, rev_conf, why = firmo.bonding_capacity, 0.75, "bonding capacity ≈ annual volume"
            if revenue is not None:
                out.append(SignalOut(F.REVENUE, str(revenue), rev_conf, why))
            if firmo.employees:
                employees, emp_conf = firmo.employees, (0.9 if fresh else 0.78)
        doc = None
        if revenue is None or employees is None:
            doc = site_for(domain, deadline=deadline)
        site_band = None
        if doc is not None and revenue is None and (fact := extract.revenue(doc)) is not None:
            revenue, rev_conf = Decimal(fact.value), calibrated(F.REVENUE, fact.confidence)
            out.append(SignalOut(F.REVENUE, str(revenue), rev_conf, fact.evidence))
        if doc is not None and employees is None and (fact := extract.headcount(doc)) is not None:
            # The size band from a headcount the site states: calibrated on the corpus, so it may be asserted.
            employees, emp_conf = fact.value, calibrated(F.SIZE_BAND, fact.confidence)
            site_band = (emp_conf, f"{employees} people: {fact.evidence}")
        if employees:
            band_conf, why = site_band or (round(emp_conf * 0.9, 3), f"{employees} employees")
            out.append(SignalOut(F.SIZE_BAND, band_of_employees(employees), band_conf, why))
        acv = acv_estimate(employees=employees, revenue=revenue)
        if acv is not None:
            basis = max(rev_conf, emp_conf)
            out.append(SignalOut(F.ACV, str(acv), round(basis * 0.93, 3), "seats × seat price from headcount"))
        return AgentOutput(out)
