"""The human gate: only the rep's own manager decides; a rep sees a recommendation only once approved and
only through the monthly digest; dismissed ones are never shown; two managers clicking at once → one wins."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from coaching.models import ApprovalStatus, CoachingEscalation, RepCoachingLog
from coaching.services import approval
from coaching.services.digest import digests_generate
from gtmos.audit.models import Notification

from .conftest import week


def make_log(rep, key="outreach_volume", status=None):
    log = RepCoachingLog.objects.create(
        rep=rep,
        role=rep.role,
        coaching_date=week(1),
        pattern_key=key,
        pattern_detected=f"{key} gap",
        recommended_action=f"Do something about {key}",
        drafted_action=f"Do something about {key}",
        clock_started_on=week(1),
        last_seen_on=week(1),
    )
    return log


def test_rep_cannot_see_pending_or_dismissed_recommendations(team, client):
    pending = make_log(team.sdr, "a")
    dismissed = make_log(team.sdr, "b")
    approved = make_log(team.sdr, "c")
    approval.recommendation_dismiss(log=dismissed, by=team.manager, note="not now")
    approval.recommendation_approve(log=approved, by=team.manager)
    assert not RepCoachingLog.objects.visible_to(team.sdr.user).exists()  # approved, but no digest has carried it
    digests_generate(month=dt.date(2026, 10, 1), generated_on=dt.date(2026, 11, 2))
    assert list(RepCoachingLog.objects.visible_to(team.sdr.user)) == [approved]
    client.force_login(team.sdr.user)
    body = client.get("/coaching/api/recommendations.json").json()
    assert [r["id"] for r in body["recommendations"]] == [approved.pk]
    page = client.get("/coaching/queue/").content.decode()
    assert "Do something about a" not in page and "Do something about b" not in page
    assert client.get(f"/coaching/reps/{team.sdr.pk}/").status_code == 404  # the on-demand view is the manager's
    assert pending.approval_status == ApprovalStatus.PENDING


def test_manager_sees_pending_for_own_reps_only(team, client):
    mine = make_log(team.sdr, "mine")
    theirs = make_log(team.other_sdr, "theirs")
    client.force_login(team.manager.user)
    page = client.get("/coaching/queue/").content.decode()
    assert f'id="rec-{mine.pk}"' in page and f'id="rec-{theirs.pk}"' not in page
    assert client.post(f"/coaching/recommendations/{theirs.pk}/approve/").status_code == 404
    assert RepCoachingLog.objects.get(pk=theirs.pk).approval_status == ApprovalStatus.PENDING


def test_the_slm_sees_but_only_the_direct_manager_decides(team):
    log = make_log(team.sdr)
    assert log in RepCoachingLog.objects.visible_to(team.slm.user)
    with pytest.raises(approval.NotAllowed):
        approval.recommendation_approve(log=log, by=team.slm)


def test_a_rep_without_a_manager_gets_decisions_from_the_slm(team, client):
    """Otherwise no recommendation could ever reach them: the SLM is the next human at the gate."""
    from coaching.services.weekly import coaching_weekly
    from tests.factories import EmployeeFactory

    orphan = EmployeeFactory(role="sdr", manager=None, slm=team.slm, name="Orla Orphan")
    team.weekly_counts(orphan, {k: 5 for k in range(-3, 1)})
    coaching_weekly(week=week(0))
    log = RepCoachingLog.objects.get(rep=orphan, pattern_key="outreach_volume")
    assert Notification.objects.filter(recipient=team.slm.user, rule="coaching_pattern").count() == 1  # week 1 notice
    client.force_login(team.slm.user)
    assert f'id="rec-{log.pk}"' in client.get("/coaching/queue/").content.decode()
    with pytest.raises(approval.NotAllowed):
        approval.recommendation_approve(log=log, by=team.manager)  # someone else's manager
    client.post(f"/coaching/recommendations/{log.pk}/approve/")
    log.refresh_from_db()
    assert (log.approval_status, log.approved_by) == (ApprovalStatus.APPROVED, team.slm)


def test_modify_keeps_the_draft_and_dismiss_needs_a_reason(team, client):
    log = make_log(team.sdr)
    client.force_login(team.manager.user)
    r = client.post(f"/coaching/recommendations/{log.pk}/dismiss/", {"note": ""}, follow=True)
    assert "Say why it is dismissed" in r.content.decode()
    client.post(
        f"/coaching/recommendations/{log.pk}/modify/", {"action": "Pair on Tuesday's blocks.", "note": "sharper"}
    )
    log.refresh_from_db()
    assert (log.approval_status, log.recommended_action, log.drafted_action, log.approved_by) == (
        ApprovalStatus.MODIFIED,
        "Pair on Tuesday's blocks.",
        "Do something about outreach_volume",
        team.manager,
    )
    r = client.post(f"/coaching/recommendations/{log.pk}/approve/", follow=True)  # a second decision: refused
    assert "already decided" in r.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_decisions_racing_one_wins():
    from .conftest import Team

    team = Team()
    log = make_log(team.sdr)
    barrier, outcomes = threading.Barrier(2), []

    def decide(verb):
        try:
            mine = RepCoachingLog.objects.get(pk=log.pk)
            barrier.wait()
            if verb == "approve":
                approval.recommendation_approve(log=mine, by=team.manager)
            else:
                approval.recommendation_dismiss(log=mine, by=team.manager, note="no")
            outcomes.append(verb)
        except (ConcurrentTransition, TransitionNotAllowed):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(v,)) for v in ("approve", "dismiss")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes).count("refused") == 1
    final = RepCoachingLog.objects.get(pk=log.pk).approval_status
    assert (
        final
        == (
            {"approve": ApprovalStatus.APPROVED, "dismiss": ApprovalStatus.DISMISSED}[
                next(o for o in outcomes if o != "refused")
            ]
        )
    )


def test_on_demand_escalation_reaches_the_slm_with_the_note(team, client):
    client.force_login(team.manager.user)
    r = client.post(f"/coaching/reps/{team.sdr.pk}/escalate/", {"note": "Third missed target; needs a plan."})
    assert r.status_code == 302
    client.post(f"/coaching/reps/{team.sdr.pk}/escalate/", {"note": "Third missed target; needs a plan."})
    esc = CoachingEscalation.objects.get(rep=team.sdr)  # a double submit makes one request
    assert (esc.kind, esc.to_slm, esc.context_note, esc.requested_by) == (
        CoachingEscalation.Kind.ON_DEMAND,
        True,
        "Third missed target; needs a plan.",
        team.manager,
    )
    assert Notification.objects.filter(recipient=team.slm.user, rule="coaching_on_demand").exists()
    client.force_login(team.other_manager.user)
    assert client.post(f"/coaching/reps/{team.sdr.pk}/escalate/", {"note": "x"}).status_code == 404
    client.force_login(team.sdr.user)
    assert client.get("/coaching/escalations/").content.decode().count("Third missed target") == 0


def test_slm_resolves_an_escalated_pattern(team, client):
    log = make_log(team.sdr)
    RepCoachingLog.objects.filter(pk=log.pk).update(escalated_to_slm=True, escalation_date=week(3))
    CoachingEscalation.objects.create(
        rep=team.sdr,
        kind="persistence",
        to_slm=True,
        to_manager=True,
        fired_on=week(3),
        summary="s",
        coaching_log=log,
        dedupe_key="k",
    )
    client.force_login(team.manager.user)
    assert client.post(f"/coaching/patterns/{log.pk}/resolve/", {"note": "done"}).status_code == 404  # not the SLM
    client.force_login(team.slm.user)
    client.post(f"/coaching/patterns/{log.pk}/resolve/", {"note": "Plan agreed and met", "improvement_detected": "on"})
    log.refresh_from_db()
    assert log.resolution_date is not None and log.resolved_by == team.slm and log.improvement_detected
    assert CoachingEscalation.objects.get(dedupe_key="k").resolved_at is not None
