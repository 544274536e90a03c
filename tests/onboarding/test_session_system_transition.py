"""The settle's system transition (S2 → S3 / FALLBACK_FORM in one statement): the same guarantees as ``_fire`` —
one Event per (lead, stage) key, the optimistic version lock, a quiet replay, exactly once under real threads."""

import threading

import pytest
from django.db import connection, transaction
from django_fsm import ConcurrentTransition

from enrichment import catalog
from enrichment.enums import EnrichmentStatus
from enrichment.models import EnrichmentRun
from enrichment.services.profile import decision_for
from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.swarm_support import datasets, flags, run_agents, swarm_on, swarm_switch  # noqa: F401

TRANSITION = "session.transition"


@pytest.fixture
def no_dispatch(monkeypatch):
    monkeypatch.setattr("enrichment.services.runs._dispatch", lambda *a, **k: None)
    monkeypatch.setattr("enrichment.services.runs._watch_deadline", lambda *a, **k: None)


def enriching(key: str) -> OnboardingSession:
    s = svc.session_start(source="search", idempotency_key=key)
    s = svc.session_submit_email(session=s, email=f"{key}@squiresconstruction.com")
    assert s.state == S.S2_ENRICHING
    return s


def settled_event(s, status=EnrichmentStatus.PARTIAL) -> Event:
    """The enrichment.* event the run's settle would have written (the cause the session points at)."""
    run = EnrichmentRun.objects.get(lead_id=s.lead_id)
    return event_record(
        type=catalog.RUN_STATUS_EVENT[status],
        subject=run,
        idempotency_key=catalog.key(s.lead_id, "S2", "enrichment.settled", status),
    )


@pytest.mark.django_db
def test_the_settle_moves_the_session_once_with_its_keyed_event(swarm_on, datasets, no_dispatch):
    s = enriching("once")
    version = OnboardingSession.objects.get(pk=s.pk).version
    run_agents(s.lead)

    moved = OnboardingSession.objects.get(pk=s.pk)
    assert moved.state == S.S3_CONFIRM and moved.version == version + 1
    event = Event.objects.get(type=TRANSITION, subject_id=str(s.pk))
    assert moved.last_event_id == event.pk
    assert event.idempotency_key == catalog.key(s.lead_id, S.S2_ENRICHING, TRANSITION, "enrichment.partial")
    assert event.payload["from"] == S.S2_ENRICHING and event.payload["to"] == S.S3_CONFIRM
    assert event.payload["cause"] == "enrichment.partial" and event.actor_type == "system"


@pytest.mark.django_db
def test_a_replayed_settle_returns_without_a_second_event(swarm_on, datasets, no_dispatch):
    s = enriching("replay")
    stale = OnboardingSession.objects.get(pk=s.pk)  # still S2, as a late duplicate would have read it
    run_agents(s.lead)
    run = EnrichmentRun.objects.get(lead_id=s.lead_id)
    count, version = Event.objects.count(), OnboardingSession.objects.get(pk=s.pk).version

    again = svc.advance_from_enriching(session=stale, run=run, decision=decision_for(lead=s.lead))
    assert again.state == S.S3_CONFIRM
    assert Event.objects.count() == count
    assert OnboardingSession.objects.get(pk=s.pk).version == version


@pytest.mark.django_db
def test_a_session_changed_since_it_was_read_is_refused_and_nothing_is_written(swarm_on, datasets, no_dispatch):
    s = enriching("stale")
    read = OnboardingSession.objects.get(pk=s.pk)
    other = OnboardingSession.objects.get(pk=s.pk)
    other.reason = "a concurrent writer"
    with transaction.atomic():
        other.save()  # same state, newer version
    cause = settled_event(s)
    count = Event.objects.count()

    with pytest.raises(ConcurrentTransition):
        svc.advance_from_enriching(
            session=read,
            run=EnrichmentRun.objects.get(lead_id=s.lead_id),
            decision=decision_for(lead=s.lead),
            cause=cause,
        )
    assert Event.objects.count() == count
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S2_ENRICHING
    assert read.state == S.S2_ENRICHING  # the caller's instance is left as read


@pytest.mark.django_db
def test_the_fsm_still_decides_which_transition_is_allowed(swarm_on, datasets, no_dispatch):
    s = svc.session_start(source="search", idempotency_key="fsm")  # S1: no enrichment transition from here
    with pytest.raises(svc.SessionError):
        svc.advance_from_enriching(
            session=s,
            run=EnrichmentRun(lead_id=s.lead_id, status=EnrichmentStatus.PARTIAL),
            decision=decision_for(lead=s.lead),
            cause=None,
        )
    assert not Event.objects.filter(type=TRANSITION).exists()


def _race(targets):
    """Each target reads the session in its own transaction (as the settle's receiver does), all of them
    before any writes, then fires."""
    barrier = threading.Barrier(len(targets))
    outcomes = []

    def worker(target):
        try:
            with transaction.atomic():
                session = OnboardingSession.objects.get(pk=target.session_pk)
                barrier.wait()
                outcomes.append(("ok", target(session).state))
        except (ConcurrentTransition, svc.SessionError) as exc:
            outcomes.append(("lost", exc.__class__.__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


class Settle:
    def __init__(self, s, status, cause):
        self.session_pk, self.status, self.cause = s.pk, status, cause
        self.run = EnrichmentRun.objects.get(lead_id=s.lead_id)
        self.decision = decision_for(lead=s.lead)

    def __call__(self, session):
        self.run.status = self.status
        return svc.advance_from_enriching(session=session, run=self.run, decision=self.decision, cause=self.cause)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_threads_settling_one_session_move_it_once(datasets, no_dispatch):
    swarm_switch(True)
    flags(True)
    s = enriching("race")
    version = OnboardingSession.objects.get(pk=s.pk).version
    cause = settled_event(s)

    outcomes = _race([Settle(s, EnrichmentStatus.PARTIAL, cause) for _ in range(6)])
    # The losers waited on the winner's row lock, then found its event: a replay, quietly.
    assert outcomes == [("ok", S.S3_CONFIRM)] * 6
    final = OnboardingSession.objects.get(pk=s.pk)
    assert final.state == S.S3_CONFIRM and final.version == version + 1
    assert Event.objects.filter(type=TRANSITION, subject_id=str(s.pk)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_different_settles_racing_one_wins_the_other_is_refused(datasets, no_dispatch):
    swarm_switch(True)
    flags(True)
    s = enriching("race2")
    version = OnboardingSession.objects.get(pk=s.pk).version
    partial, failed = settled_event(s), settled_event(s, EnrichmentStatus.FAILED)

    outcomes = _race([Settle(s, EnrichmentStatus.PARTIAL, partial), Settle(s, EnrichmentStatus.FAILED, failed)])
    assert sorted(o[0] for o in outcomes) == ["lost", "ok"]
    assert ("lost", "ConcurrentTransition") in outcomes
    final = OnboardingSession.objects.get(pk=s.pk)
    assert final.state in (S.S3_CONFIRM, S.FALLBACK_FORM) and final.version == version + 1
    assert Event.objects.filter(type=TRANSITION, subject_id=str(s.pk)).count() == 1
