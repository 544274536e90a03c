"""Orchestration in process: duplicate deliveries, fan-in exactly once, budgets and deadlines, the retry
ladder walked with an injected clock, dead workers' attempts, prefetch exhaustion."""

import datetime as dt

import pytest

from enrichment.enums import EnrichmentStatus, JobStatus
from enrichment.models import AgentJob, EnrichmentRun, EnrichmentSignal
from enrichment.services import runs, sweep
from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.swarm_support import datasets, run_agents, swarm_on  # noqa: F401

pytestmark = pytest.mark.django_db
SYNC = ("domain_site", "classifier", "size_estimator", "role_resolver")


@pytest.fixture
def sent(monkeypatch):
    """Messages the services would send to the broker, kept for the test to deliver (or not)."""
    messages = []

    def dispatch(job_id, attempt, due_at, agent=""):
        messages.append((job_id, attempt, due_at))

    monkeypatch.setattr(runs, "_dispatch", dispatch)
    monkeypatch.setattr(sweep, "_dispatch", dispatch)
    monkeypatch.setattr(runs, "_watch_deadline", lambda run: None)  # deadlines are enforced by hand here
    return messages


def deliver(messages, *, twice=False):
    outcomes = []
    while messages:
        job_id, attempt, due_at = messages.pop(0)
        for _ in range(2 if twice else 1):
            outcomes.append(runs.agent_execute(job_id=job_id, attempt=attempt, due_at=due_at))
    return outcomes


def cold(email="joe@squiresconstruction.com"):
    s = svc.session_start(source="search", idempotency_key=f"k:{email}")
    return svc.session_submit_email(session=s, email=email)


def failing(settings, *agents):
    settings.SWARM_PROVIDERS = {**settings.SWARM_PROVIDERS, **{a: "tests.swarm_support.Failing" for a in agents}}


def test_every_task_delivered_twice_settles_once_with_no_duplicate_signal(swarm_on, datasets, sent):
    s = cold()
    outcomes = deliver(sent, twice=True)  # sync agents, then the async ones the settle dispatched
    assert outcomes.count("duplicate") == 6 and outcomes.count("succeeded") == 6
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.status == EnrichmentStatus.PARTIAL and run.attempts == 6
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM
    assert Event.objects.filter(type="enrichment.partial").count() == 1
    assert Event.objects.filter(type="session.transition").count() == 1
    fields = list(EnrichmentSignal.objects.filter(run=run).values_list("field", "agent"))
    assert len(fields) == len(set(fields))


def test_a_replayed_report_of_a_finished_attempt_changes_nothing(swarm_on, datasets, sent):
    s = cold()
    deliver(sent)
    job = AgentJob.objects.get(run__lead=s.lead, agent="classifier")
    before = (Event.objects.count(), EnrichmentSignal.objects.count())
    assert runs.agent_report(job_id=job.pk, attempt=1, outcome="succeeded", due_at=job.due_at) == "already"
    assert runs.agent_report(job_id=job.pk, attempt=1, outcome="failed", due_at=job.due_at) == "already"
    assert (Event.objects.count(), EnrichmentSignal.objects.count()) == before


def test_the_async_agents_start_only_when_the_sync_ones_settle(swarm_on, datasets, sent):
    s = cold()
    assert sorted(AgentJob.objects.get(pk=m[0]).agent for m in sent) == sorted(SYNC)
    deliver(sent)
    from enrichment.models import Pursuit

    assert Pursuit.objects.filter(lead=s.lead).count() == 3  # project_finder ran on the settled profile


def test_an_agent_over_its_budget_gives_a_partial_result_not_a_hang(swarm_on, datasets, sent, settings):
    settings.SWARM_PROVIDERS = {**settings.SWARM_PROVIDERS, "classifier": "tests.swarm_support.Slow"}
    settings.SWARM_AGENT_BUDGET_MS = {**settings.SWARM_AGENT_BUDGET_MS, "classifier": 100}
    s = cold()
    deliver(sent)
    job = AgentJob.objects.get(run__lead=s.lead, agent="classifier")
    assert job.status == JobStatus.RETRY_WAIT and job.last_error.startswith("timeout")
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.PARTIAL
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM


def test_past_the_deadline_s2_goes_on_as_partial_and_a_late_agent_upgrades_the_run(swarm_on, datasets, sent):
    from gtmos.crm.models import Contact
    from tests.factories import AccountFactory

    Contact.objects.create(account=AccountFactory(), name="Joe", email="joe@squiresconstruction.com", title="Owner")
    s = cold()
    late = [m for m in sent if AgentJob.objects.get(pk=m[0]).agent == "size_estimator"]
    sent[:] = [m for m in sent if m not in late]
    deliver(sent)
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.status == EnrichmentStatus.RUNNING  # three of four reported: the prospect is still in S2
    assert runs.run_deadline_enforce(run_id=run.pk) == EnrichmentStatus.PARTIAL
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM
    assert runs.run_deadline_enforce(run_id=run.pk) is None  # once
    deliver(late)  # the slow agent reports after all
    run.refresh_from_db()
    assert run.status == EnrichmentStatus.COMPLETE and run.completed_at is not None
    assert Event.objects.get(type="enrichment.complete").payload["upgrade"] is True
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM  # the session moved once


