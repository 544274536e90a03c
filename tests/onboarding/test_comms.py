import pytest

from gtmos.core import clock
from onboarding.models import CommunicationTemplate, OnboardingLog, ScheduledMessage
from onboarding.services import comms
from onboarding.services.daily import onboarding_daily
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
