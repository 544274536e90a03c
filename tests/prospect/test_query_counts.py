"""Each prospect page's query count does not grow with the data (measured at two sizes)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enrichment.models import NetworkLink, Pursuit
from gtmos.core import clock
from onboarding.services import session as flow
from tests.factories import EmployeeFactory

from .conftest import walk_to_trial, walk_to_workspace

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow_board(session, n):
    start = Pursuit.objects.filter(lead=session.lead).count()
    Pursuit.objects.bulk_create(
        [Pursuit(lead=session.lead, name=f"Extra {start + i}", source="permit") for i in range(n)]
    )
    NetworkLink.objects.bulk_create(
        [NetworkLink(lead=session.lead, company=f"Co {start + i}", relation="sub", source="crm") for i in range(n)]
    )


def test_workspace_and_trial_pages_do_not_grow_with_the_board(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    url = f"/start/s/{session.pk}/workspace/"
    grow_board(session, 3)
    small = queries(client, url)
    grow_board(session, 40)
    assert queries(client, url) == small
    live_small = queries_htmx(client, url)  # the htmx poll (every 1–2 s) is the same view, less the note
    assert live_small < small
    grow_board(session, 40)
    assert queries_htmx(client, url) == live_small


def test_the_poll_does_not_build_the_company_note_it_does_not_show(client, swarm_on, datasets):
    """Issue 17 review (i17f): the note is outside #live; the poll read it (and its form) every 1–2 s."""
    session = walk_to_workspace(client)
    for url in (f"/start/s/{session.pk}/workspace/", f"/start/s/{session.pk}/workspace/network/"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"company-note" not in response.content
        assert not [q for q in ctx.captured_queries if "companynote" in q["sql"]], url
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert b"company-note" in page.content  # the page itself still has it


@pytest.mark.parametrize("slug", ["jobs", "analytics", "network", "field-ops"])
def test_each_surface_does_not_grow_with_the_board(client, swarm_on, datasets, slug):
    session = walk_to_workspace(client, role="field")
    url = f"/start/s/{session.pk}/workspace/{slug}/"
    grow_board(session, 3)
    small = queries(client, url), queries_htmx(client, url)
    grow_board(session, 40)
    assert (queries(client, url), queries_htmx(client, url)) == small


def queries_htmx(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_trial_and_invites_do_not_grow_with_invites(client, swarm_on, datasets):
    session = walk_to_trial(client)
    client.post(f"/start/s/{session.pk}/team/", {"email": "a1@squiresconstruction.com", "role": "pm"})
    small = (queries(client, f"/start/s/{session.pk}/trial/"), queries(client, f"/start/s/{session.pk}/team/"))
    for i in range(2, 6):
        client.post(f"/start/s/{session.pk}/team/", {"email": f"a{i}@squiresconstruction.com", "role": "pm"})
    assert (queries(client, f"/start/s/{session.pk}/trial/"), queries(client, f"/start/s/{session.pk}/team/")) == small


def test_reengage_and_funnel_do_not_grow_with_sessions(swarm_on, datasets):
    revops = Client()
    revops.force_login(EmployeeFactory(role="revops").user)

    def add(n, offset):
        for i in range(n):
            walk_to_workspace(Client(), email=f"p{offset + i}@squiresconstruction.com")
        flow.sessions_timeout_sweep(now=clock.now() + dt.timedelta(days=15))

    add(1, 0)
    small = [queries(revops, u) for u in ("/prospects/reengage/", "/prospects/funnel/", "/prospects/funnel/?by=source")]
    add(4, 10)
    assert [
        queries(revops, u) for u in ("/prospects/reengage/", "/prospects/funnel/", "/prospects/funnel/?by=source")
    ] == small
