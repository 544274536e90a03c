"""Two people acting on one deal at once (real threads, real PostgreSQL): the deal's row lock and the session's
version lock make each W-step happen once — one email, one catalog event."""

import threading

import pytest
from django.core import mail
from django.db import connection

from gtmos.audit.models import Event
from onboarding.models import Deal
from onboarding.models import SessionState as S
from onboarding.whiteglove import steps
from onboarding.whiteglove.battlepack import WhiteGloveError

from .conftest import Team, at, quick_deal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[i] = "ok"
        except (WhiteGloveError, PermissionError) as exc:
            outcomes[i] = f"refused: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_sends_at_once_send_one_email_and_one_event():
    team = Team()
    deal = quick_deal(1)
    steps.battlepack_review(deal=deal, by=team.ae)
    outcomes = together(
        lambda: steps.outreach_send(deal=deal, by=team.sdr), lambda: steps.outreach_send(deal=deal, by=team.ae)
    )
    assert outcomes == ["ok", "ok"]  # the second is a quiet replay
    deal = Deal.objects.select_related("session").get(pk=deal.pk)
    assert deal.session.state == S.W6_OUTREACH
    assert Event.objects.filter(type="outreach.sent", subject_id=str(deal.session_id)).count() == 1
    assert [(m.subject, m.to) for m in mail.outbox if m.to == [deal.session.lead.email]] == [
        (deal.outreach_subject, [deal.session.lead.email])
    ]


def test_booking_and_losing_at_once_leave_one_consistent_outcome():
    team = Team()
    deal = quick_deal(1)
    steps.battlepack_review(deal=deal, by=team.ae)
    steps.outreach_send(deal=deal, by=team.sdr)
    outcomes = together(
        lambda: steps.meeting_book(deal=deal, by=team.sdr, meeting_at=at(2)),
        lambda: steps.deal_close_lost(deal=deal, by=team.ae, reason="budget frozen"),
    )
    deal = Deal.objects.select_related("session", "opportunity").get(pk=deal.pk)
    assert deal.session.state == S.LOST and deal.stage == "closed_lost" and deal.opportunity.stage == "closed_lost"
    booked = Event.objects.filter(type="meeting.booked", subject_id=str(deal.session_id)).count()
    assert outcomes[1] == "ok" and (booked == 1) == (outcomes[0] == "ok")
    assert Event.objects.filter(type="deal.closed_lost", subject_id=str(deal.session_id)).count() == 1
