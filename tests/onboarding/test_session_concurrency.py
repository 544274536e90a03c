"""The optimistic version lock and real-thread races on PostgreSQL: two writers, one transition."""

import threading

import pytest
from django.db import connection, transaction
from django_fsm import ConcurrentTransition

from gtmos.audit.models import Event
from onboarding.models import OnboardingSession, RouteDecision
from onboarding.models import SessionState as S
from onboarding.services import session as svc
from tests.swarm_support import datasets, flags, run_agents, swarm_switch  # noqa: F401


@pytest.fixture
def no_dispatch(monkeypatch):
    """These tests are about the database; agents run inline, nothing is sent to a broker."""
    monkeypatch.setattr("enrichment.services.runs._dispatch", lambda *a, **k: None)
    monkeypatch.setattr("enrichment.services.runs._watch_deadline", lambda *a, **k: None)


@pytest.mark.django_db
def test_version_lock_refuses_a_stale_write_even_when_the_state_did_not_change():
    from enrichment.models import Lead

    lead = Lead.objects.create(source="search", idempotency_key="v")
    session = OnboardingSession.objects.create(lead=lead)
    a, b = OnboardingSession.objects.get(pk=session.pk), OnboardingSession.objects.get(pk=session.pk)
    a.reason = "first"
    a.save()
    assert a.version == 1 and OnboardingSession.objects.get(pk=session.pk).version == 1
    b.reason = "second"
    with pytest.raises(ConcurrentTransition), transaction.atomic():  # transitions save inside atomic()
        b.save()
    assert b.version == 0  # the failed save leaves the stale copy as it was
    assert OnboardingSession.objects.get(pk=session.pk).reason == "first"
    b.refresh_from_db()
    b.reason = "second"
    b.save()
    assert OnboardingSession.objects.get(pk=session.pk).version == 2


def _race(target, n=2):
    barrier = threading.Barrier(n)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(("ok", target()))
        except (ConcurrentTransition, svc.SessionError) as exc:
            outcomes.append(("lost", exc.__class__.__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_confirming_one_session_route_it_once(datasets, no_dispatch):
    swarm_switch(True)
    flags(True)
    s = svc.session_start(source="search", idempotency_key="race")
    s = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")
    run_agents(s.lead)
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM

    outcomes = _race(lambda: svc.session_confirm(session=s, answers={"role": "owner_exec"}).state)
    assert len(outcomes) == 2 and ("ok", S.S5_VALUE) in outcomes
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S5_VALUE
    assert RouteDecision.objects.filter(session=s).count() == 1
    for type_ in ("onboarding.role_captured", "route.decided"):
        assert Event.objects.for_subject(s).filter(type=type_).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_threads_racing_one_transition_make_it_once(datasets, no_dispatch):
    swarm_switch(True)
    flags(True)
    s = svc.session_start(source="search", idempotency_key="race2")
    s = svc.session_submit_email(session=s, email="joe@squiresconstruction.com")
    run_agents(s.lead)
    s = svc.session_confirm(session=s, answers={"role": "owner_exec"})
    version = s.version

    outcomes = _race(lambda: svc.session_reveal_value(session=s).state, n=6)
    assert all(o[0] == "ok" and o[1] == S.S6_NEXT_Q or o[0] == "lost" for o in outcomes)
    final = OnboardingSession.objects.get(pk=s.pk)
    assert final.state == S.S6_NEXT_Q and final.version == version + 1
    assert Event.objects.for_subject(s).filter(type="value.revealed").count() == 1
