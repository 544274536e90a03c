"""project_finder (async) — pursuits from the permits / public-bids / news dataset, matched by company,
trade and geography. Runs after the sync agents settle, so it reads the profile they produced."""

from __future__ import annotations

import re

from django.db.models import Q

from gtmos.core import clock
from routing.enums import OrgType
from routing.enums import ProfileField as F

from ..enums import PursuitSource, PursuitStatus
from ..models import ProjectRecord
from .base import AgentInput, AgentOutput, PursuitOut
from .domains import email_domain

WEIGHTS = {"domain": 0.6, "company": 0.5, "trade": 0.25, "geo": 0.15}
MIN_SCORE = 0.35  # trade + geography is a match; geography alone is not
LIMIT = 25
_STATE = re.compile(r"\b([A-Z]{2})\b")


def _norm(name: str) -> str:
    name = re.sub(r"\b(inc|llc|ltd|co|corp|corporation|company|the)\b\.?", "", name.lower())
    return re.sub(r"[^a-z0-9]", "", name)


def _states(inp: AgentInput) -> set[str]:
    states = set()
    for name in (F.HQ, F.SERVICE_AREA):
        value = inp.value(name, at_least=0.5)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                states.update(_STATE.findall(text))
    return states


class ProjectFinderProvider:
    agent = "project_finder"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        company = inp.value(F.COMPANY, at_least=0.5)
        trade = inp.value(F.TRADE, at_least=0.5) if inp.value(F.ORG_TYPE, at_least=0.5) != OrgType.CONTRACTOR else None
        states = _states(inp)
        query = Q()
        if domain:
            query |= Q(company_domain=domain)
        if company:
            query |= Q(company__iexact=company)
        if states:
            query |= Q(state__in=states)
        if not query:
            return AgentOutput([])
        wanted = _norm(company) if isinstance(company, str) else ""
        today = clock.today()
        found = []
        for record in ProjectRecord.objects.filter(query)[:2000]:
            score = 0.0
            if domain and record.company_domain == domain:
                score += WEIGHTS["domain"]
            elif wanted and _norm(record.company) == wanted:
                score += WEIGHTS["company"]
            if trade and trade in (record.trades or []):
                score += WEIGHTS["trade"]
            elif not trade and not record.trades:
                score += WEIGHTS["trade"] * 0.8  # a GC's pursuits are the whole-project bids
            if record.state in states:
                score += WEIGHTS["geo"]
            if score < MIN_SCORE:
                continue
            status = (
                PursuitStatus.WATCHING
                if record.source == PursuitSource.NEWS or (record.bid_date is not None and record.bid_date < today)
                else PursuitStatus.FOUND
            )
            found.append(
                PursuitOut(
                    record_id=record.pk,
                    name=record.name,
                    source=record.source,
                    value=record.value,
                    bid_date=record.bid_date,
                    location=", ".join(p for p in (record.city, record.state) if p),
                    trade=trade or "",
                    match_score=round(min(score, 1.0), 2),
                    status=status,
                )
            )
        found.sort(key=lambda p: (-p.match_score, p.bid_date or today, p.record_id))
        return AgentOutput(pursuits=found[:LIMIT])