def test_the_retry_ladder_walks_2m_10m_1h_6h_then_abandons_under_an_injected_clock(
    swarm_on, datasets, sent, settings, frozen_clock
):
    failing(settings, "classifier")
    s = cold()
    start = clock.now()
    deliver(sent)
    job = AgentJob.objects.get(run__lead=s.lead, agent="classifier")
    expected_due = start
    for step, wait in enumerate(
        [dt.timedelta(minutes=2), dt.timedelta(minutes=10), dt.timedelta(hours=1), dt.timedelta(hours=6)], start=1
    ):
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.RETRY_WAIT, step)
        assert job.next_attempt_at == expected_due + wait
        clock.set_now(job.next_attempt_at - dt.timedelta(seconds=1))
        assert sweep.swarm_sweep()["retried"] == 0  # not due yet
        clock.set_now(job.next_attempt_at)
        assert sweep.swarm_sweep()["retried"] == 1
        expected_due = job.next_attempt_at
        deliver(sent)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.next_attempt_at) == (JobStatus.ABANDONED, 5, None)
    outcomes = [
        e.payload["outcome"]
        for e in Event.objects.filter(type="enrichment.agent.completed", payload__agent="classifier").order_by(
            "payload__attempt"
        )
    ]
    assert outcomes == ["failed", "failed", "failed", "failed", "abandoned"]
    clock.advance(days=2)
    assert sweep.swarm_sweep() == {"killed": 0, "retried": 0, "lost": 0, "overdue": 0}


def test_prefetch_exhaustion_is_enrichment_failed_and_the_arrival_gets_the_fallback_form(
    swarm_on, datasets, sent, settings, frozen_clock
):
    failing(settings, *SYNC)
    s = svc.session_start(
        source="plg_invite", idempotency_key="w", warmth="warm", email="amy@apexdrywall.com", name="Amy"
    )
    run = EnrichmentRun.objects.get(lead=s.lead)
    deliver(sent)
    for _ in range(4):
        run.refresh_from_db()
        assert run.status == EnrichmentStatus.RUNNING  # nobody waits: the prefetch keeps climbing the ladder
        clock.advance(hours=7)
        sweep.swarm_sweep()
        deliver(sent)
    run.refresh_from_db()
    assert run.status == EnrichmentStatus.FAILED
    assert Event.objects.filter(type="enrichment.failed").count() == 1
    s = svc.session_identify(session=s)
    assert s.state == S.FALLBACK_FORM


