"""Monthly digests: first business day for the prior month; the rep's carries only approved recommendations,
each once; the manager's is a roll-up; both go out as HTML email once; a re-run changes nothing."""

import datetime as dt

from django.core import mail

from coaching.models import Digest, RepCoachingLog
from coaching.services import approval
from coaching.services.digest import coaching_monthly, digests_generate
from coaching.services.email import digests_email

from .test_approval import make_log

OCT = dt.date(2026, 10, 1)


def test_runs_on_the_first_business_day_even_when_the_month_starts_on_a_weekend(team):
    assert coaching_monthly(today=dt.date(2026, 11, 1)) == {"digests": 0}  # a Sunday
    assert not Digest.objects.exists()
    coaching_monthly(today=dt.date(2026, 11, 2))  # Monday: October's digests
    assert set(Digest.objects.values_list("month", flat=True)) == {OCT}
    made = Digest.objects.count()
    coaching_monthly(today=dt.date(2026, 11, 3))
    assert Digest.objects.count() == made


def test_rep_digest_carries_only_approved_recommendations_once(team, client):
    approved = make_log(team.sdr, "a")
    dismissed = make_log(team.sdr, "b")
    make_log(team.sdr, "c")  # pending
    modified = make_log(team.sdr, "d")
    approval.recommendation_approve(log=approved, by=team.manager)
    approval.recommendation_dismiss(log=dismissed, by=team.manager, note="no")
    approval.recommendation_modify(log=modified, by=team.manager, action="Call three lapsed leads a day.", note="")
    digests_generate(month=OCT, generated_on=dt.date(2026, 11, 2))
    digest = Digest.objects.get(employee=team.sdr, kind=Digest.Kind.REP)
    assert [a["action"] for a in digest.content["actions"]] == [
        "Do something about a",
        "Call three lapsed leads a day.",
    ]
    client.force_login(team.sdr.user)
    page = client.get(f"/coaching/digests/{digest.pk}/").content.decode()
    assert "Do something about a" in page and "Call three lapsed leads a day." in page
    assert "Do something about b" not in page and "Do something about c" not in page
    assert RepCoachingLog.objects.get(pk=approved.pk).delivered_in == digest
    digests_generate(month=dt.date(2026, 11, 1), generated_on=dt.date(2026, 12, 1))
    november = Digest.objects.get(employee=team.sdr, kind=Digest.Kind.REP, month=dt.date(2026, 11, 1))
    assert november.content["actions"] == []  # delivered once, not every month


def test_an_approved_recommendation_reaches_the_next_digest_even_if_the_pattern_resolved_since(team, client):
    """Seed 001: "approved recommendation surfaced in next monthly digest"; resolving does not cancel it."""
    log = make_log(team.sdr, "a")  # flagged week 1 (Oct 11)
    approval.recommendation_approve(log=log, by=team.manager)
    RepCoachingLog.objects.filter(pk=log.pk).update(resolution_date=dt.date(2026, 10, 25), improvement_detected=True)
    digests_generate(month=dt.date(2026, 11, 1), generated_on=dt.date(2026, 12, 1))  # the next digest: November
    digest = Digest.objects.get(employee=team.sdr, kind=Digest.Kind.REP)
    [action] = digest.content["actions"]
    assert (action["action"], action["resolved_on"]) == ("Do something about a", "2026-10-25")
    client.force_login(team.sdr.user)
    page = client.get(f"/coaching/digests/{digest.pk}/").content.decode()
    assert "Do something about a" in page and "Resolved since" in page


def test_manager_digest_rolls_up_patterns_not_rep_detail(team, client):
    make_log(team.sdr, "outreach_volume")
    make_log(team.sdr, "meeting_acceptance")
    digests_generate(month=OCT, generated_on=dt.date(2026, 11, 2))
    roll = Digest.objects.get(employee=team.manager, kind=Digest.Kind.MANAGER)
    assert {p["label"] for p in roll.content["patterns"]} == {
        "Outreach volume vs activity target",
        "Meeting acceptance (meetings booked / touches)",
    }
    assert {p["pending"] for p in roll.content["patterns"]} == {1}
    # Seed 001: "roll-up across their book, not individual rep detail" — no per-rep rows, no rep names.
    assert "reps" not in roll.content
    assert team.sdr.name not in str(roll.content)
    # Every metric of the book's roles, rolled up: how many reps were measured and how many show a gap.
    volume = next(m for m in roll.content["metrics"] if m["code"] == "outreach_volume")
    assert (volume["role"], volume["measured"]) == ("sdr", 1)
    client.force_login(team.manager.user)
    page = client.get(f"/coaching/digests/{roll.pk}/").content.decode()
    assert 'href="/coaching/queue/#team-h"' in page  # individual detail lives in the on-demand view
    client.force_login(team.sdr.user)
    assert client.get(f"/coaching/digests/{roll.pk}/").status_code == 404  # the rep cannot open the manager's
    client.force_login(team.other_manager.user)
    rep_digest = Digest.objects.get(employee=team.sdr, kind=Digest.Kind.REP)
    assert client.get(f"/coaching/digests/{rep_digest.pk}/").status_code == 404


def test_digests_go_out_as_html_email_once(team):
    approval.recommendation_approve(log=make_log(team.sdr, "a"), by=team.manager)
    digests_generate(month=OCT, generated_on=dt.date(2026, 11, 2))
    sent = digests_email(month=OCT)
    assert sent == Digest.objects.filter(employee__email__gt="").count()
    to_rep = next(m for m in mail.outbox if team.sdr.email in m.to)
    html = to_rep.alternatives[0][0]
    assert "Do something about a" in html and to_rep.alternatives[0][1] == "text/html"
    assert digests_email(month=OCT) == 0  # a second run sends nothing


def test_generating_twice_gives_the_same_digests(team):
    approval.recommendation_approve(log=make_log(team.sdr, "a"), by=team.manager)
    digests_generate(month=OCT, generated_on=dt.date(2026, 11, 2))
    before = sorted(Digest.objects.values_list("employee_id", "kind", "content"), key=str)
    digests_generate(month=OCT, generated_on=dt.date(2026, 11, 2))
    assert sorted(Digest.objects.values_list("employee_id", "kind", "content"), key=str) == before
