"""Issue 16 item 12 — seed 004 "Build training schedules" / "Day 14: Key users trained": training sessions on
the onboarding plan with dates and the customer's contacts invited; recording who attended writes the
OnboardingLog row like any CSM activity, answers the unresponsive rule, and may deliver M2/M3 with the
attendance as evidence. Written before the code (no TrainingSession existed)."""

import datetime as dt

import pytest

from gtmos.core import clock
from onboarding.models import Escalation, MilestoneItem, OnboardingLog, TrainingSession
from onboarding.services import activity, training
from onboarding.services.escalations import escalation_scan
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def plan(world):
    return world.close(world.deal())


@pytest.fixture
def people(world):
    return ContactFactory(account=world.account, name="Ada Admin"), ContactFactory(
        account=world.account, name="Uma User"
    )


def _schedule(client, plan, contacts, **extra):
    data = {
        "title": "Admin training",
        "audience": "admin",
        "scheduled_for": "2026-03-09T10:00",
        "duration_minutes": "90",
        "invitees": [c.pk for c in contacts],
        **extra,
    }
    return client.post(f"/onboarding/plans/{plan.pk}/training/", data)


def test_the_csm_schedules_a_session_with_the_customers_contacts_and_the_plan_shows_it(world, plan, people, client):
    client.force_login(world.csm.user)
    page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert "No training scheduled yet" in page and f"/onboarding/plans/{plan.pk}/training/" in page
    response = _schedule(client, plan, people)
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert session.status == "scheduled" and session.trainer == world.csm
    assert session.scheduled_for.date() == dt.date(2026, 3, 9) and session.duration_minutes == 90
    assert set(session.invitees.all()) == set(people)
    page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    training_card = page[page.index('id="training"') :]
    assert "2026-03-09 10:00" in training_card and "Ada Admin, Uma User" in training_card
    assert "Scheduled" in training_card


def test_recording_attendance_logs_it_and_delivers_m2_with_the_attendance_as_evidence(world, plan, people, client):
    session = training.training_schedule(
        plan=plan,
        by=world.csm,
        title="Admin training",
        audience="admin",
        scheduled_for=clock.now() + dt.timedelta(days=7),
        invitee_ids=[c.pk for c in people],
    )
    clock.advance(days=8)
    client.force_login(world.csm.user)
    response = client.post(
        f"/onboarding/training/{session.pk}/",
        {
            "action": "record",
            "attendees": [people[0].pk],
            "held_on": "2026-03-09",
            "notes": "SSO set up together",
            "complete_milestone": "on",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "held" and session.held_on == dt.date(2026, 3, 9)
    assert list(session.attendees.all()) == [people[0]]
    entry = OnboardingLog.objects.get(plan=plan, activity_kind="training")
    assert entry.entry_type == "csm_activity" and entry.author == world.csm and entry.log_date == dt.date(2026, 3, 9)
    assert "Ada Admin" in entry.notes and "1 of 2 invited" in entry.notes
    m2 = MilestoneItem.objects.get(plan=plan, code="M2")
    assert m2.status == "done" and m2.completed_on == dt.date(2026, 3, 9) and "Ada Admin" in m2.evidence
    assert MilestoneItem.objects.get(plan=plan, code="M3").status == "pending"
    body = client.get(f"/onboarding/training/{session.pk}/").content.decode()
    assert "Ada Admin" in body and "1 of 2 invited" in body and "Record attendance" not in body
    # Recording twice is refused with a message, not a second log row.
    client.post(
        f"/onboarding/training/{session.pk}/",
        {"action": "record", "attendees": [people[1].pk], "held_on": "2026-03-09"},
    )
    assert OnboardingLog.objects.filter(plan=plan, activity_kind="training").count() == 1


def test_contacts_attending_answer_the_unresponsive_rule(world, plan, people, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            activity.activity_log(plan=plan, kind="outreach", by=world.csm)
        clock.advance(days=1)
    assert Escalation.objects.filter(kind="unresponsive", resolved_at__isnull=True).count() == 1
    session = training.training_schedule(
        plan=plan,
        by=world.csm,
        title="Kickoff training",
        audience="other",
        scheduled_for=clock.now(),
        invitee_ids=[people[0].pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        training.training_record(session=session, by=world.csm, attendee_ids=[people[0].pk])
    assert not Escalation.objects.filter(resolved_at__isnull=True).exists()
    assert Escalation.objects.get().resolution == "Customer contacts attended training"
    escalation_scan()
    with django_capture_on_commit_callbacks(execute=True):
        activity.activity_log(plan=plan, kind="outreach", by=world.csm)
    assert Escalation.objects.count() == 1  # the streak restarted at the session


def test_bad_input_gets_field_errors_never_a_500(world, plan, people, client):
    stranger = ContactFactory(account=AccountFactory(name="Other Co"), name="Sam Stranger")
    client.force_login(world.csm.user)
    response = _schedule(client, plan, [stranger])
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = _schedule(client, plan, [])
    assert response.status_code == 200 and "Invite at least one" in response.content.decode()
    response = _schedule(client, plan, people, scheduled_for="not a date")
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not TrainingSession.objects.exists()
    session = training.training_schedule(
        plan=plan,
        by=world.csm,
        title="End users",
        audience="end_user",
        scheduled_for=clock.now(),
        invitee_ids=[people[1].pk],
    )
    url = f"/onboarding/training/{session.pk}/"
    body = client.post(url, {"action": "record", "held_on": "2026-03-02"}).content.decode()
    assert "Tick who attended" in body
    client.post(url, {"action": "record", "attendees": [people[1].pk], "held_on": "2026-04-30"})
    session.refresh_from_db()
    assert session.status == "scheduled"  # a future date is refused
    with pytest.raises(training.TrainingError, match="attendees"):
        training.training_record(session=session, by=world.csm, attendee_ids=[stranger.pk])
    assert client.post(url, {"action": "cancel", "reason": ""}).status_code == 200
    client.post(url, {"action": "cancel", "reason": "Customer asked to move it"})
    session.refresh_from_db()
    assert session.status == "cancelled" and session.notes == "Customer asked to move it"


def test_post_sales_and_the_am_read_the_schedule_but_cannot_run_it(world, plan, people, client):
    session = training.training_schedule(
        plan=plan,
        by=world.csm,
        title="Admin training",
        audience="admin",
        scheduled_for=clock.now(),
        invitee_ids=[people[0].pk],
    )
    for who in (world.post_sales, world.am):
        client.force_login(who.user)
        page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
        assert "Admin training" in page and f"/onboarding/plans/{plan.pk}/training/" not in page
        assert client.get(f"/onboarding/plans/{plan.pk}/training/").status_code == 403
        body = client.get(f"/onboarding/training/{session.pk}/").content.decode()
        assert "Record attendance</button>" not in body
        assert (
            client.post(f"/onboarding/training/{session.pk}/", {"action": "cancel", "reason": "x"}).status_code == 403
        )
        with pytest.raises(PermissionError):
            training.training_record(session=session, by=who, attendee_ids=[people[0].pk])
    client.force_login(world.other_csm.user)
    assert client.get(f"/onboarding/training/{session.pk}/").status_code == 404
