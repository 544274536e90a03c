"""Demo data: a few white-glove deals at different W-steps, moved there by the real W-step services.

Each prospect is placed in W5 as route.decided would place it (the swarm is not run for demo data: its
Profile and a pursuit are written directly), then walked forward by the same services the pages call."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from gtmos.core import clock

PROSPECTS = [
    # company, domain, contact, title, persona, hq, trade, band, revenue, pursuit, value, target step
    (
        "Copper State Electric",
        "copperstate-electric.test",
        "Dana Reyes",
        "Chief Estimator",
        "estimator",
        "Phoenix, AZ",
        "electrical",
        "large",
        240_000_000,
        "Mesa data center electrical",
        14_000_000,
        "w5",
    ),
    (
        "Cascade Mechanical",
        "cascade-mech.test",
        "Jordan Lee",
        "Preconstruction Manager",
        "pm",
        "Portland, OR",
        "hvac",
        "mid",
        80_000_000,
        "OHSU research wing HVAC",
        9_500_000,
        "w7",
    ),
    (
        "Summit Drywall & Interiors",
        "summit-drywall.test",
        "Riley Chen",
        "VP Estimating",
        "estimator",
        "Denver, CO",
        "drywall",
        "large",
        160_000_000,
        "Denver airport concourse interiors",
        22_000_000,
        "w9",
    ),
    (
        "Ironline Steel Erectors",
        "ironline-steel.test",
        "Morgan Diaz",
        "President",
        "owner_exec",
        "Salt Lake City, UT",
        "structural_steel",
        "large",
        310_000_000,
        "Utah tech campus steel package",
        30_000_000,
        "w10",
    ),
]
ORDER = ["w5", "w6", "w7", "w8", "w9", "w10"]


def _place_in_w5(*, company, domain, contact, title, persona, hq, trade, band, revenue, pursuit, value, n):
    from enrichment.models import Lead, Profile, Pursuit
    from onboarding.models import OnboardingSession
    from onboarding.models import SessionState as S
    from routing.models import TradeConfig

    from .battlepack import whiteglove_enter

    if not TradeConfig.objects.filter(trade=trade).exists():
        trade = TradeConfig.objects.values_list("trade", flat=True).first() or ""
    import uuid

    # Deterministic ids: the same seed gives the same demo (the opportunity's external id is the lead's).
    lead = Lead.objects.create(
        id=uuid.uuid5(uuid.NAMESPACE_DNS, domain),
        email=f"{contact.split()[0].lower()}@{domain}",
        name=contact,
        title=title,
        source="outbound",
        warmth="warm",
        identity_known=True,
        idempotency_key=f"demo-wg:{domain}",
    )
    Profile.objects.create(
        lead=lead,
        company=company,
        website=f"https://{domain}",
        hq=hq,
        org_type="sub_contractor",
        size_band=band,
        revenue_est=Decimal(revenue),
        persona=persona,
        role=title,
        trade=trade,
        service_area=[hq, "West"],
        sectors=["commercial", "healthcare"],
        confidence={"company": 0.97, "persona": 0.9, "trade": 0.92, "size_band": 0.88},
    )
    Pursuit.objects.create(
        lead=lead,
        name=pursuit,
        value=Decimal(value),
        source="public_bid",
        location=hq,
        trade=trade,
        bid_date=clock.today() + dt.timedelta(days=30 + 7 * n),
        match_score=0.85,
    )
    track = "wg_enterprise" if band in ("large", "enterprise") else "wg_mid"
    session = OnboardingSession.objects.create(lead=lead, state=S.W5_BATTLEPACK, track=track, warmth="warm")
    return whiteglove_enter(session=session)


def _walk(deal, target: str, rng: random.Random):
    from . import steps

    ae, sdr = deal.ae_owner, deal.sdr
    goal = ORDER.index(target)
    if goal >= 1:
        steps.battlepack_review(deal=deal, by=ae)
        steps.outreach_send(deal=deal, by=sdr)
    if goal >= 2:
        steps.meeting_book(deal=deal, by=sdr, meeting_at=clock.now() + dt.timedelta(days=rng.randint(1, 5)))
        steps.meddpicc_update(
            deal=deal,
            by=ae,
            cell="champion",
            value=f"{deal.session.lead.name}, {deal.session.lead.title}",
            confirm=True,
            note="Runs the bid calendar; wants Sarah on every job",
        )
    if goal >= 3:
        steps.meddpicc_update(
            deal=deal,
            by=ae,
            cell="economic_buyer",
            value="Pat Morgan, CFO",
            title="CFO",
            confirm=True,
            note="Signs annual software over $50k",
        )
        for cell in ("metrics", "identify_pain", "decision_criteria", "decision_process"):
            value = deal.__class__.objects.get(pk=deal.pk).meddpicc[cell]["value"] or "confirmed on the call"
            steps.meddpicc_update(deal=deal, by=ae, cell=cell, value=value, confirm=True)
        steps.deal_qualify(deal=deal, by=ae)
        steps.commitment_add(deal=deal, by=ae, text="Migrate their open bids from spreadsheets in week 1")
    if goal >= 4:
        steps.demo_deliver(
            deal=deal,
            by=ae,
            demoed=f"Sarah's takeoff of {deal.takeoff.get('pursuit_name', 'their bid')}",
            validated="Quantities within 3% of their estimator's count",
            objections="SSO before company-wide rollout",
        )
        steps.commitment_add(deal=deal, by=sdr, text="FDE on site for the first two bid days")
    if goal >= 5:
        steps.contract_send(deal=deal, by=ae)
        steps.deal_close_won(deal=deal, by=ae, seats=rng.randint(25, 80))


def seed_whiteglove(rng: random.Random) -> dict[str, int]:
    """White-glove deals at W5, W7, W9 and W10 (needs AEs and SDRs). Returns counts for the summary."""
    from gtmos.crm.models import Employee

    if not (
        Employee.objects.filter(role="ae", is_active=True).exists()
        and Employee.objects.filter(role="sdr", is_active=True).exists()
    ):
        return {"white-glove deals": 0}
    for n, (company, domain, contact, title, persona, hq, trade, band, revenue, pursuit, value, target) in enumerate(
        PROSPECTS
    ):
        deal = _place_in_w5(
            company=company,
            domain=domain,
            contact=contact,
            title=title,
            persona=persona,
            hq=hq,
            trade=trade,
            band=band,
            revenue=revenue,
            pursuit=pursuit,
            value=value,
            n=n,
        )
        _walk(deal, target, rng)
    return {"white-glove deals": len(PROSPECTS)}
