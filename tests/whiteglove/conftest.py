"""A white-glove world: two AEs and two SDRs (one pair covers Arizona), a CSM, post-sales, a manager, and a
prospect the router sends down the white-glove track (CVE Electric, Phoenix — wg_enterprise)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.services.profile import decision_for
from gtmos.core import clock
from gtmos.crm.models import Role
from onboarding.models import Deal, OnboardingSession
from onboarding.services import session as flow
from tests.factories import EmployeeFactory
from tests.swarm_support import datasets, flags, run_agents, swarm_on, swarm_switch  # noqa: F401

ANSWERS = {
    "company": "Acme",
    "org_type": "contractor",
    "size_band": "small",
    "service_area": ["Austin, TX"],
    "sectors": ["commercial"],
    "trade": "drywall",
}


class Team:
    def __init__(self):
        self.slm = EmployeeFactory(role=Role.SLM, user__username="slm")
        self.manager = EmployeeFactory(role=Role.MANAGER, slm=self.slm, user__username="mgr", name="Mia Manager")
        self.ae = EmployeeFactory(
            role=Role.AE, manager=self.manager, slm=self.slm, territory="AZ", user__username="ae", name="Ana Exec"
        )
        self.sdr = EmployeeFactory(
            role=Role.SDR, manager=self.manager, slm=self.slm, territory="AZ", user__username="sdr", name="Sam Dev"
        )
        self.other_ae = EmployeeFactory(role=Role.AE, territory="TX", user__username="ae2", name="Otto Exec")
        self.other_sdr = EmployeeFactory(role=Role.SDR, territory="TX", user__username="sdr2", name="Sia Dev")
        self.csm = EmployeeFactory(
            role=Role.CSM, manager=self.manager, slm=self.slm, user__username="csm", name="Cora Success"
        )
        self.post_sales = EmployeeFactory(role=Role.POST_SALES, slm=self.slm, user__username="postsales")


def prospect(email="dana@cve-electric.com", role="estimator", name="") -> OnboardingSession:
    """A cold prospect through the swarm (agents inline), the confirm and the router."""
    s = flow.session_start(source="outbound", idempotency_key=f"k:{email}")
    s = flow.session_submit_email(session=s, email=email)
    if name:
        type(s.lead).objects.filter(pk=s.lead_id).update(name=name, title="Chief Estimator")
    run_agents(s.lead)
    s = OnboardingSession.objects.get(pk=s.pk)
    asks = decision_for(lead=s.lead).asks
    return flow.session_confirm(session=s, answers={"role": role, **{f: ANSWERS[f] for f in asks if f in ANSWERS}})


def deal_of(session) -> Deal:
    return Deal.objects.select_related("session", "opportunity__account", "ae_owner", "sdr").get(session=session)


@pytest.fixture
def team(db, frozen_clock):
    return Team()


@pytest.fixture
def wg(team, swarm_on, datasets):  # noqa: F811 - fixtures from swarm_support
    s = prospect(name="Dana Reyes")
    return deal_of(s)


def at(days: int):
    return clock.now() + dt.timedelta(days=days)


def quick_deal(n: int, *, hq: str = "Phoenix, AZ", track: str = "wg_enterprise", size_band: str = "large", acv=180_000):
    """A white-glove deal without running the swarm: a lead with a profile and a pursuit, its session placed in
    W5 (as route.decided would), then the real W5 entry service."""
    from decimal import Decimal

    from enrichment.models import Lead, Profile, Pursuit
    from onboarding.models import SessionState as S
    from onboarding.whiteglove.battlepack import whiteglove_enter

    lead = Lead.objects.create(
        email=f"est{n}@firm{n}.com",
        name=f"Pat Number{n}",
        title="Chief Estimator",
        source="outbound",
        idempotency_key=f"quick:{n}",
    )
    Profile.objects.create(
        lead=lead,
        company=f"Firm {n} Electric",
        hq=hq,
        org_type="sub_contractor",
        size_band=size_band,
        revenue_est=Decimal(200_000_000),
        acv_est=Decimal(acv),
        persona="estimator",
        role="Chief Estimator",
        trade="electrical",
        confidence={"persona": 0.9, "trade": 0.9, "size_band": 0.9},
    )
    Pursuit.objects.create(
        lead=lead,
        name=f"Hospital {n} electrical",
        value=Decimal(8_000_000),
        source="public_bid",
        location="Phoenix",
        match_score=0.8,
    )
    session = OnboardingSession.objects.create(lead=lead, state=S.W5_BATTLEPACK, track=track, warmth="warm")
    return whiteglove_enter(session=session)


@pytest.fixture
def celery_eager():
    """Run the tasks queued after commit inline (the research rebuild is a Celery task per deal): for tests
    about what the rebuild does, not its delivery (tests/whiteglove/test_research_evidence.py has a real worker)."""
    from gtmos.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