def test_an_attempt_whose_worker_died_is_retried_and_its_late_report_is_ignored(
    swarm_on, datasets, sent, settings, frozen_clock
):
    s = cold()
    lost = [m for m in sent if AgentJob.objects.get(pk=m[0]).agent == "classifier"][0]
    sent.remove(lost)
    job_id, attempt, due_at = lost
    # the worker claims the attempt, then dies (nothing reports)
    AgentJob.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, attempts=1, lease_expires_at=runs._lease(due_at, "classifier")
    )
    deliver(sent)
    clock.advance(seconds=settings.SWARM_LEASE_SECONDS + 5)
    assert sweep.swarm_sweep()["lost"] == 1
    job = AgentJob.objects.get(pk=job_id)
    assert job.status == JobStatus.RETRY_WAIT and job.last_error.startswith("lost")
    # the run did not wait for the dead worker: the lost attempt counts as reported
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.PARTIAL
    assert runs.agent_report(job_id=job_id, attempt=1, outcome="failed", due_at=due_at) == "stale"
    clock.set_now(job.next_attempt_at)
    sweep.swarm_sweep()
    deliver(sent)
    assert AgentJob.objects.get(pk=job_id).status == JobStatus.SUCCEEDED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweepers_skip_rows_another_transaction_holds(swarm_on, datasets, sent, settings, frozen_clock):
    """SKIP LOCKED: a due row locked elsewhere is left for the next sweep, not waited on."""
    failing(settings, "classifier")
    cold()
    deliver(sent)
    job = AgentJob.objects.get(agent="classifier")
    clock.set_now(job.next_attempt_at)
    import threading

    from django.db import connection, transaction

    locked, release, result = threading.Event(), threading.Event(), {}

    def holder():
        with transaction.atomic():
            AgentJob.objects.select_for_update().get(pk=job.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    locked.wait(10)
    result["first"] = sweep._retry_due(clock.now(), 10)
    release.set()
    thread.join()
    assert result["first"] == 0


def test_no_event_payload_carries_personal_data(swarm_on, datasets, sent):
    s = cold()
    deliver(sent)
    svc.session_confirm(session=s, answers={"role": "owner_exec"})
    text = " ".join(str(e.payload) for e in Event.objects.all()).lower()
    for pii in ("joe@", "squiresconstruction.com", "squires construction"):
        assert pii not in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sync_agents_reporting_at_the_same_instant_settle_the_run_once(swarm_on, datasets, sent):
    """The fan-in on real threads: each report commits its job before waiting on the run's lock and counts
    after taking it, so exactly one of them — the last — settles the run and moves the session."""
    import threading

    from django.db import connection

    from enrichment.providers.base import AgentOutput, SignalOut

    s = cold()
    sent.clear()  # the four sync messages: delivered by hand below
    jobs = list(AgentJob.objects.filter(run__lead=s.lead, sync=True))
    for job in jobs:
        AgentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    barrier, outcomes = threading.Barrier(len(jobs)), []

    def report(job):
        try:
            barrier.wait()
            outcomes.append(
                runs.agent_report(
                    job_id=job.pk,
                    attempt=1,
                    outcome="succeeded",
                    due_at=job.due_at,
                    output=AgentOutput([SignalOut("company", "Squires", 0.9)] if job.agent == "domain_site" else []),
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes == ["succeeded"] * 4
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.status == EnrichmentStatus.PARTIAL and run.attempts == 4
    assert Event.objects.filter(type__in=["enrichment.partial", "enrichment.complete"]).count() == 1
    assert Event.objects.filter(type="session.transition").count() == 1
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM
    assert len(sent) == 2  # the two async agents, dispatched once by the one settle


# --- the hot path's statements (issue 19: the 50-lead burst) ---------------------------------------------------


def test_an_async_agent_that_finds_nothing_reads_neither_the_jobs_nor_the_run_nor_the_profile(swarm_on, datasets, sent):
    """A partial run becomes complete on a profile change or a sync agent's success; an async agent that wrote no
    signal is neither, so its report skips the upgrade check — and the run stays as it was."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = cold("joe@thinsite.com")  # no firmographics, no projects, no CRM network: the async agents find nothing
    sync = list(sent)
    sent.clear()
    deliver(sync)
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert run.status == EnrichmentStatus.PARTIAL and len(sent) == 2
    with CaptureQueriesContext(connection) as queries:
        assert deliver(sent) == ["succeeded", "succeeded"]
    after_claim = [q["sql"] for q in queries.captured_queries if "WITH claimed AS" not in q["sql"]]
    assert not [q for q in after_claim if "enrichment_profile" in q]  # no projection, no router
    assert not [q for q in after_claim if q.startswith("SELECT id, agent, sync, status, reported_at")]
    assert not [q for q in after_claim if q.startswith('SELECT "enrichment_enrichmentrun"')]
    # a first attempt with no signal has none to write and none to drop
    assert not [q for q in after_claim if "enrichment_enrichmentsignal" in q]
    assert EnrichmentRun.objects.get(pk=run.pk).status == EnrichmentStatus.PARTIAL
    assert set(AgentJob.objects.filter(run=run).values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    assert Event.objects.filter(type="enrichment.agent.completed", subject_id=str(run.pk)).count() == 6


def test_a_rerun_that_reports_nothing_still_drops_what_its_first_success_wrote(swarm_on, datasets):
    from enrichment.providers.base import SignalOut
    from enrichment.services.profile import signals_write

    s = cold()
    run = EnrichmentRun.objects.get(lead=s.lead)
    assert signals_write(run_id=run.pk, agent="network_seeder", signals=[], attempt=1) == 0  # nothing, no statement
    assert signals_write(run_id=run.pk, agent="network_seeder", signals=[SignalOut("trade", "gc", 0.6)], attempt=1)
    # a re-run of the succeeded job (attempt 2: network_reseed) that finds nothing drops the first one's value
    assert signals_write(run_id=run.pk, agent="network_seeder", signals=[], attempt=2) == 1
    assert not EnrichmentSignal.objects.filter(run=run, agent="network_seeder").exists()


def test_the_watchdog_of_a_settled_run_is_one_read_and_the_session_points_at_the_settle(swarm_on, datasets, sent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s = cold()
    deliver(sent)
    run = EnrichmentRun.objects.get(lead=s.lead)
    with CaptureQueriesContext(connection) as queries:
        assert runs.run_deadline_enforce(run_id=str(run.pk)) is None
    assert len(queries.captured_queries) == 1
    settled = Event.objects.get(type="enrichment.partial", subject_id=str(run.pk))
    assert settled.actor_type == "system" and settled.payload["by"] in SYNC and settled.payload["asks"]
    moved = Event.objects.get(type="session.transition", subject_id=str(s.pk))
    assert moved.payload["cause"] == "enrichment.partial" and moved.payload["cause_event_id"] == settled.pk
