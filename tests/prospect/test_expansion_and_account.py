"""Issue 17 items 8, 9: the expansion hand-off reads seats and an ACV known at ≥ θ (never seats × price, never a
low or derived ACV); the CRM Account carries the org type and trade after S8."""

from decimal import Decimal

import pytest

from enrichment.models import EnrichmentRun
from enrichment.services.profile import profile_refresh, signals_record_user
from onboarding.models import OnboardingSession, TeamInvite
from onboarding.models import SessionState as S
from onboarding.prospect.services import expansion_check
from tests.swarm_support import flags, swarm_switch

from .conftest import capture, session_of, walk_to_trial, walk_to_workspace
from .test_fallback_invites_staff import walk_fallback

pytestmark = pytest.mark.django_db


def with_seats(session, seats):
    TeamInvite.objects.bulk_create(
        [
            TeamInvite(session=session, email=f"t{i}@squiresconstruction.com", role="pm", surface="network")
            for i in range(seats - 1)
        ]
    )
    return expansion_check(session=OnboardingSession.objects.get(pk=session.pk))


def test_24_seats_do_not_hand_off_and_25_do(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    assert with_seats(session, 24).state == S.S5_VALUE  # 24 × $1,800 = $43,200 is not a second test of seats
    TeamInvite.objects.create(session=session, email="t99@squiresconstruction.com", role="pm", surface="network")
    handed = expansion_check(session=OnboardingSession.objects.get(pk=session.pk))
    assert handed.state == S.W5_BATTLEPACK and "25 seats" in handed.reason


def acv_signal(session, amount, confidence):
    run = EnrichmentRun.objects.get(lead=session.lead)
    signals_record_user(run=run, values={"acv": str(amount)}, confidence=confidence, evidence="quote")
    profile_refresh(lead=session.lead, theta=0.85)


def test_an_acv_below_theta_is_not_used_and_one_at_theta_hands_off(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    acv_signal(session, 90_000, 0.8)
    assert expansion_check(session=OnboardingSession.objects.get(pk=session.pk)).state == S.S5_VALUE
    acv_signal(session, 90_000, 0.95)
    handed = expansion_check(session=OnboardingSession.objects.get(pk=session.pk))
    assert handed.state == S.W5_BATTLEPACK and "ACV $90,000" in handed.reason


def test_a_headcount_derived_acv_does_not_hand_off(client, swarm_on, datasets):
    from enrichment.models import EnrichmentSignal

    session = walk_to_workspace(client)
    EnrichmentSignal.objects.update_or_create(
        run=session.lead.run,
        field="acv",
        agent="size_estimator",
        defaults={"value": "90000", "confidence": 0.99, "evidence": "seats × seat price from headcount"},
    )
    profile_refresh(lead=session.lead, theta=0.85)
    assert session.lead.profile.__class__.objects.get(lead=session.lead).acv_est == Decimal(90000)
    assert expansion_check(session=OnboardingSession.objects.get(pk=session.pk)).state == S.S5_VALUE


def test_the_account_carries_org_type_after_s8(client, swarm_on, datasets):
    session = walk_to_trial(client)
    assert session.org.org_type == "contractor" and session.org.trade == ""


def test_the_account_carries_a_subs_trade_from_the_classic_form(client, datasets):
    swarm_switch(False)
    flags(True)
    capture(client)
    session = walk_fallback(client, session_of(client))
    session.org.refresh_from_db()
    assert (session.org.org_type, session.org.trade) == ("sub_contractor", "drywall")
