"""Training invitations, reminders and cancellation notices by email (seed 004's training schedule: the customer's
contacts are invited, so they have to hear about it). Each goes through the outbound ladder, so a mail server
that is down costs a retry, never a lost invite; a reminder waits in the ladder until its hour."""

import datetime as dt

import pytest
from django.core import mail

from gtmos.core import clock
from onboarding.models import OutboundEmail
from onboarding.services import training
from onboarding.services.outbound import outbound_sweep
from tests.factories import ContactFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def plan(world):
    return world.close(world.deal())


@pytest.fixture
def people(world):
    return (
        ContactFactory(account=world.account, name="Ada Admin", email="ada@acme.test"),
        ContactFactory(account=world.account, name="Uma User", email="uma@acme.test"),
        ContactFactory(account=world.account, name="No Mail"),
    )


def _schedule(world, plan, people, when):
    return training.training_schedule(
        plan=plan,
        by=world.csm,
        title="Admin training",
        audience="admin",
        scheduled_for=when,
        invitee_ids=[c.pk for c in people],
        duration_minutes=90,
    )


def test_invitees_are_emailed_at_once_and_reminded_a_day_before(
    world, plan, people, django_capture_on_commit_callbacks
):
    when = clock.now() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        session = _schedule(world, plan, people, when)
    invites = sorted(mail.outbox, key=lambda m: m.to)
    assert [m.to for m in invites] == [["ada@acme.test"], ["uma@acme.test"]]  # a contact with no address: none
    assert "Admin training" in invites[0].subject and f"{when:%Y-%m-%d}" in invites[0].subject
    assert "90 minutes" in invites[0].body and world.csm.name in invites[0].body
    reminders = OutboundEmail.objects.filter(key__startswith=f"training:{session.pk}:reminder:")
    assert reminders.count() == 2 and {r.status for r in reminders} == {"pending"}
    assert {r.next_attempt_at for r in reminders} == {when - dt.timedelta(hours=24)}
    clock.advance(days=5)
    outbound_sweep()
    assert len(mail.outbox) == 2  # not yet
    clock.advance(days=1, hours=1)
    outbound_sweep()
    outbound_sweep()  # the sweep twice: still one reminder each
    assert sorted(m.to[0] for m in mail.outbox[2:]) == ["ada@acme.test", "uma@acme.test"]
    assert all(m.subject.startswith("Reminder:") for m in mail.outbox[2:])


def test_a_cancelled_session_tells_the_invitees_and_its_reminders_never_go(
    world, plan, people, django_capture_on_commit_callbacks
):
    when = clock.now() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        session = _schedule(world, plan, people, when)
    with django_capture_on_commit_callbacks(execute=True):
        training.training_cancel(session=session, by=world.csm, reason="Customer asked to move it")
    cancels = [m for m in mail.outbox if m.subject.startswith("Cancelled:")]
    assert sorted(m.to[0] for m in cancels) == ["ada@acme.test", "uma@acme.test"]
    assert "Customer asked to move it" in cancels[0].body
    clock.advance(days=7)
    outbound_sweep()
    assert not any(m.subject.startswith("Reminder:") for m in mail.outbox)
    assert not OutboundEmail.objects.filter(key__contains=":reminder:").exists()


def test_a_session_tomorrow_morning_gets_its_invite_and_no_reminder_in_the_past(
    world, plan, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = _schedule(world, plan, people, clock.now() + dt.timedelta(hours=20))
    assert len(mail.outbox) == 2
    assert not OutboundEmail.objects.filter(key__startswith=f"training:{session.pk}:reminder:").exists()


def test_a_session_entered_after_the_fact_emails_nobody(world, plan, people, django_capture_on_commit_callbacks):
    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(world, plan, people, clock.now() - dt.timedelta(days=1))
    assert not mail.outbox and not OutboundEmail.objects.exists()
