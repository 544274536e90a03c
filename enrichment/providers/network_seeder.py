"""network_seeder (async) — the subs and GCs a prospect works with: from the CRM records (construction firms
of the complementary kind in the same region) and, only with explicit inbox consent, from bid invites."""

from __future__ import annotations

import re
from collections import Counter

from django.db.models import Q

from routing.enums import OrgType
from routing.enums import ProfileField as F

from ..enums import NetworkSource
from .base import AgentInput, AgentOutput, NetworkOut
from .domains import email_domain

LIMIT = 25
_STATE = re.compile(r"\b([A-Z]{2})\b")
GC_WORDS = ("general contractor", "construction manager", "gc")
SUB_WORDS = ("subcontractor", "specialty contractor", "trade contractor")


def _region_terms(inp: AgentInput) -> set[str]:
    terms = set()
    for name in (F.HQ, F.SERVICE_AREA):
        value = inp.value(name, at_least=0.5)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                terms.update(_STATE.findall(text))
                terms.update(part.strip() for part in text.split(",") if len(part.strip()) > 2)
    return terms


class NetworkSeederProvider:
    agent = "network_seeder"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        from gtmos.crm.models import Account

        domain = email_domain(inp.email)
        org_type = inp.value(F.ORG_TYPE, at_least=0.5)
        trade = inp.value(F.TRADE, at_least=0.5)
        # A GC's network is its subs; a sub's network is the GCs that invite it to bid.
        relation, words = ("gc", GC_WORDS) if org_type == OrgType.SUB_CONTRACTOR else ("sub", SUB_WORDS)
        links: list[NetworkOut] = []
        regions = _region_terms(inp)
        if regions:
            kind = Q()
            for word in words:
                kind |= Q(vertical__icontains=word)
            place = Q()
            for term in sorted(regions):
                place |= Q(region__icontains=term)
            accounts = Account.objects.filter(kind & place)
            if domain:
                accounts = accounts.exclude(domain__iexact=domain)
            for account in accounts.order_by("name")[:LIMIT]:
                links.append(
                    NetworkOut(
                        company=account.name,
                        domain=account.domain,
                        relation=relation,
                        trade="",
                        source=NetworkSource.CRM,
                        account_id=account.pk,
                        strength=1,
                    )
                )
        if inp.consent_inbox and domain:
            # Inbox access is explicit opt-in (seed 002 "Consent + PII"): without it, invites are never read.
            from ..models import BidInvite

            invites = BidInvite.objects.filter(recipient_domain=domain)
            senders = Counter()
            seen = {}
            for invite in invites.order_by("-received_on")[:500]:
                key = invite.sender_company.strip()
                senders[key] += 1
                seen.setdefault(key, invite)
            for company, count in senders.most_common(LIMIT):
                invite = seen[company]
                links.append(
                    NetworkOut(
                        company=company,
                        domain=invite.sender_domain,
                        relation="sub" if invite.sender_org_type == OrgType.SUB_CONTRACTOR else "gc",
                        trade=invite.trade or (trade or ""),
                        source=NetworkSource.BID_INVITE,
                        account_id=None,
                        strength=count,
                    )
                )
        return AgentOutput(network=links)
