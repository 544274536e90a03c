"""Every entry of seed 002's event catalog is written to the Event log, each with an idempotency key per
(lead, stage, …), and a replay of any flow step writes nothing new."""

from decimal import Decimal

import pytest

from enrichment import catalog
from enrichment.services.profile import decision_for
from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import Deal
from onboarding.services import session as svc
from tests.swarm_support import datasets, run_agents, swarm_on, swarm_switch  # noqa: F401

pytestmark = pytest.mark.django_db
SEED_CATALOG = {
    catalog.LEAD_CAPTURED,
    catalog.LEAD_IDENTIFIED,
    catalog.ENRICHMENT_REQUESTED,
    catalog.AGENT_COMPLETED,
    catalog.FIELD_RESOLVED,
    catalog.ENRICHMENT_COMPLETE,
    catalog.ENRICHMENT_PARTIAL,
    catalog.ENRICHMENT_FAILED,
    catalog.CONFIRMED,
    catalog.ROLE_CAPTURED,
    catalog.ROUTE_DECIDED,
    catalog.VALUE_REVEALED,
    catalog.NEXT_QUESTION_ASKED,
    catalog.TAKEOFF_COMPLETED,
    catalog.TEAM_INVITED,
    catalog.TRIAL_STARTED,
    catalog.CARD_CAPTURED,
    catalog.ACCOUNT_ACTIVATED,
    catalog.BATTLEPACK_READY,
    catalog.OUTREACH_SENT,
    catalog.MEETING_BOOKED,
    catalog.DEMO_DELIVERED,
    catalog.DEAL_CLOSED_WON,
    catalog.SESSION_ABANDONED,
    catalog.SESSION_HANDED_OFF,
    # the transition table's own events
    catalog.EMAIL_SUBMITTED,
    catalog.EXPANSION_DETECTED,
    catalog.MEDDPICC_QUALIFIED,
    catalog.DEAL_CLOSED_LOST,
}
ANSWERS = {
    "company": "Acme",
    "org_type": "contractor",
    "size_band": "small",
    "service_area": ["Austin, TX"],
    "sectors": ["commercial"],
    "trade": "drywall",
}


def cold(email, key):
    s = svc.session_start(source="search", idempotency_key=key)
    s = svc.session_submit_email(session=s, email=email)
    run_agents(s.lead)
    asks = decision_for(lead=s.lead).asks
    return svc.session_confirm(
        session=s, answers={"role": "owner_exec", **{a: ANSWERS[a] for a in asks if a in ANSWERS}}
    )


def test_the_whole_catalog_is_emitted_with_keys(swarm_on, datasets, frozen_clock):
    from gtmos.crm.models import Contact
    from tests.factories import AccountFactory

    # self-serve to card, with an invite
    s = cold("joe@squiresconstruction.com", "a")
    svc.team_invite(session=s, email="sam@squiresconstruction.com", role="field")
    for step in (
        svc.session_reveal_value,
        svc.session_ask_next_question,
        svc.session_complete_takeoff,
        svc.session_activate,
        svc.session_capture_card,
    ):
        s = step(session=s)
    # complete enrichment, warm arrival
    Contact.objects.create(account=AccountFactory(), name="Vic", email="vic@cve-electric.com", title="President")
    warm = svc.session_start(
        source="plg_invite", idempotency_key="w", warmth="warm", email="vic@cve-electric.com", name="Vic"
    )
    run_agents(warm.lead)
    warm = svc.session_identify(session=warm)
    # white-glove to closed won
    wg = cold("ceo@bigbuild.com", "b")
    deal = Deal.objects.get(session=wg)
    svc.deal_battlepack_ready(deal=deal)
    svc.deal_review(deal=deal, by=None)
    wg = svc.session_send_outreach(session=wg)
    wg = svc.session_book_meeting(session=wg)
    deal.refresh_from_db()
    deal.meddpicc["champion"]["confirmed"] = deal.meddpicc["economic_buyer"]["confirmed"] = True
    deal.contract_signed_at = clock.now()
    deal.save()
    for step in (svc.session_qualify, svc.session_deliver_demo, svc.session_close_won):
        wg = step(session=wg)
    # expansion hand-off, then lost
    grown = cold("amy@squiresconstruction.com", "c")  # self-serve (Apex is white-glove by revenue: issue 17)
    grown = svc.session_detect_expansion(session=grown, seats=40, acv=Decimal("50000"))
    svc.session_close_lost(session=grown, reason="budget")
    # failed enrichment, abandoned session
    from django.test import override_settings

    with override_settings(
        SWARM_PROVIDERS={
            a: "tests.swarm_support.Failing"
            for a in (
                "domain_site",
                "classifier",
                "size_estimator",
                "role_resolver",
                "project_finder",
                "network_seeder",
            )
        }
    ):
        f = svc.session_start(source="search", idempotency_key="f")
        f = svc.session_submit_email(session=f, email="x@thinsite.com")
        run_agents(f.lead)
    svc.session_start(source="search", idempotency_key="idle")
    clock.advance(days=15)
    svc.sessions_timeout_sweep()

    seen = set(Event.objects.values_list("type", flat=True))
    assert SEED_CATALOG - seen == set()
    keyed = Event.objects.filter(type__in=SEED_CATALOG)
    assert not keyed.filter(idempotency_key__isnull=True).exists()
    assert all(k.startswith("lead:") for k in keyed.values_list("idempotency_key", flat=True))


def test_replaying_each_step_writes_no_new_event(swarm_on, datasets):
    s = cold("joe@squiresconstruction.com", "r")
    count = Event.objects.count()
    again = svc.session_start(source="search", idempotency_key="r")  # the capture replayed
    svc.session_submit_email(session=again, email="joe@squiresconstruction.com")  # a double submit
    svc.session_confirm(session=again, answers={"role": "owner_exec"})  # a double tap
    assert Event.objects.count() == count
    s = svc.session_reveal_value(session=s)
    count = Event.objects.count()
    assert svc.session_reveal_value(session=s).state == s.state
    assert Event.objects.count() == count


def test_a_kill_switch_replay_is_quiet(swarm_on, datasets):
    svc.session_start(source="search", idempotency_key="q")
    swarm_switch(False)
    assert svc.sessions_kill_switch_sweep() == 1
    assert svc.sessions_kill_switch_sweep() == 0
    assert Event.objects.filter(type=catalog.SESSION_FALLBACK).count() == 1
