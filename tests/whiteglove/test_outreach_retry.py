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


def _to_abandoned(email):
    while email.status != "abandoned":
        outbound_deliver(email_id=email.pk, now=email.next_attempt_at)
        email.refresh_from_db()
    return email


def test_an_abandoned_outreach_has_retry_now_for_the_ae_and_a_success_reaches_w6(team, wg, settings):
    from django.urls import reverse

    from gtmos.audit.models import Event

    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    email = _to_abandoned(OutboundEmail.objects.get(deal=wg))
    ae, sdr = Client(), Client()
    ae.force_login(team.ae.user)
    sdr.force_login(team.sdr.user)
    w5 = reverse("whiteglove:deal_step", kwargs={"pk": wg.pk, "step": "w5"})
    retry = reverse("whiteglove:deal_action", kwargs={"pk": wg.pk, "action": "retry"})
    page = ae.get(w5).content.decode()
    assert "was abandoned" in page and retry in page and "Retry now" in page
    assert retry not in sdr.get(w5).content.decode()  # the AE decides it goes again
    assert sdr.post(retry).status_code == 403
    # still failing: one more attempt, abandoned again, said so
    response = ae.post(retry, {"next": w5}, follow=True)
    assert "Send failed again" in response.content.decode()
    email.refresh_from_db()
    assert email.status == "abandoned" and email.attempts == 6
    # the mail server is back: retry now sends, and only then W6
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ae.post(retry, {"next": w5})
    email.refresh_from_db()
    assert email.status == "sent" and len(mail.outbox) == 1
    assert deal_of(wg.session).session.state == S.W6_OUTREACH
    assert Event.objects.filter(type="outreach.retried", subject_id=str(wg.session.pk)).count() == 2


def test_retry_now_is_refused_while_the_ladder_is_still_sending(team, wg, settings):
    from onboarding.whiteglove.battlepack import WhiteGloveError

    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    with pytest.raises(WhiteGloveError, match="still sending"):
        steps.outreach_retry(deal=wg, by=team.ae)


def test_the_invites_page_shows_each_invite_emails_send_status_and_sends_again(client, settings):
    from tests.prospect.conftest import walk_to_workspace
    from tests.swarm_support import flags, swarm_switch

    swarm_switch(True)
    flags(True)
    session = walk_to_workspace(client)
    team_url = f"/start/s/{session.pk}/team/"
    settings.EMAIL_BACKEND = FAILING
    client.post(team_url, {"email": "mia@squiresconstruction.com", "role": "field"})
    email = OutboundEmail.objects.get(kind="invite")
    page = client.get(team_url).content.decode()
    when = email.next_attempt_at.astimezone(dt.UTC)
    assert "send failed, retrying at" in page and "Send again" not in page
    assert f"{when:%b} {when.day}, {when:%H:%M}" in page  # the rung's time, as the page's timezone (UTC) shows it
    _to_abandoned(email)
    page = client.get(team_url).content.decode()
    assert "send failed 5 times" in page and "Send again" in page
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(team_url, {"retry": str(email.invite_id)}, follow=True)
    assert "Invite email sent." in response.content.decode() and "sent " in response.content.decode()
    email.refresh_from_db()
    assert email.status == "sent" and "personal link" in mail.outbox[0].body
    assert client.post(team_url, {"retry": "not-a-uuid"}).status_code == 404


# --- issue 17 review (i17f): a queued outreach is the pack's history; "retry now" needs the AE's review -------


def test_research_while_the_outreach_is_retrying_neither_rewrites_the_draft_nor_sends_twice(team, wg, settings):
    from onboarding.whiteglove.battlepack import battlepack_research_rebuild
    from tests.factories import CallFactory

    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    before = deal_of(wg.session)
    assert OutboundEmail.objects.get(deal=wg).status == "retry_wait"
    # a call on the account arrives while the SDR's email waits for its next rung: it would change cells
    CallFactory(account=wg.org, owner=team.ae, competitor_mentions=["PlanSwift"], summary="Intro.")
    battlepack_research_rebuild(deal_id=wg.pk, because="call")
    deal = deal_of(wg.session)
    assert (deal.outreach_subject, deal.drafted_outreach) == (before.outreach_subject, before.drafted_outreach)
    assert steps.reviewed(deal)  # the review of what is queued stands
    assert deal.meddpicc == before.meddpicc
    steps.outreach_send(deal=deal, by=team.sdr)  # the SDR presses send again
    assert OutboundEmail.objects.filter(deal=wg).count() == 1  # one outreach email, never two


def test_retry_now_needs_the_aes_review_of_the_abandoned_draft(team, wg, settings):
    from onboarding.whiteglove.battlepack import WhiteGloveError

    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    email = _to_abandoned(OutboundEmail.objects.get(deal=wg))
    # the SDR edits the draft after the ladder gave up: the review is void, the abandoned body is not reviewed
    steps.outreach_edit(deal=wg, by=team.sdr, subject="New subject", body="A different message.")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with pytest.raises(WhiteGloveError, match="review"):
        steps.outreach_retry(deal=wg, by=team.ae)
    # the AE reviews the new draft: the abandoned email is not that draft, so it does not go again either
    steps.battlepack_review(deal=wg, by=team.ae)
    with pytest.raises(WhiteGloveError, match="review"):
        steps.outreach_retry(deal=wg, by=team.ae)
    email.refresh_from_db()
    assert email.status == "abandoned" and len(mail.outbox) == 0
    # the reviewed new draft goes out through the SDR's send, as a new email
    deal = steps.outreach_send(deal=wg, by=team.sdr)
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "New subject"
    assert deal.session.state == S.W6_OUTREACH


def test_the_draft_cannot_be_edited_while_its_email_is_on_the_retry_ladder(team, wg, settings):
    from onboarding.whiteglove.battlepack import WhiteGloveError

    steps.battlepack_review(deal=wg, by=team.ae)
    settings.EMAIL_BACKEND = FAILING
    steps.outreach_send(deal=wg, by=team.sdr)
    with pytest.raises(WhiteGloveError, match="retry"):
        steps.outreach_edit(deal=wg, by=team.sdr, subject="New subject", body="A different message.")
    assert steps.reviewed(deal_of(wg.session))
