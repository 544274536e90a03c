"""The inbox as a triage list (issue 20): grouped by record and kind, repeats collapsed with a count, priority
first, filters in the URL, bulk mark-read — in the same number of queries whatever the inbox size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.audit.models import Notification
from gtmos.core import clock
from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


def notice(user, rule, title, link, minutes_ago=0, read=False):
    return Notification.objects.create(
        recipient=user,
        rule=rule,
        title=title,
        link=link,
        created_at=clock.now() - dt.timedelta(minutes=minutes_ago),
        read_at=clock.now() if read else None,
    )


def test_repeats_collapse_into_one_row_with_a_count_and_urgent_comes_first(user, client):
    for i in range(4):
        notice(user, "coaching_pattern", "Still persisting: Rep A", "/coaching/reps/1/", minutes_ago=10 * i)
    notice(user, "onboarding.milestone_completed", "Acme: M2 done", "/onboarding/plans/1/", minutes_ago=1)
    notice(user, "map_signoff_hold", "Comp hold: Acme deal", "/crm/opportunities/1/", minutes_ago=500)
    notice(user, "coaching_pattern", "Still persisting: Rep B", "/coaching/reps/1/")  # same link, other rep
    client.force_login(user)
    body = client.get("/inbox/").content.decode()
    assert body.count("<strong>Still persisting: Rep A</strong>") == 1 and "× 4" in body
    assert "<strong>Still persisting: Rep B</strong>" in body
    hold, pattern, milestone = (body.index(t) for t in ("Comp hold: Acme deal", "Still persisting", "M2 done"))
    assert hold < pattern < milestone  # priority, not recency
    assert "Urgent" in body and "Comp hold</span>" in body and ">map_signoff_hold<" not in body


def test_filters_by_kind_and_state_are_kept_in_the_url(user, client):
    notice(user, "health_at_risk", "At risk: Beta", "/crm/accounts/2/")
    notice(user, "onboarding.ttv_miss", "TTV miss: Gamma", "/onboarding/plans/3/", read=True)
    client.force_login(user)
    unread = client.get("/inbox/").content.decode()
    assert "At risk: Beta" in unread and "TTV miss: Gamma" not in unread
    everything = client.get("/inbox/?state=all").content.decode()
    assert "TTV miss: Gamma" in everything
    only = client.get("/inbox/?state=all&kind=onboarding.ttv_miss", HTTP_HX_REQUEST="true").content.decode()
    assert "TTV miss: Gamma" in only and "At risk: Beta" not in only and "<html" not in only


def test_bulk_mark_read_marks_whole_groups_and_mark_all_respects_the_filter(user, client):
    rows = [
        notice(user, "coaching_pattern", "Still persisting: Rep A", "/coaching/reps/1/", minutes_ago=i)
        for i in range(3)
    ]
    other = notice(user, "health_at_risk", "At risk: Beta", "/crm/accounts/2/")
    third = notice(user, "onboarding.ttv_miss", "TTV miss: Gamma", "/onboarding/plans/3/")
    client.force_login(user)
    response = client.post("/inbox/read/", {"group": [rows[0].pk]})
    assert response.status_code == 302
    assert not Notification.objects.filter(pk__in=[r.pk for r in rows], read_at__isnull=True).exists()
    assert Notification.objects.get(pk=other.pk).read_at is None
    client.post("/inbox/read/", {"all": "1", "kind": "health_at_risk"})
    assert Notification.objects.get(pk=other.pk).read_at is not None
    assert Notification.objects.get(pk=third.pk).read_at is None  # outside the filter
    # Nobody marks another person's notices.
    stranger = UserFactory()
    theirs = notice(stranger, "health_at_risk", "At risk: Theirs", "/crm/accounts/9/")
    client.post("/inbox/read/", {"group": [theirs.pk]})
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_inbox_queries_do_not_grow_with_the_inbox(user, client):
    client.force_login(user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/inbox/?state=all").status_code == 200
        return len(ctx)

    notice(user, "health_at_risk", "At risk: 0", "/crm/accounts/0/")
    small = count()
    for i in range(1, 40):
        notice(user, "health_at_risk" if i % 2 else "coaching_pattern", f"Notice {i}", f"/x/{i % 7}/")
    assert count() == small
