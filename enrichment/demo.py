"""Demo data for the swarm: the local datasets the offline agents read for the sample companies whose sites ship in
``enrichment/data/sites`` (written through RevOps' import services), and — for the quick start only — the swarm
switch and every agent and gate flag on, so a cold prospect at a sample company's email gets the smart flow.
Production ships the swarm dark (enrichment/flags.py); docker-compose's demo load leaves it so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from waffle.models import Flag, Switch

from gtmos.core import clock

from .flags import ALL_FLAGS, SWARM_SWITCH
from .services.datasets import bid_invite_upsert, firmographic_upsert, project_record_upsert

# (domain, company, org_type, trade, employees, revenue, city, state, source)
FIRMOGRAPHICS = [
    (
        "squiresconstruction.com",
        "Squires Construction LLC",
        "contractor",
        "",
        22,
        "6000000",
        "Austin",
        "TX",
        "aggregator",
    ),
    (
        "apexdrywall.com",
        "Apex Drywall & Interiors",
        "sub_contractor",
        "drywall",
        120,
        "18000000",
        "Dallas",
        "TX",
        "aggregator",
    ),
    ("cve-electric.com", "CVE Electric", "sub_contractor", "electrical", 900, "240000000", "Phoenix", "AZ", "bonding"),
    ("bigbuild.com", "BigBuild Group", "contractor", "", 4200, "800000000", "Chicago", "IL", "aggregator"),
]
# (external_id, source, name, city, state, company, company_domain, trades, value, days until the bid is due)
PROJECTS = [
    (
        "demo-permit-1",
        "permit",
        "Domain Northside retail shell",
        "Austin",
        "TX",
        "Squires Construction",
        "squiresconstruction.com",
        [],
        "1200000",
        120,
    ),
    ("demo-bid-1", "public_bid", "Round Rock ISD admin renovation", "Round Rock", "TX", "", "", [], "3400000", 108),
    (
        "demo-bid-2",
        "public_bid",
        "Parkland hospital tower interiors",
        "Dallas",
        "TX",
        "",
        "",
        ["drywall", "acoustical_ceilings"],
        "9000000",
        150,
    ),
    (
        "demo-bid-3",
        "public_bid",
        "Phoenix water plant electrical",
        "Phoenix",
        "AZ",
        "",
        "",
        ["electrical"],
        "12000000",
        180,
    ),
]
BID_INVITES = [
    ("demo-inv-1", "Turner Build", "turnerbuild.com"),
    ("demo-inv-2", "Turner Build", "turnerbuild.com"),
    ("demo-inv-3", "Hensel Works", "henselworks.com"),
]


def seed_reference_data() -> dict[str, int]:
    """Idempotent: a second load updates the same rows."""
    for domain, company, org_type, trade, employees, revenue, city, state, source in FIRMOGRAPHICS:
        firmographic_upsert(
            domain=domain,
            company=company,
            org_type=org_type,
            trade=trade,
            employees=employees,
            revenue=Decimal(revenue),
            hq_city=city,
            hq_state=state,
            source=source,
        )
    today = clock.today()
    for external_id, source, name, city, state, company, domain, trades, value, due_in in PROJECTS:
        project_record_upsert(
            external_id=external_id,
            source=source,
            name=name,
            city=city,
            state=state,
            company=company,
            company_domain=domain,
            trades=trades,
            value=Decimal(value),
            bid_date=today + dt.timedelta(days=due_in),
        )
    for i, (external_id, sender, sender_domain) in enumerate(BID_INVITES):
        bid_invite_upsert(
            external_id=external_id,
            recipient_domain="apexdrywall.com",
            sender_company=sender,
            sender_domain=sender_domain,
            sender_org_type="contractor",
            project_name="Tower",
            trade="drywall",
            received_on=today - dt.timedelta(days=30 - i),
        )
    return {
        "swarm firmographics": len(FIRMOGRAPHICS),
        "swarm projects": len(PROJECTS),
        "swarm bid invites": len(BID_INVITES),
    }


def swarm_on() -> None:
    """The kill switch on and every agent and gate flag on for everyone (saves clear the flag cache)."""
    Switch.objects.update_or_create(name=SWARM_SWITCH, defaults={"active": True})
    for name in ALL_FLAGS:
        Flag.objects.update_or_create(name=name, defaults={"everyone": True})
