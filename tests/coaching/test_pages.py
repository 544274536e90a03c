"""Every coaching page as the right manager, the wrong manager and the rep; query counts flat as teams grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import CoachingEscalation, DailyFlag, Digest
from gtmos.crm.models import Role
from tests.factories import EmployeeFactory

from .conftest import week
from .test_approval import make_log

LISTS = [
    "/coaching/queue/",
    "/coaching/escalations/",
    "/coaching/flags/",
    "/coaching/review/",
    "/coaching/forecast-accuracy/",
    "/coaching/digests/",
]


def seed_rep(team, rep, n):
    log = make_log(rep, f"pattern-{n}")
    CoachingEscalation.objects.create(
        rep=rep,
        kind="persistence",
        to_slm=True,
        to_manager=True,
        fired_on=week(3),
        summary=f"escalation {n} for {rep.name}",
        coaching_log=log,
        dedupe_key=f"e{n}",
        history=[{"week": "2026-10-11", "value": 1, "benchmark": 2, "action": "open"}],
    )
    DailyFlag.objects.create(
        rep=rep, role=rep.role, day=week(3), condition=f"c{n}", value=1, threshold=2, detail=f"flag {n} for {rep.name}"
    )
    return log


def test_the_rep_sees_nothing_meant_for_managers(team, client):
    log = seed_rep(team, team.sdr, 0)
    client.force_login(team.sdr.user)
    for url in LISTS:
        body = client.get(url).content.decode()
        assert "pattern-0" not in body and "escalation 0" not in body and "flag 0" not in body, url
    assert client.get(f"/coaching/reps/{team.sdr.pk}/").status_code == 404
    assert client.post(f"/coaching/recommendations/{log.pk}/approve/").status_code == 404


def test_the_wrong_manager_gets_404_and_empty_lists(team, client):
    log = seed_rep(team, team.sdr, 0)
    client.force_login(team.other_manager.user)
    assert client.get(f"/coaching/reps/{team.sdr.pk}/").status_code == 404
    for verb in ("approve", "modify", "dismiss"):
        assert (
            client.post(f"/coaching/recommendations/{log.pk}/{verb}/", {"note": "x", "action": "y"}).status_code == 404
        )
    for url in LISTS:
        body = client.get(url).content.decode()
        assert "escalation 0" not in body and "flag 0" not in body and "pattern-0 gap" not in body, url
    digest = Digest.objects.create(
        employee=team.sdr,
        kind="rep",
        month=week(0).replace(day=1),
        generated_on=week(4),
        content={"actions": [], "summary": [], "skills": []},
    )
    assert client.get(f"/coaching/digests/{digest.pk}/").status_code == 404


def test_the_manager_and_slm_see_their_team(team, client):
    seed_rep(team, team.sdr, 0)
    client.force_login(team.manager.user)
    assert "pattern-0 gap" in client.get("/coaching/queue/").content.decode()
    page = client.get(f"/coaching/reps/{team.sdr.pk}/")
    assert page.status_code == 200 and "Escalate to SLM" in page.content.decode()
    client.force_login(team.slm.user)
    body = client.get("/coaching/escalations/").content.decode()
    assert "escalation 0" in body and "Weekly history" in body and "Resolve" in body


@pytest.mark.parametrize("url", LISTS + ["rep"])
def test_query_counts_do_not_grow_with_the_team(team, client, url):
    seed_rep(team, team.sdr, 0)
    for n, role in ((90, Role.AE), (91, Role.AM)):  # every role on the page at both sizes
        seed_rep(team, EmployeeFactory(role=role, manager=team.manager, slm=team.slm), n)
    client.force_login(team.manager.user if url != "/coaching/escalations/" else team.slm.user)
    target = f"/coaching/reps/{team.sdr.pk}/" if url == "rep" else url

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx)

    count()  # warm caches (settings row, session)
    few = count()
    for n in range(1, 9):
        rep = EmployeeFactory(role=[Role.SDR, Role.AE, Role.AM, Role.CSM][n % 4], manager=team.manager, slm=team.slm)
        seed_rep(team, rep, n)
    assert count() == few
