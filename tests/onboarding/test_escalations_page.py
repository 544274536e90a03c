"""One escalations page (issue 16 item 12 + issue 20's triage): /onboarding/escalations/ has the filters by
kind, owner, age and state, sortable headers, the resolution times per kind (opened → resolved: median, p90,
average, longest, against RevOps' target) and the printable procedures; the old /escalations/ address
redirects to it with its filters, and the menu has one entry for it."""

import datetime as dt

import pytest

from gtmos.core import clock
from gtmos.core.navigation import items_for
from onboarding.models import Escalation, EscalationProcedure
from tests.factories import EmployeeFactory
from tests.onboarding.conftest import World

URL = "/onboarding/escalations/"


@pytest.fixture
def world(db, frozen_clock):
    return World()


def _results(body: str) -> str:
    return body[body.index('id="results"') : body.index('id="procedures"')]


def test_escalations_filter_sort_and_report_resolution_times(world, client):
    plan = world.close(world.deal())
    now = clock.now()
    Escalation.objects.create(
        plan=plan,
        kind="unresponsive",
        dedupe_key="a",
        fired_at=now - dt.timedelta(days=20),
        resolved_at=now - dt.timedelta(days=16),
    )
    Escalation.objects.create(
        plan=plan,
        kind="unresponsive",
        dedupe_key="b",
        fired_at=now - dt.timedelta(days=10),
        resolved_at=now - dt.timedelta(days=8),
    )
    Escalation.objects.create(plan=plan, kind="ttv_miss", dedupe_key="c", fired_at=now - dt.timedelta(days=15))
    Escalation.objects.create(plan=plan, kind="exec_sponsor", dedupe_key="d", fired_at=now - dt.timedelta(days=2))
    client.force_login(world.slm.user)
    body = client.get(URL).content.decode()
    results = _results(body)
    assert "15 days open" in results and "2 days open" in results and "Acme Corp" in results
    assert results.count("<tr>") == 1 + 2  # header + the two open ones
    # Opened → resolved for the unresponsive kind: 4 and 2 days, so median and average 3.0, longest 4.0.
    report = body[: body.index('id="results"')]
    assert report.count(">3.0 days<") == 2 and ">4.0 days<" in report
    old = _results(client.get(URL + "?age=14").content.decode())
    assert "15 days open" in old and "2 days open" not in old
    resolved = _results(client.get(URL + "?state=resolved&sort=-fired").content.decode())
    assert resolved.count("resolved ") == 2 and 'aria-sort="descending"' in resolved
    assert resolved.index("resolved " + (now - dt.timedelta(days=8)).strftime("%-d %b")) < resolved.index(
        "resolved " + (now - dt.timedelta(days=16)).strftime("%-d %b")
    )
    by_kind = _results(client.get(URL + "?kind=exec_sponsor&state=all").content.decode())
    assert "M5 not done" in by_kind and "TTV trajectory miss" not in by_kind
    by_owner = _results(client.get(URL + f"?owner={world.other_csm.pk}&state=all").content.decode())
    assert "No escalation matches these filters" in by_owner
    assert "Acme Corp" in _results(client.get(URL + f"?owner={world.csm.pk}&state=all").content.decode())
    # htmx filter changes swap only the list.
    fragment = client.get(URL + "?state=all", headers={"HX-Request": "true", "HX-Target": "results"}).content
    assert fragment.decode().lstrip().startswith('<div id="results">')
    client.force_login(world.other_csm.user)
    body = client.get(URL + "?state=all").content.decode()
    assert "Acme Corp" not in body and "No escalation matches these filters" in body


def test_the_median_is_compared_with_revops_target(world, client):
    plan = world.close(world.deal())
    now = clock.now()
    Escalation.objects.create(
        plan=plan, kind="map_rejected", dedupe_key="r", fired_at=now - dt.timedelta(days=9), resolved_at=now
    )
    EscalationProcedure.objects.update_or_create(
        kind="map_rejected", defaults={"resolve_within_days": 3, "follow_up_steps": "Call the AE the same day."}
    )
    client.force_login(world.slm.user)
    body = client.get(URL).content.decode()
    row = body[body.index("MAP rejected by post-sales (SLM)</a>") :]
    row = row[: row.index("</tr>")]
    assert "9.0 days" in row and "3 days" in row and "over target" in row
    procedures = body[body.index('id="procedures"') :]
    assert "Call the AE the same day." in procedures and "target 3 days; median 9.0 days" in procedures
    EscalationProcedure.objects.filter(kind="map_rejected").update(resolve_within_days=10)
    body = client.get(URL).content.decode()
    row = body[body.index("MAP rejected by post-sales (SLM)</a>") :]
    assert "over target" not in row[: row.index("</tr>")]


def test_the_old_address_redirects_with_its_filters(world, client):
    client.force_login(world.slm.user)
    response = client.get("/escalations/?kind=ttv_miss&state=all")
    assert response.status_code == 301
    assert response["Location"] == URL + "?kind=ttv_miss&state=all"
    assert client.get("/escalations/", follow=True).status_code == 200


def test_one_menu_entry_and_refused_to_roles_that_do_not_work_escalations(world, client):
    for who in ("csm", "am", "manager", "slm", "post_sales"):
        urls = [i["url"] for i in items_for(getattr(world, who).user)]
        assert urls.count(URL) == 1, who
        assert "/escalations/" not in urls, who
    for role in ("ae", "sdr", "impl_engineer"):
        user = EmployeeFactory(role=role).user
        assert URL not in [i["url"] for i in items_for(user)], role
        client.force_login(user)
        assert client.get(URL).status_code == 404, role
