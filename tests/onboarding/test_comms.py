import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from gtmos.core import clock
from onboarding.models import CommunicationTemplate, OnboardingLog, OutboundEmail, ScheduledMessage
from onboarding.services import comms
from onboarding.services.daily import onboarding_daily
from onboarding.services.outbound import outbound_sweep
from tests.factories import ContactFactory


@pytest.fixture
def setup(world):
    plan = world.close(world.deal())
    contact = ContactFactory(account=world.account, name="Dana Admin", email="dana@acme.example")
    template = CommunicationTemplate.objects.get(milestone="M2")
    return plan, contact, template


def test_send_now_renders_emails_and_logs_an_outreach(world, setup, mailoutbox, django_capture_on_commit_callbacks):
    plan, contact, template = setup
    with django_capture_on_commit_callbacks(execute=True):
        message = comms.message_schedule(plan=plan, template=template, contact=contact, by=world.csm)
    assert message.status == "sent" and "Acme Corp: admin training" in message.subject
    assert message.body.startswith("Hi Dana,") and str(plan.milestones.get(code="M2").target_date) in message.body
    assert [m.to for m in mailoutbox] == [["dana@acme.example"]]
    assert OnboardingLog.objects.filter(plan=plan, activity_kind="outreach").count() == 1


def test_scheduled_message_goes_out_once_on_its_day(world, setup, mailoutbox, django_capture_on_commit_callbacks):
    plan, contact, template = setup
    message = comms.message_schedule(
        plan=plan,
        template=template,
        contact=contact,
        by=world.csm,
        send_on=clock.today().replace(day=clock.today().day + 3),
    )
    assert message.status == "scheduled"
    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_daily()
        onboarding_daily()
    assert ScheduledMessage.objects.get(pk=message.pk).status == "sent" and len(mailoutbox) == 1


def test_contact_from_another_account_is_refused(world, setup):
    plan, _, template = setup
    stranger = ContactFactory(email="x@other.example")
    with pytest.raises(comms.CommsError, match="this account"):
        comms.message_schedule(plan=plan, template=template, contact=stranger, by=world.csm)


FAILING = "tests.onboarding.test_comms.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server unavailable")


def test_a_mail_server_error_is_no_500_and_the_message_is_sent_only_once_it_went(
    world, setup, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 21: the send went on a plain on_commit send_mail after the status flip — a mail-server error was a
    500 and the message stayed marked sent. Now it rides the outbound retry ladder."""
    plan, contact, template = setup
    settings.EMAIL_BACKEND = FAILING
    csm = Client(raise_request_exception=True)
    csm.force_login(world.csm.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = csm.post(
            reverse("onboarding:message_send", kwargs={"pk": plan.pk}),
            {"template": template.pk, "contact": contact.pk},
        )
    assert response.status_code == 302
    message = ScheduledMessage.objects.get(plan=plan)
    assert message.status == "scheduled" and message.sent_at is None
    assert not OnboardingLog.objects.filter(plan=plan, activity_kind="outreach").exists()
    email = OutboundEmail.objects.get(scheduled_message=message)
    assert email.status == "retry_wait" and "unavailable" in email.last_error
    # the daily job meanwhile neither sends it twice nor marks it sent
    with django_capture_on_commit_callbacks(execute=True):
        assert onboarding_daily()["messages_sent"] == 0
    assert OutboundEmail.objects.filter(scheduled_message=message).count() == 1
    # the mail server is back: the next rung sends it, and only now is it sent and logged, once
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_sweep(now=email.next_attempt_at) == {"sent": 1}
    assert outbound_sweep(now=email.next_attempt_at) == {}
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None
    assert [m.to for m in mailoutbox] == [["dana@acme.example"]]
    assert OnboardingLog.objects.filter(plan=plan, activity_kind="outreach").count() == 1
