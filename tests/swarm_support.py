"""Shared fixtures and helpers for the swarm, router and prospect-session tests.

Outside the real-worker tests, agent tasks are not sent anywhere: tests run on a wrapped transaction whose
on_commit hooks never fire, and ``run_agents`` executes each pending attempt inline through the same service
the Celery task calls."""

from __future__ import annotations

from decimal import Decimal

import pytest
from waffle.models import Flag, Switch

from enrichment.enums import JobStatus
from enrichment.flags import ALL_FLAGS, SWARM_SWITCH
from enrichment.models import AgentJob, BidInvite, EnrichmentRun, Firmographic, ProjectRecord
from enrichment.providers.base import ProviderError
from enrichment.services.runs import agent_execute
from gtmos.core import clock


def swarm_switch(on: bool) -> None:
    Switch.objects.update_or_create(name=SWARM_SWITCH, defaults={"active": on})


def flags(on: bool = True, only=None) -> None:
    for name in ALL_FLAGS:
        Flag.objects.update_or_create(name=name, defaults={"everyone": on if only is None else name in only})


@pytest.fixture
def swarm_on(db):
    swarm_switch(True)
    flags(True)


@pytest.fixture
def datasets(db):
    """Firmographics, permits/bids/news and bid invites for the sample companies (enrichment/data/sites)."""
    Firmographic.objects.bulk_create(
        [
            Firmographic(
                domain="squiresconstruction.com",
                company="Squires Construction LLC",
                org_type="contractor",
                employees=22,
                revenue=Decimal("6000000"),
                hq_city="Austin",
                hq_state="TX",
                source="aggregator",
            ),
            Firmographic(
                domain="apexdrywall.com",
                company="Apex Drywall & Interiors",
                org_type="sub_contractor",
                trade="drywall",
                employees=120,
                revenue=Decimal("18000000"),
                hq_city="Dallas",
                hq_state="TX",
                source="aggregator",
            ),
            Firmographic(
                domain="cve-electric.com",
                company="CVE Electric",
                org_type="sub_contractor",
                trade="electrical",
                employees=900,
                revenue=Decimal("240000000"),
                hq_city="Phoenix",
                hq_state="AZ",
                source="bonding",
            ),
            Firmographic(
                domain="bigbuild.com",
                company="BigBuild Group",
                org_type="contractor",
                employees=4200,
                revenue=Decimal("800000000"),
                hq_city="Chicago",
                hq_state="IL",
                source="aggregator",
            ),
        ]
    )
    import datetime as dt

    ProjectRecord.objects.bulk_create(
        [
            ProjectRecord(
                external_id="permit-1",
                source="permit",
                name="Domain Northside retail shell",
                state="TX",
                city="Austin",
                company="Squires Construction",
                company_domain="squiresconstruction.com",
                value=Decimal("1200000"),
                bid_date=dt.date(2026, 4, 1),
            ),
            ProjectRecord(
                external_id="bid-1",
                source="public_bid",
                name="Round Rock ISD admin renovation",
                state="TX",
                city="Round Rock",
                trades=[],
                value=Decimal("3400000"),
                bid_date=dt.date(2026, 3, 20),
            ),
            ProjectRecord(
                external_id="bid-2",
                source="public_bid",
                name="Parkland hospital tower interiors",
                state="TX",
                city="Dallas",
                trades=["drywall", "acoustical_ceilings"],
                value=Decimal("9000000"),
                bid_date=dt.date(2026, 5, 1),
            ),
            ProjectRecord(
                external_id="bid-3",
                source="public_bid",
                name="Phoenix water plant electrical",
                state="AZ",
                city="Phoenix",
                trades=["electrical"],
                value=Decimal("12000000"),
                bid_date=dt.date(2026, 6, 1),
            ),
            ProjectRecord(
                external_id="news-1",
                source="news",
                name="Austin office tower breaks ground",
                state="TX",
                city="Austin",
                trades=[],
                published_on=dt.date(2026, 2, 1),
            ),
            ProjectRecord(
                external_id="bid-far",
                source="public_bid",
                name="Maine ferry terminal",
                state="ME",
                trades=["drywall"],
                bid_date=dt.date(2026, 5, 1),
            ),
        ]
    )
    BidInvite.objects.bulk_create(
        [
            BidInvite(
                external_id=f"inv-{i}",
                recipient_domain="apexdrywall.com",
                sender_company=gc,
                sender_domain=domain,
                sender_org_type="contractor",
                project_name="Tower",
                trade="drywall",
                received_on=dt.date(2026, 2, i + 1),
            )
            for i, (gc, domain) in enumerate(
                [
                    ("Turner Build", "turnerbuild.com"),
                    ("Turner Build", "turnerbuild.com"),
                    ("Hensel Works", "henselworks.com"),
                ]
            )
        ]
    )


def run_agents(lead, *, agents=None, attempt=None, due_at=None) -> list[str]:
    """Execute every pending (or due) attempt of the lead's run inline, sync agents first."""
    run = EnrichmentRun.objects.get(lead=lead)
    outcomes = []
    for job in AgentJob.objects.filter(run=run, status=JobStatus.PENDING).order_by("-sync", "agent"):
        if agents is not None and job.agent not in agents:
            continue
        outcomes.append(agent_execute(job_id=job.pk, attempt=attempt or job.attempts + 1, due_at=due_at or job.due_at))
    return outcomes


class Failing:
    """A provider that always fails (its source is down)."""

    agent = "failing"

    def run(self, inp, *, deadline):
        raise ProviderError("source unavailable")


class Slow:
    """A provider that never answers within its budget."""

    agent = "slow"

    def run(self, inp, *, deadline):
        import time

        time.sleep(max(deadline - time.monotonic(), 0) + 0.01)
        from enrichment.providers.base import check_budget

        check_budget(deadline)


def now():
    return clock.now()
