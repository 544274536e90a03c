"""OnboardingSession: every row of seed 002's transition table, through the services that fire them, with
the event each writes. Agents run inline (``run_agents``) through the same service the Celery task calls."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django_fsm import can_proceed

from enrichment.enums import EnrichmentStatus, JobStatus, RunMode
from enrichment.models import AgentJob, EnrichmentRun, EnrichmentSignal
from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import Deal, OnboardingSession, RouteDecision, TeamInvite
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.swarm_support import Failing, datasets, flags, run_agents, swarm_on, swarm_switch  # noqa: F401

pytestmark = pytest.mark.django_db


def events(session, type_=None):
    qs = Event.objects.for_subject(session).order_by("occurred_at", "id")
    return list(qs.filter(type=type_)) if type_ else list(qs)


def cold(email, **kw):
    s = svc.session_start(source="search", idempotency_key=f"k:{email}")
    s = svc.session_submit_email(session=s, email=email)
    run_agents(s.lead, **kw)
    return OnboardingSession.objects.get(pk=s.pk)


ANSWERS = {
    "company": "Acme",
    "org_type": "contractor",
    "size_band": "small",
    "service_area": ["Austin, TX"],
    "sectors": ["commercial"],
    "trade": "drywall",
}


def routed(email="joe@squiresconstruction.com", role="owner_exec"):
    """Confirm with the role, answering whatever else the confirm asks."""
    from enrichment.services.profile import decision_for

    s = cold(email)
    asks = decision_for(lead=s.lead).asks
    return svc.session_confirm(session=s, answers={"role": role, **{f: ANSWERS[f] for f in asks if f in ANSWERS}})


def to_trial(session):
    for step in (svc.session_reveal_value, svc.session_ask_next_question, svc.session_complete_takeoff):
        session = step(session=session)
    return svc.session_activate(session=session)


def test_s0_lead_captured_cold_goes_to_s1_await_email(swarm_on):
    s = svc.session_start(source="search", idempotency_key="c1")
    assert s.state == S.S1_AWAIT_EMAIL and s.version == 1
    [captured] = events(s, "lead.captured")
    assert captured.payload["from"] == S.S0_ENTRY and captured.payload["to"] == S.S1_AWAIT_EMAIL
    assert s.last_event == captured


def test_lead_captured_guard_refuses_a_warm_lead_and_identified_refuses_a_cold_one():
    warm, cold_ = OnboardingSession(warmth="warm"), OnboardingSession(warmth="cold")
    assert not can_proceed(warm.capture) and can_proceed(warm.identify)
    assert can_proceed(cold_.capture) and not can_proceed(cold_.identify)


def test_s1_email_submitted_goes_to_s2_and_starts_one_sync_run(swarm_on):
    s = svc.session_start(source="search", idempotency_key="c2")
    s = svc.session_submit_email(session=s, email="Joe@SquiresConstruction.com")
    assert s.state == S.S2_ENRICHING and s.lead.email == "joe@squiresconstruction.com"
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.mode == RunMode.SYNC_CRITICAL and run.status == EnrichmentStatus.RUNNING
    assert AgentJob.objects.filter(run=run).count() == 6
    again = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")  # double submit
    assert again.state == S.S2_ENRICHING and EnrichmentRun.objects.filter(lead=s.lead).count() == 1
    assert len(events(s, "email.submitted")) == 1


def test_s2_enrichment_partial_goes_to_s3_asking_only_the_low_fields(swarm_on, datasets):
    s = cold("joe@squiresconstruction.com")
    assert s.state == S.S3_CONFIRM
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.PARTIAL
    [moved] = events(s, "session.transition")
    assert moved.payload["cause"] == "enrichment.partial" and moved.payload["to"] == S.S3_CONFIRM
    cause = Event.objects.get(pk=moved.payload["cause_event_id"])
    assert cause.type == "enrichment.partial" and cause.payload["asks"] == ["role"]


def test_s2_enrichment_complete_when_every_gating_field_is_at_theta(swarm_on, datasets):
    from gtmos.crm.models import Contact
    from tests.factories import AccountFactory

    Contact.objects.create(
        account=AccountFactory(), name="Joe Squires", email="joe@squiresconstruction.com", title="Owner"
    )
    s = cold("joe@squiresconstruction.com")
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.status == EnrichmentStatus.COMPLETE and s.state == S.S3_CONFIRM
    assert events(s, "session.transition")[0].payload["cause"] == "enrichment.complete"


def test_s2_enrichment_failed_goes_to_the_fallback_form(swarm_on, settings):
    settings.SWARM_PROVIDERS = {
        **settings.SWARM_PROVIDERS,
        **{a: "tests.swarm_support.Failing" for a in ("domain_site", "classifier", "size_estimator", "role_resolver")},
    }
    s = cold("joe@squiresconstruction.com")
    assert s.state == S.FALLBACK_FORM and s.state_before == S.S2_ENRICHING
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.FAILED
    assert events(s, "session.transition")[0].payload["cause"] == "enrichment.failed"
    # nothing to match pursuits or network on: the async agents are skipped, not left pending
    assert set(AgentJob.objects.filter(run__lead=s.lead, sync=False).values_list("status", flat=True)) == {
        JobStatus.SKIPPED
    }
    # the ladder carries on for each agent (2 minutes after the attempt was due)
    job = AgentJob.objects.get(run__lead=s.lead, agent="classifier")
    assert job.status == JobStatus.RETRY_WAIT and job.next_attempt_at == job.due_at + dt.timedelta(minutes=2)


def test_s3_onboarding_confirmed_with_role_known_routes_self_serve_to_s5(swarm_on, datasets):
    s = cold("joe@squiresconstruction.com")
    # role unknown: confirming without answering the role question is refused
    with pytest.raises(svc.SessionError, match="answer: role"):
        svc.session_confirm(session=s)
    EnrichmentSignal.objects.create(
        run=s.lead.run, field="persona", value="estimator", confidence=0.9, agent="role_resolver"
    )
    EnrichmentSignal.objects.create(
        run=s.lead.run, field="role", value="Estimator", confidence=0.9, agent="role_resolver"
    )
    from enrichment.services.profile import profile_refresh

    profile_refresh(lead=s.lead, theta=0.85)
    s = svc.session_confirm(session=s)
    assert s.state == S.S5_VALUE and s.track == "self_serve"
    assert [e.type for e in events(s)][-2:] == ["onboarding.confirmed", "route.decided"]
    decision = RouteDecision.objects.get(session=s)
    assert (decision.persona, decision.primary_surface, decision.close_motion) == ("estimator", "jobs", "in_flow_card")
    assert [g["gate"] for g in decision.gate_trace] == [f"G{i}" for i in range(8)]


def test_s3_onboarding_role_captured_when_the_role_was_unknown(swarm_on, datasets):
    s = routed(role="owner_exec")
    assert s.state == S.S5_VALUE
    assert len(events(s, "onboarding.role_captured")) == 1 and not events(s, "onboarding.confirmed")
    signal = EnrichmentSignal.objects.get(run__lead=s.lead, field="persona", agent="user")
    assert signal.value == "owner_exec" and signal.confidence == 1.0
    decision = RouteDecision.objects.get(session=s)
    assert decision.primary_surface == "jobs"  # owner on self-serve bids (Squires)
    again = svc.session_confirm(session=s, answers={"role": "owner_exec"})  # a double tap
    assert again.state == S.S5_VALUE and len(events(s, "onboarding.role_captured")) == 1


def test_s4_route_decided_white_glove_goes_to_w5_with_a_deal(swarm_on, datasets):
    s = routed("ceo@bigbuild.com", role="owner_exec")
    assert s.state == S.W5_BATTLEPACK and s.track == "wg_enterprise"
    assert Deal.objects.get(session=s).stage == "battlepack"
    assert events(s, "route.decided")[0].payload["close_motion"] == "ae_meddpicc"


def test_s4_route_decided_consumer_is_disqualified(swarm_on, datasets):
    s = cold("pat@gmail.com")
    s = svc.session_confirm(
        session=s,
        answers={
            "company": "Pat",
            "org_type": "consumer",
            "size_band": "micro",
            "role": "owner_exec",
            "service_area": ["Austin"],
            "sectors": ["residential"],
        },
    )
    assert s.state == S.DISQUALIFIED and s.reason == "route_to_homeowner_product"
    assert events(s, "route.decided")[0].payload["disqualified"] is True


def test_self_serve_tail_s5_to_s10_card_only_after_the_value_moment(swarm_on, datasets):
    s = routed()
    s = svc.session_reveal_value(session=s)
    assert s.state == S.S6_NEXT_Q
    s = svc.session_ask_next_question(session=s)
    assert s.state == S.S7_VALUE_PROOF
    s = svc.session_complete_takeoff(session=s, takeoff_id="t-1")
    assert s.state == S.S8_ACTIVATE and s.value_proven_at is not None
    s = svc.session_activate(session=s)
    assert s.state == S.S9_TRIAL and s.trial_ends_on == clock.today() + dt.timedelta(days=21)
    assert s.lead.__class__.objects.get(pk=s.lead_id).converted_at is not None
    s = svc.session_capture_card(session=s)
    assert s.state == S.S10_CLOSED_WON
    types = [e.type for e in events(s)]
    for t in (
        "value.revealed",
        "next_question.asked",
        "takeoff.completed",
        "account.activated",
        "trial.started",
        "card.captured",
    ):
        assert types.count(t) == 1, t


def test_card_captured_guard_needs_the_post_wow_trigger():
    s = OnboardingSession(state=S.S9_TRIAL)
    assert not can_proceed(s.capture_card)
    s.value_proven_at = clock.now()
    assert can_proceed(s.capture_card)


def test_expansion_detected_hands_self_serve_to_white_glove(swarm_on, datasets):
    s = to_trial(routed())
    with pytest.raises(svc.SessionError):
        svc.session_detect_expansion(session=s, seats=5, acv=Decimal("9000"))
    s = svc.session_detect_expansion(session=s, seats=30, acv=Decimal("9000"))
    assert s.state == S.W5_BATTLEPACK and s.state_before == S.S9_TRIAL and "30 seats" in s.reason
    assert s.track == "wg_mid"
    assert len(events(s, "expansion.detected")) == 1 and len(events(s, "session.handed_off")) == 1
    assert Deal.objects.filter(session=s).exists()
    # (Apex, an $18M sub, is white-glove by revenue since a headcount-derived ACV no longer outvotes it: issue 17)
    big = svc.session_detect_expansion(
        session=to_trial(routed("eve@squiresconstruction.com")), seats=3, acv=Decimal("200000")
    )
    assert big.state == S.W5_BATTLEPACK and big.track == "wg_enterprise"


def test_white_glove_tail_w5_to_w10_with_its_guards(swarm_on, datasets):
    s = routed("ceo@bigbuild.com")
    deal = Deal.objects.get(session=s)
    with pytest.raises(svc.SessionError):
        svc.session_send_outreach(session=s)  # not before the AE reviewed it
    svc.deal_review(deal=deal, by=None)
    s = svc.session_send_outreach(session=s)
    s = svc.session_book_meeting(session=s)
    assert s.state == S.W7_DISCOVERY
    with pytest.raises(svc.SessionError):
        svc.session_qualify(session=s)  # champion and EB not confirmed
    deal.meddpicc["champion"]["confirmed"] = deal.meddpicc["economic_buyer"]["confirmed"] = True
    deal.save()
    s = svc.session_qualify(session=s)
    s = svc.session_deliver_demo(session=s)
    assert s.state == S.W9_SEAT
    with pytest.raises(svc.SessionError):
        svc.session_close_won(session=s)  # contract not signed
    Deal.objects.filter(pk=deal.pk).update(contract_signed_at=clock.now())
    s = svc.session_close_won(session=s)
    assert s.state == S.W10_CLOSED_WON
    for t in ("outreach.sent", "meeting.booked", "meddpicc.qualified", "demo.delivered", "deal.closed_won"):
        assert len(events(s, t)) == 1, t


def test_any_open_white_glove_state_can_be_lost_with_a_reason(swarm_on, datasets):
    s = routed("ceo@bigbuild.com")
    with pytest.raises(svc.SessionError, match="reason"):
        svc.session_close_lost(session=s, reason=" ")
    s = svc.session_close_lost(session=s, reason="chose a competitor")
    assert s.state == S.LOST and s.state_before == S.W5_BATTLEPACK
    assert events(s, "deal.closed_lost")[0].payload["reason"] == "chose a competitor"


def test_session_timeout_abandons_idle_sessions_into_the_reengage_queue(swarm_on, datasets, frozen_clock):
    idle = svc.session_start(source="search", idempotency_key="idle")
    busy = routed()
    clock.advance(days=10)
    busy = svc.session_reveal_value(session=busy)
    assert svc.sessions_timeout_sweep() == 0
    clock.advance(days=5)  # idle: 15 days without an event; busy: 5
    assert svc.sessions_timeout_sweep() == 1
    idle.refresh_from_db()
    busy.refresh_from_db()
    assert idle.state == S.ABANDONED and idle.state_before == S.S1_AWAIT_EMAIL
    assert busy.state == S.S6_NEXT_Q
    assert len(events(idle, "session.abandoned")) == 1
    assert svc.sessions_timeout_sweep() == 0  # terminal: never twice
    from onboarding.prospect_selectors import reengage_queue

    assert list(reengage_queue()) == [idle]


def test_fallback_form_manual_steps_done_goes_to_activate(swarm_on):
    swarm_switch(False)
    s = svc.session_start(source="search", idempotency_key="fb")
    assert s.state == S.FALLBACK_FORM and s.reason == "kill_switch"
    s = svc.session_complete_fallback_form(session=s)
    assert s.state == S.S8_ACTIVATE
    s = svc.session_activate(session=s)
    assert s.state == S.S9_TRIAL


def test_warm_lead_identified_with_role_known_skips_email_and_confirm(swarm_on, datasets):
    s = svc.session_start(
        source="plg_invite",
        idempotency_key="w1",
        warmth="warmest",
        email="joe@squiresconstruction.com",
        name="Joe",
        title="Chief Estimator",
    )
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert s.state == S.S0_ENTRY and run.mode == RunMode.ASYNC_PREFETCH and run.deadline_at is None
    run_agents(s.lead)  # prefetched before arrival
    run.refresh_from_db()
    assert run.status in (EnrichmentStatus.PARTIAL, EnrichmentStatus.COMPLETE)
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S0_ENTRY  # nobody arrived yet
    s = svc.session_identify(session=s)
    assert s.state == S.S5_VALUE
    confirmed = events(s, "onboarding.confirmed")[0]
    assert confirmed.payload["system"] is True and confirmed.actor_type == "system"
    assert [e.type for e in events(s)][:2] == ["lead.identified", "session.transition"]


def test_warm_arrival_before_the_prefetch_finished_waits_at_most_the_budget(swarm_on, datasets):
    s = svc.session_start(
        source="plg_invite", idempotency_key="w2", warmth="warm", email="amy@apexdrywall.com", name="Amy"
    )
    s = svc.session_identify(session=s)
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert s.state == S.S2_ENRICHING and run.deadline_at is not None
    from enrichment.services.runs import run_deadline_enforce

    # nothing came back in time, but nothing failed either: the visitor goes on and is asked what is missing
    assert run_deadline_enforce(run_id=run.pk) == EnrichmentStatus.PARTIAL
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM
    from enrichment.services.profile import decision_for

    assert {"company", "org_type", "role"} <= set(decision_for(lead=s.lead).asks)


def test_team_invite_carries_role_and_surface_and_spawns_a_warm_lead(swarm_on, datasets):
    s = routed()
    field = svc.team_invite(session=s, email="Sam@SquiresConstruction.com", role="field")
    est = svc.team_invite(session=s, email="eve@squiresconstruction.com", role="estimator")
    assert (field.role, field.surface, est.surface) == ("field", "field_ops", "chat")
    assert field.invitee_lead.warmth == "warmest" and field.invitee_lead.email == "sam@squiresconstruction.com"
    invitee = OnboardingSession.objects.get(lead=field.invitee_lead)
    assert invitee.state == S.S0_ENTRY and EnrichmentRun.objects.get(lead=field.invitee_lead).mode == "async_prefetch"
    assert svc.team_invite(session=s, email="sam@squiresconstruction.com", role="field") == field  # replay
    assert TeamInvite.objects.filter(session=s).count() == 2
    [invited] = [e for e in events(s, "team.invited") if e.payload["invite_id"] == str(field.pk)]
    assert "sam@" not in str(invited.payload)


def test_route_is_recomputed_when_a_field_crosses_theta_after_routing(swarm_on, datasets):
    s = routed()
    first = RouteDecision.objects.get(session=s)
    assert OnboardingSession.objects.get(pk=s.pk).route_id == first.pk
    read_before = OnboardingSession.objects.get(pk=s.pk)  # a page's copy, read before the async agent reports
    from enrichment.providers.base import SignalOut
    from enrichment.services.runs import agent_report

    job = AgentJob.objects.get(run__lead=s.lead, agent="size_estimator")
    AgentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=2)
    from enrichment.providers.base import AgentOutput

    agent_report(
        job_id=job.pk,
        attempt=2,
        outcome="succeeded",
        due_at=clock.now(),
        output=AgentOutput([SignalOut("revenue", "40000000", 0.95), SignalOut("acv", "60000", 0.95)]),
    )
    latest = RouteDecision.objects.filter(session=s).order_by("-decided_at").first()
    assert latest.pk != first.pk and latest.track == "wg_mid"
    assert events(s, "route.decided")[-1].payload["recomputed"] is True
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S5_VALUE  # the state does not move
    assert OnboardingSession.objects.get(pk=s.pk).route_id == latest.pk  # the pages read the new decision
    read_before.reason = "saved by a writer that read the session before the recompute"
    read_before.save()  # what _fire does with a session it read just before the recompute committed
    after = OnboardingSession.objects.get(pk=s.pk)
    assert after.reason.startswith("saved by") and after.route_id == latest.pk  # the pointer is not taken back


def test_the_route_pointer_migration_points_every_session_at_its_newest_decision(swarm_on, datasets):
    import importlib

    from django.apps import apps

    s = routed()
    newest = RouteDecision.objects.get(session=s)
    RouteDecision.objects.create(
        session=s, track="self_serve", fingerprint="older", decided_at=newest.decided_at - dt.timedelta(minutes=5)
    )
    OnboardingSession.objects.filter(pk=s.pk).update(route=None)
    importlib.import_module("onboarding.migrations.0009_session_route").point_at_the_newest_decision(apps, None)
    assert OnboardingSession.objects.get(pk=s.pk).route_id == newest.pk


@override_settings(SWARM_RUN_BUDGET_MS=3000)
def test_kill_switch_drops_every_swarm_dependent_session_to_the_fallback_form(swarm_on, datasets):
    waiting = svc.session_start(source="search", idempotency_key="k1")  # S1
    enriching = svc.session_submit_email(
        session=svc.session_start(source="search", idempotency_key="k2"), email="amy@apexdrywall.com"
    )  # S2
    confirming = cold("joe@squiresconstruction.com")  # S3
    value = routed("x@cve-electric.com", role="estimator")  # W5, past the swarm
    swarm_switch(False)
    from enrichment.services.sweep import swarm_sweep

    assert swarm_sweep()["killed"] == 1
    assert svc.sessions_kill_switch_sweep() == 2
    for s in (waiting, enriching, confirming):
        s.refresh_from_db()
        assert s.state == S.FALLBACK_FORM and s.reason == "kill_switch", s.state_before
    assert EnrichmentRun.objects.get(lead=enriching.lead).status == EnrichmentStatus.FAILED
    assert events(enriching, "session.transition")[0].payload["cause"] == "enrichment.failed"
    value.refresh_from_db()
    assert value.state == S.W5_BATTLEPACK
    # a new visitor with the switch off gets the classic form at once
    assert svc.session_start(source="search", idempotency_key="k3").state == S.FALLBACK_FORM
