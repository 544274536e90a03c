"""With a real worker on Redis: every task delivered twice, a worker SIGKILLed mid-run, the retry ladder
walked to abandoned with the clock injected into the sweeper (``swarm_sweep(now=…)``)."""

import datetime as dt

import pytest

from enrichment.enums import EnrichmentStatus, JobStatus
from enrichment.models import AgentJob, EnrichmentRun, EnrichmentSignal
from enrichment.tasks import swarm_sweep
from gtmos.audit.models import Event
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.enrichment import worker_doubles
from tests.enrichment.conftest import wait_for
from tests.swarm_support import flags, swarm_switch

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def swarm_ready(db):
    swarm_switch(True)
    flags(True)
    from gtmos.crm.models import Contact
    from tests.factories import AccountFactory
    from tests.swarm_support import Firmographic

    Firmographic.objects.create(
        domain="squiresconstruction.com",
        company="Squires Construction",
        employees=22,
        revenue=6_000_000,
        hq_city="Austin",
        hq_state="TX",
    )
    # a known title makes the role known, so a run whose four agents all succeed is complete
    Contact.objects.create(account=AccountFactory(), name="Joe", email="joe@squiresconstruction.com", title="Owner")


def state(session):
    return OnboardingSession.objects.get(pk=session.pk).state


def no_duplicate_signals(run):
    keys = list(EnrichmentSignal.objects.filter(run=run).values_list("field", "agent"))
    return len(keys) == len(set(keys))


def test_a_cold_lead_reaches_s3_once_when_every_task_is_delivered_twice(swarm_worker, swarm_ready, tmp_path):
    log = tmp_path / "deliveries.log"
    log.touch()
    swarm_worker({"SWARM_TEST_DELIVERY_LOG": str(log)}, include=("tests.enrichment.worker_duplicates",))
    worker_doubles.install()
    try:
        s = svc.session_start(source="search", idempotency_key="dup")
        s = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")
        wait_for(lambda: state(s) == S.S3_CONFIRM, what="S3")
        run = EnrichmentRun.objects.get(lead=s.lead)
        wait_for(lambda: AgentJob.objects.filter(run=run, status=JobStatus.SUCCEEDED).count() == 6, what="agents")
        # every message was consumed twice: the second claim of each attempt found nothing to do
        wait_for(lambda: len(log.read_text().split()) >= 12, what="12 deliveries")
    finally:
        worker_doubles.uninstall()
    results = log.read_text().split()
    assert results.count("succeeded") == 6 and results.count("duplicate") >= 6
    run.refresh_from_db()
    assert run.status == EnrichmentStatus.COMPLETE
    assert Event.objects.for_subject(s).filter(type="session.transition").count() == 1
    assert Event.objects.filter(type__in=["enrichment.complete", "enrichment.partial"]).count() == 1
    assert Event.objects.filter(type="enrichment.agent.completed").count() == 6
    assert OnboardingSession.objects.get(pk=s.pk).version == 3  # S0→S1, S1→S2, S2→S3: nothing twice
    assert no_duplicate_signals(run)


def test_a_worker_killed_mid_run_still_ends_with_a_complete_run_and_no_duplicate_signals(swarm_worker, swarm_ready):
    slow = swarm_worker({"SWARM_PROVIDER_LATENCY_MS": "classifier=4000", "SWARM_BUDGET_CLASSIFIER_MS": "8000"})
    s = svc.session_start(source="search", idempotency_key="kill")
    s = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")
    run = EnrichmentRun.objects.get(lead=s.lead)
    classifier = AgentJob.objects.get(run=run, agent="classifier")
    wait_for(
        lambda: AgentJob.objects.filter(run=run, sync=True, status=JobStatus.SUCCEEDED).count() == 3,
        what="the three fast agents",
    )
    assert AgentJob.objects.get(pk=classifier.pk).status == JobStatus.RUNNING  # mid-run
    slow.sigkill()
    assert state(s) == S.S2_ENRICHING  # the deadline task died with the worker too

    swarm_worker()  # a fresh worker, no latency
    classifier.refresh_from_db()
    # the beat sweeper, run on the worker, as of after the dead attempt's lease
    after_lease = classifier.lease_expires_at + dt.timedelta(seconds=1)
    swarm_sweep.delay(now=after_lease.isoformat()).get(timeout=60)
    classifier.refresh_from_db()
    assert classifier.status == JobStatus.RETRY_WAIT and classifier.last_error.startswith("lost")
    assert state(s) == S.S3_CONFIRM  # S2 → S3 went ahead (partial) without the dead agent
    swarm_sweep.delay(now=classifier.next_attempt_at.isoformat()).get(timeout=60)
    wait_for(lambda: AgentJob.objects.get(pk=classifier.pk).status == JobStatus.SUCCEEDED, what="the retry")
    wait_for(lambda: EnrichmentRun.objects.get(pk=run.pk).status == EnrichmentStatus.COMPLETE, what="complete")
    assert no_duplicate_signals(run)
    assert Event.objects.for_subject(s).filter(type="session.transition").count() == 1


def test_the_retry_ladder_walks_to_abandoned_with_an_injected_clock(swarm_worker, swarm_ready):
    swarm_worker({"SWARM_PROVIDERS": "classifier=tests.swarm_support.Failing"})
    s = svc.session_start(source="search", idempotency_key="ladder")
    s = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")
    job = AgentJob.objects.get(run__lead=s.lead, agent="classifier")
    wait_for(lambda: AgentJob.objects.get(pk=job.pk).status == JobStatus.RETRY_WAIT, what="first failure")
    wait_for(lambda: state(s) == S.S3_CONFIRM, what="S3 (partial)")
    steps = []
    for attempt in range(2, 6):
        job.refresh_from_db()
        steps.append(job.next_attempt_at - job.due_at)
        swarm_sweep.delay(now=job.next_attempt_at.isoformat()).get(timeout=60)  # the clock, injected
        wait_for(
            lambda a=attempt: (lambda j: j.attempts == a and j.status in (JobStatus.RETRY_WAIT, JobStatus.ABANDONED))(
                AgentJob.objects.get(pk=job.pk)
            ),
            what=f"attempt {attempt}",
        )
    job.refresh_from_db()
    assert steps == [dt.timedelta(minutes=2), dt.timedelta(minutes=10), dt.timedelta(hours=1), dt.timedelta(hours=6)]
    assert (job.status, job.attempts) == (JobStatus.ABANDONED, 5)
    outcomes = list(
        Event.objects.filter(type="enrichment.agent.completed", payload__agent="classifier")
        .order_by("payload__attempt")
        .values_list("payload__outcome", flat=True)
    )
    assert outcomes == ["failed"] * 4 + ["abandoned"]
    assert EnrichmentRun.objects.get(lead=s.lead).status == EnrichmentStatus.PARTIAL
