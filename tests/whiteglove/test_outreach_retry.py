"""Issue 17 item 7: outreach and invite emails ride the retry ladder (2m → 10m → 1h → 6h → abandoned); W6 is
reached only after a successful send, and the AE sees "send failed, retrying at …" meanwhile."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from onboarding.models import OutboundEmail
from onboarding.models import SessionState as S
from onboarding.services.outbound import outbound_deliver, outbound_sweep
from onboarding.whiteglove import steps

from .conftest import deal_of

pytestmark = pytest.mark.django_db
FAILING = "tests.whiteglove.test_outreach_retry.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server unavailable")


def test_a_failed_outreach_send_retries_on_the_ladder_and_w6_only_after_it_goes_out(team, wg, settings):
    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    deal = steps.outreach_send(deal=wg, by=team.sdr)
    assert deal.session.state == S.W5_BATTLEPACK and deal.outreach_sent_at is None
    email = OutboundEmail.objects.get(deal=wg)
    assert email.status == "retry_wait" and email.attempts == 1 and "unavailable" in email.last_error
    first_due = email.next_attempt_at
    # the AE sees it on the deal page
    ae = Client()
    ae.force_login(team.ae.user)
    from django.urls import reverse

    page = ae.get(reverse("whiteglove:deal_step", kwargs={"pk": wg.pk, "step": "w5"}))
    assert b"send failed, retrying at" in page.content
    # a double POST neither sends twice nor advances
    steps.outreach_send(deal=wg, by=team.sdr)
    assert OutboundEmail.objects.filter(deal=wg).count() == 1
    # not due yet: the sweep leaves it; due: the next rung (10 minutes after the 2-minute one was due)
    assert outbound_sweep(now=first_due - dt.timedelta(seconds=1)) == {}
    assert outbound_sweep(now=first_due) == {"retry": 1}
    email.refresh_from_db()
    assert email.attempts == 2 and email.next_attempt_at == first_due + dt.timedelta(minutes=10)
    # the mail server is back: the next attempt sends, and only now outreach.sent (W5 → W6)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_deliver(email_id=email.pk, now=email.next_attempt_at) == "sent"
    assert outbound_deliver(email_id=email.pk, now=email.next_attempt_at) == "skipped"  # run twice: once
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@cve-electric.com"]
    deal = deal_of(wg.session)
    assert deal.session.state == S.W6_OUTREACH and deal.outreach_sent_at is not None


def test_the_ladder_ends_abandoned_after_2m_10m_1h_6h(team, wg, settings):
    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    email = OutboundEmail.objects.get(deal=wg)
    gaps = []
    for _ in range(4):
        due = email.next_attempt_at
        outbound_deliver(email_id=email.pk, now=due)
        email.refresh_from_db()
        gaps.append(email.next_attempt_at - due)
    assert email.status == "abandoned" and email.attempts == 5
    assert gaps[:3] == [dt.timedelta(minutes=10), dt.timedelta(hours=1), dt.timedelta(hours=6)]
    assert deal_of(wg.session).session.state == S.W5_BATTLEPACK


def test_an_invite_email_that_fails_is_retried_not_dropped(client, settings):
    from tests.prospect.conftest import walk_to_workspace
    from tests.swarm_support import flags, swarm_switch

    swarm_switch(True)
    flags(True)
    session = walk_to_workspace(client)
    settings.EMAIL_BACKEND = FAILING
    response = client.post(f"/start/s/{session.pk}/team/", {"email": "mia@squiresconstruction.com", "role": "field"})
    assert response.status_code == 200
    email = OutboundEmail.objects.get(kind="invite")
    assert email.status == "retry_wait" and email.to == "mia@squiresconstruction.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound_sweep(now=email.next_attempt_at) == {"sent": 1}
    assert "personal link" in mail.outbox[0].body
