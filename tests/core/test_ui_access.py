"""Access in the UI (issue 20, item 8): a page a role cannot use is refused and absent from its menu; a form a
role cannot submit is not drawn."""

import pytest

from gtmos.core.navigation import items_for
from tests.coaching.conftest import Team
from tests.onboarding.conftest import World

MANAGER_PAGES = [
    "/coaching/queue/",
    "/coaching/escalations/",
    "/coaching/flags/",
    "/coaching/review/",
    "/coaching/forecast-accuracy/",
]
MANAGER_TABS = ["Queue &amp; team", "Daily flags", "Business review", "Forecast accuracy"]


@pytest.fixture
def team(db):
    return Team()


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_rep_gets_404_on_the_manager_coaching_pages(team, client, url):
    client.force_login(team.sdr.user)
    assert client.get(url).status_code == 404


def test_rep_digests_show_no_manager_tabs(team, client):
    client.force_login(team.sdr.user)
    body = client.get("/coaching/digests/").content.decode()
    assert "My digests" in body
    for tab in MANAGER_TABS:
        assert tab not in body, tab
    assert 'href="/coaching/queue/"' not in body


@pytest.mark.parametrize("who", ["manager", "slm"])
def test_managers_keep_their_coaching_pages_and_tabs(team, client, who):
    client.force_login(getattr(team, who).user)
    for url in MANAGER_PAGES:
        assert client.get(url).status_code == 200, url
    body = client.get("/coaching/digests/").content.decode()
    assert all(tab in body for tab in MANAGER_TABS)


def test_rep_menu_offers_no_manager_coaching_page(team):
    rep_urls = {item["url"] for item in items_for(team.sdr.user)}
    assert not rep_urls & set(MANAGER_PAGES)
    assert "/coaching/digests/" in rep_urls
    assert "/coaching/queue/" in {item["url"] for item in items_for(team.manager.user)}


@pytest.fixture
def plan(db, frozen_clock):
    world = World()
    return world, world.close(world.deal())


def test_am_sees_no_m7_close_form_and_is_refused_it(plan, client):
    world, plan = plan
    client.force_login(world.am.user)
    body = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert f"/onboarding/plans/{plan.pk}/close/" not in body
    assert "The CSM closes onboarding (M7)" in body
    assert client.get(f"/onboarding/plans/{plan.pk}/close/").status_code == 403
    assert client.post(f"/onboarding/plans/{plan.pk}/close/", {}).status_code == 403


def test_csm_is_shown_the_m7_close_form(plan, client):
    world, plan = plan
    client.force_login(world.csm.user)
    body = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert f"/onboarding/plans/{plan.pk}/close/" in body
    assert client.get(f"/onboarding/plans/{plan.pk}/close/").status_code == 200
