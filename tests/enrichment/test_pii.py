"""Consent and PII: deleting a Lead before it converts removes its personal data and signals and leaves only
PII-free events; retention deletes unconverted leads after the window; converted leads are refused."""

import datetime as dt

import pytest

from enrichment.models import (
    AgentJob,
    EnrichmentRun,
    EnrichmentSignal,
    Lead,
    NetworkLink,
    Profile,
    Pursuit,
    SiteSnapshot,
)
from enrichment.services.leads import LeadError, lead_delete, lead_set_inbox_consent, leads_retention_purge
from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import OnboardingSession, RouteDecision, TeamInvite
from onboarding.services import session as svc
from tests.swarm_support import datasets, run_agents, swarm_on  # noqa: F401

pytestmark = pytest.mark.django_db
EMAIL, NAME = "amy.lee@apexdrywall.com", "Amy Lee"


def enriched():
    s = svc.session_start(
        source="plg_invite",
        idempotency_key="amy",
        warmth="warmest",
        email=EMAIL,
        name=NAME,
        title="Chief Estimator",
        consent_inbox=True,
    )
    run_agents(s.lead)
    s = svc.session_identify(session=s)
    if s.state == "S3_CONFIRM":  # the warm skip only when the router asks nothing (issue 17): answer what it asks
        from enrichment.services.profile import decision_for

        answers = {"size_band": "small", "service_area": ["Dallas, TX"], "sectors": ["commercial"], "trade": "drywall"}
        s = svc.session_confirm(session=s, answers={f: answers[f] for f in decision_for(lead=s.lead).asks})
    return s


def test_deleting_an_unconverted_lead_removes_its_personal_data_and_signals(swarm_on, datasets):
    s = enriched()
    lead = s.lead
    assert EnrichmentSignal.objects.filter(run__lead=lead).exists() and Pursuit.objects.filter(lead=lead).exists()
    assert NetworkLink.objects.filter(lead=lead, source="bid_invite").exists()  # consent given: invites read
    assert RouteDecision.objects.filter(session=s).exists()
    events_before = Event.objects.exclude(type="lead.deleted").count()

    lead_delete(lead=lead)

    for model in (
        Lead,
        EnrichmentRun,
        AgentJob,
        EnrichmentSignal,
        Profile,
        Pursuit,
        NetworkLink,
        OnboardingSession,
        RouteDecision,
    ):
        assert not model.objects.exists(), model.__name__
    assert not SiteSnapshot.objects.filter(domain="apexdrywall.com").exists()
    assert Event.objects.exclude(type="lead.deleted").count() == events_before  # the log stays (append-only)
    everything = " ".join(f"{e.payload} {e.actor_label} {e.subject_id}" for e in Event.objects.all()).lower()
    for pii in (EMAIL, "amy", "lee", "apexdrywall", "apex drywall", "chief estimator"):
        assert pii not in everything, pii
    deleted = Event.objects.get(type="lead.deleted")
    assert deleted.payload["lead_id"] == str(lead.pk) and deleted.payload["reason"] == "requested"


def test_deleting_an_invitee_scrubs_the_address_from_the_inviters_invite(swarm_on, datasets):
    s = enriched()
    invite = svc.team_invite(session=s, email="sam@apexdrywall.com", role="field")
    lead_delete(lead=invite.invitee_lead)
    invite = TeamInvite.objects.get(pk=invite.pk)
    assert invite.email == "" and invite.invitee_lead is None and invite.role == "field"


def test_a_converted_lead_is_not_deleted_here(swarm_on, datasets):
    s = enriched()
    Lead.objects.filter(pk=s.lead_id).update(converted_at=clock.now())
    with pytest.raises(LeadError):
        lead_delete(lead=Lead.objects.get(pk=s.lead_id))
    assert Lead.objects.filter(pk=s.lead_id).exists()


def test_retention_deletes_unconverted_leads_after_the_window(swarm_on, datasets, frozen_clock):
    old = svc.session_start(source="search", idempotency_key="old")
    converted = svc.session_start(source="search", idempotency_key="conv")
    Lead.objects.filter(pk=converted.lead_id).update(converted_at=clock.now())
    clock.advance(days=100)
    recent = svc.session_start(source="search", idempotency_key="recent")
    clock.advance(days=81)  # old: 181 days; recent: 81 days
    assert leads_retention_purge(days=180) == 1
    assert set(Lead.objects.values_list("idempotency_key", flat=True)) == {"conv", "recent"}
    assert Event.objects.get(type="lead.deleted").payload["reason"] == "retention"
    assert not OnboardingSession.objects.filter(pk=old.pk).exists() and recent.lead_id


def test_inbox_consent_is_opt_in_and_can_be_withdrawn(swarm_on):
    s = svc.session_start(source="search", idempotency_key="c")
    assert s.lead.consent == {"inbox": False, "marketing": False}
    lead = lead_set_inbox_consent(lead=s.lead, granted=True)
    assert Lead.objects.get(pk=lead.pk).consent_inbox_at is not None
    lead_set_inbox_consent(lead=lead, granted=False)
    assert Lead.objects.get(pk=lead.pk).consent == {"inbox": False, "marketing": False}
