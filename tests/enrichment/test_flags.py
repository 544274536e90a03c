"""Ship dark: every agent and gate behind a waffle flag (default off), the SWARM_ENABLED kill switch; with
everything off the flow is the classic form, and any mix of flags works."""

import random
import uuid

import pytest
from waffle.models import Flag, Switch

from enrichment.enums import EnrichmentStatus, JobStatus
from enrichment.flags import AGENT_FLAGS, ALL_FLAGS, GATE_FLAGS, SWARM_SWITCH, bucket, flags_for
from enrichment.models import AgentJob, EnrichmentRun
from enrichment.services.profile import decision_for
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.swarm_support import datasets, flags, run_agents, swarm_switch  # noqa: F401

pytestmark = pytest.mark.django_db


def start(email="joe@squiresconstruction.com", key=None):
    s = svc.session_start(source="search", idempotency_key=key or f"k:{email}")
    if s.state == S.S1_AWAIT_EMAIL:
        s = svc.session_submit_email(session=s, email=email)
    return s


def test_everything_ships_dark():
    assert set(Flag.objects.filter(name__in=ALL_FLAGS).values_list("everyone", flat=True)) == {False}
    assert Flag.objects.filter(name__in=ALL_FLAGS).count() == 14
    assert Switch.objects.get(name=SWARM_SWITCH).active is False
    s = start()
    assert s.state == S.FALLBACK_FORM and s.reason == "kill_switch"
    assert not EnrichmentRun.objects.exists()


def test_with_the_switch_on_and_every_flag_off_the_flow_is_the_classic_form():
    swarm_switch(True)
    s = svc.session_start(source="search", idempotency_key="a")
    assert s.state == S.FALLBACK_FORM and s.reason == "flags_off" and s.state_before == S.S1_AWAIT_EMAIL


def test_one_agent_on_runs_alone_and_the_confirm_asks_the_rest(datasets):
    swarm_switch(True)
    flags(only={AGENT_FLAGS["classifier"], *GATE_FLAGS.values()})
    s = start()
    run_agents(s.lead)
    jobs = dict(AgentJob.objects.filter(run__lead=s.lead).values_list("agent", "status"))
    assert jobs["classifier"] == JobStatus.SUCCEEDED
    assert {a for a, st in jobs.items() if st == JobStatus.SKIPPED} == set(AGENT_FLAGS) - {"classifier"}
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.PARTIAL
    s.refresh_from_db()
    assert s.state == S.S3_CONFIRM
    asks = decision_for(lead=s.lead).asks
    assert "company" in asks and "org_type" not in asks  # the classifier asserted the org type


def test_gate_flags_off_make_the_router_ask_like_todays_form(datasets):
    swarm_switch(True)
    flags(only=set(AGENT_FLAGS.values()))  # every agent on, every gate off
    s = start()
    run_agents(s.lead)
    decision = decision_for(lead=s.lead)
    assert {"company", "org_type", "size_band", "role"} <= set(decision.asks) and not decision.asserted


def test_any_mix_of_flags_reaches_a_routed_or_classic_state_without_errors(datasets):
    swarm_switch(True)
    names = list(ALL_FLAGS)
    answers = {
        "company": "Acme",
        "org_type": "sub_contractor",
        "size_band": "small",
        "role": "estimator",
        "persona": "estimator",
        "trade": "drywall",
        "service_area": ["Austin, TX"],
        "sectors": ["commercial"],
    }
    rng = random.Random(2026)
    for i in range(12):
        on = {n for n in names if rng.random() < 0.5}
        flags(only=on)
        s = start(key=f"mix{i}")
        run_agents(s.lead) if EnrichmentRun.objects.filter(lead=s.lead).exists() else None
        s.refresh_from_db()
        if s.state == S.S3_CONFIRM:
            for _ in range(3):  # an answer can open a question (a sub's trade): the confirm asks it next
                asks = decision_for(lead=s.lead).asks
                s = svc.session_confirm(session=s, answers={a: answers[a] for a in asks} | {"role": "estimator"})
                if s.state != S.S3_CONFIRM:
                    break
            assert s.state in (S.S5_VALUE, S.W5_BATTLEPACK), (sorted(on), s.state)
        else:
            assert s.state == S.FALLBACK_FORM and not any(
                AGENT_FLAGS[a] in on for a in ("domain_site", "classifier", "size_estimator", "role_resolver")
            ), sorted(on)


def test_a_percent_rollout_puts_each_lead_in_a_stable_cohort():
    swarm_switch(True)
    Flag.objects.filter(name=AGENT_FLAGS["classifier"]).update(everyone=None, percent=30)
    leads = [uuid.uuid5(uuid.NAMESPACE_URL, f"lead-{i}") for i in range(400)]
    on = [lead for lead in leads if "classifier" in flags_for(lead).agents]
    assert 0.2 < len(on) / len(leads) < 0.4
    assert on == [lead for lead in leads if "classifier" in flags_for(lead).agents]  # same answer every time
    assert all(bucket(lead) < 30 for lead in on)


def test_flipping_the_kill_switch_mid_run_stops_the_agents_and_falls_back(datasets, monkeypatch):
    swarm_switch(True)
    flags(True)
    s = start()
    swarm_switch(False)
    outcomes = run_agents(s.lead)
    assert outcomes[:4] == ["killed"] * 4  # the sync agents stop at once
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.FAILED
    assert OnboardingSession.objects.get(pk=s.pk).state == S.FALLBACK_FORM
    statuses = dict(AgentJob.objects.filter(run__lead=s.lead).values_list("agent", "sync"))
    jobs = AgentJob.objects.filter(run__lead=s.lead)
    assert set(jobs.filter(sync=True).values_list("status", flat=True)) == {JobStatus.ABANDONED}
    assert set(jobs.filter(sync=False).values_list("status", flat=True)) == {JobStatus.SKIPPED}  # never started
    assert len(statuses) == 6


def test_workers_see_a_flipped_switch_within_the_cache_window_and_a_save_here_at_once(settings):
    from enrichment import flags as swarm_flags

    settings.SWARM_FLAG_CACHE_SECONDS = 60
    swarm_flags.clear_cache()
    swarm_switch(True)
    assert swarm_flags.switch_on()
    Switch.objects.filter(name=SWARM_SWITCH).update(active=False)  # another process flips it
    assert swarm_flags.switch_on()  # this process still holds its cached view (≤ the window)
    swarm_flags.clear_cache()  # the window passes
    assert not swarm_flags.switch_on()
    swarm_switch(True)  # a save in this process clears the cache at once
    assert swarm_flags.switch_on()
