"""The AE and SDR pages: each deal page through visible_to (the wrong AE or SDR gets 404), role-gated actions,
the whole walk over HTTP, and query counts that do not grow with the pipeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.models import Deal
from onboarding.models import SessionState as S

from .conftest import deal_of, quick_deal

pytestmark = pytest.mark.django_db

STEPS = ("w5", "w6", "w7", "w8", "w9", "w10")


def login(client, username):
    from django.contrib.auth import get_user_model

    client.logout()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def step_url(deal, step):
    return reverse("whiteglove:deal_step", args=[deal.pk, step])


def act(client, deal, action, **data):
    return client.post(reverse("whiteglove:deal_action", args=[deal.pk, action]), data)


def test_wrong_ae_and_wrong_sdr_get_404_on_every_deal_page_and_action(team, client):
    deal = quick_deal(1)
    assert deal.ae_owner == team.ae and deal.sdr == team.sdr
    pages = [
        reverse("whiteglove:deal_detail", args=[deal.pk]),
        reverse("whiteglove:deal_meddpicc", args=[deal.pk]),
        *(step_url(deal, s) for s in STEPS),
    ]
    for username in ("ae2", "sdr2", "csm"):
        login(client, username)
        for url in pages:
            assert client.get(url).status_code == 404, (username, url)
        assert act(client, deal, "review").status_code == 404
        assert act(client, deal, "send").status_code == 404
        assert deal.company not in client.get(reverse("whiteglove:pipeline_ae")).content.decode()
        assert deal.company not in client.get(reverse("whiteglove:pipeline_sdr")).content.decode()
        assert deal.company not in client.get(reverse("whiteglove:scorecard")).content.decode()
    for username in ("ae", "sdr", "mgr"):
        login(client, username)
        for url in pages[1:]:
            assert client.get(url).status_code == 200, (username, url)
    assert Deal.objects.get(pk=deal.pk).ae_reviewed_at is None


def test_the_sdr_cannot_do_the_aes_steps_and_a_manager_cannot_act(team, client):
    deal = quick_deal(1)
    login(client, "sdr")
    assert act(client, deal, "review").status_code == 403
    assert act(client, deal, "cell", cell="champion", value="X", confirm="on").status_code == 403
    login(client, "mgr")
    assert act(client, deal, "send").status_code == 403
    deal.refresh_from_db()
    assert deal.ae_reviewed_at is None and deal.meddpicc["champion"]["status"] == "amber"


def test_pipeline_pages_my_deals_by_step_with_next_action_and_age(team, client, frozen_clock):
    mine = quick_deal(1)
    texas = quick_deal(2, hq="Austin, TX")
    assert texas.ae_owner == team.other_ae
    frozen_clock.advance(days=3)
    login(client, "ae")
    page = client.get(reverse("whiteglove:pipeline_ae")).content.decode()
    assert mine.company in page and texas.company not in page
    assert "Review the battle pack and the drafted outreach" in page and "3 d" in page
    login(client, "sdr")
    page = client.get(reverse("whiteglove:pipeline_sdr")).content.decode()
    assert mine.company in page and "(AE)" in page  # the next action is the AE's
    login(client, "mgr")
    page = client.get(reverse("whiteglove:pipeline_ae")).content.decode()
    assert mine.company in page and texas.company not in page  # only the manager's team


def test_the_walk_over_http_from_w5_to_w10(team, client, django_capture_on_commit_callbacks):
    deal = quick_deal(1)
    login(client, "sdr")
    assert "awaiting AE review" in client.get(step_url(deal, "w5")).content.decode()
    resp = act(client, deal, "send")
    assert resp.status_code == 302 and Deal.objects.get(pk=deal.pk).session.state == S.W5_BATTLEPACK
    login(client, "ae")
    assert act(client, deal, "review", next=step_url(deal, "w5")).status_code == 302
    login(client, "sdr")
    with django_capture_on_commit_callbacks(execute=True):
        resp = act(client, deal, "send")
    assert resp.url == reverse("whiteglove:deal_detail", args=[deal.pk])
    assert client.get(resp.url).url == step_url(deal, "w6")
    act(client, deal, "send")  # a double POST changes nothing
    assert act(client, deal, "book", meeting_at="2026-03-05T10:00").status_code == 302
    login(client, "ae")
    act(client, deal, "qualify")
    assert deal_of(deal.session).session.state == S.W7_DISCOVERY
    act(client, deal, "cell", cell="champion", value="Pat Number1, Chief Estimator", confirm="on")
    act(client, deal, "cell", cell="economic_buyer", value="Lee Park", title="CFO", note="signs > $50k", confirm="on")
    act(client, deal, "qualify")
    assert deal_of(deal.session).session.state == S.W8_DEMO
    page = client.get(step_url(deal, "w8")).content.decode()
    assert "Hospital 1 electrical" in page
    act(client, deal, "demo", demoed="Takeoff of Hospital 1 on their plans", validated="within 3%", objections="SSO")
    act(client, deal, "commit", text="FDE on site for the first two bid days")
    act(client, deal, "contract")
    act(client, deal, "won", seats="40")
    deal = deal_of(deal.session)
    assert deal.session.state == S.W10_CLOSED_WON and deal.opportunity.stage == "closed_won"
    page = client.get(step_url(deal, "w10")).content.decode()
    assert "FDE on site" in page and "Active" in page
    history = client.get(step_url(deal, "w9")).content.decode()
    for t in (
        "deal.battlepack_ready",
        "outreach.sent",
        "meeting.booked",
        "meddpicc.qualified",
        "demo.delivered",
        "deal.closed_won",
        "opportunity.stage_changed",
    ):
        assert t in history, t


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["whiteglove:pipeline_ae", "whiteglove:pipeline_sdr", "whiteglove:scorecard"])
def test_list_page_queries_do_not_grow_with_the_pipeline(team, client, name):
    quick_deal(1)
    login(client, "ae" if "sdr" not in name else "sdr")
    url = reverse(name)
    _count(client, url)  # warm the settings rows
    small = _count(client, url)
    for n in range(2, 8):
        quick_deal(n)
    assert _count(client, url) == small


def test_deal_page_queries_do_not_grow_with_the_pipeline_or_history(team, client):
    deal = quick_deal(1)
    login(client, "ae")
    url = step_url(deal, "w5")
    _count(client, url)
    small = _count(client, url)
    for n in range(2, 6):
        quick_deal(n)
    for i in range(5):
        act(client, deal, "commit", text=f"promise {i}")
    assert _count(client, url) == small


def test_research_landing_after_w5_is_flagged_and_the_ae_rebuilds_the_pack(team, client):
    from decimal import Decimal

    from enrichment.models import Pursuit

    deal = quick_deal(1)
    login(client, "ae")
    act(client, deal, "review")
    assert "more pursuit" not in client.get(step_url(deal, "w5")).content.decode()
    Pursuit.objects.create(
        lead=deal.session.lead,
        name="Airport terminal electrical",
        value=Decimal(40_000_000),
        source="public_bid",
        match_score=0.95,
    )  # project_finder reports late
    assert "The swarm found 1 more pursuit" in client.get(step_url(deal, "w5")).content.decode()
    login(client, "sdr")
    assert act(client, deal, "refresh").status_code == 403  # the AE's call
    login(client, "ae")
    act(client, deal, "refresh")
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.pursuit.name == "Airport terminal electrical" and len(deal.dossier["pursuits"]) == 2
    assert deal.ae_reviewed_at is None  # the draft changed: review again before anything goes out
    assert "more pursuit" not in client.get(step_url(deal, "w5")).content.decode()


def test_pipeline_shows_the_oldest_deals_of_a_crowded_step_and_the_full_count(team, client, monkeypatch, frozen_clock):
    from onboarding.whiteglove import selectors

    monkeypatch.setattr(selectors, "ROWS_PER_STEP", 2)
    for n in range(1, 4):
        quick_deal(n)
        frozen_clock.advance(days=1)
    login(client, "ae")
    page = client.get(reverse("whiteglove:pipeline_ae")).content.decode()
    assert "Firm 1 Electric" in page and "Firm 2 Electric" in page and "Firm 3 Electric" not in page
    assert "The 2 oldest of 3 shown." in page
