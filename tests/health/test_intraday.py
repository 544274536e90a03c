"""Re-score on the signal (issue 21): a write marks its account dirty in its own transaction; the drain
re-scores a burst once, after it, with the daily job's scoring; the daily job's rows do not change."""

import datetime as dt

import pytest
from django.db import connection, transaction

from gtmos.audit.models import Notification
from gtmos.core import clock
from gtmos.crm.models import Contact, UsageDaily
from gtmos.health.models import ChurnRiskLog, CustomerHealthLog, HealthDirtyWrite, HealthRescore, SurveyResponse
from gtmos.health.services.daily import health_daily
from gtmos.health.services.intraday import health_dirty_drain, health_rescore
from tests.health.conftest import quiet
from tests.health.test_daily import snapshot

pytestmark = pytest.mark.postgres
DAY = dt.timedelta(days=1)
RESCORE = (
    "account_id",
    "day",
    "writes",
    "score",
    "computed_score",
    "tier",
    "lifecycle_segment",
    "in_onboarding",
    "coverage_pct",
    "components",
    "measures",
    "inputs",
    "data_gaps",
    "previous_score",
    "score_change",
    "drivers",
    "override_id",
    "drop_notified",
)


def quiet_spell_passed():
    """As if the burst ended an hour ago: the trigger stamps the database's clock, not the injected one."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE health_healthdirtywrite SET at = at - interval '1 hour'")


def drain():
    return health_dirty_drain(quiet_seconds=60, max_wait_seconds=3600)


def state():
    return (
        sorted(HealthRescore.objects.values_list(*RESCORE)),
        sorted(ChurnRiskLog.objects.values_list("account_id", "stage", "score_at_open")),
        sorted(Notification.objects.values_list("recipient_id", "dedupe_key")),
    )


def test_a_write_marks_the_account_dirty_in_its_transaction_and_a_rollback_unmarks_it(book):
    account = book.customer()
    HealthDirtyWrite.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        UsageDaily.objects.create(account=account, day=clock.today(), logins=3, active_seats=2)
        assert HealthDirtyWrite.pending(account.pk) == {"usage_day": 1}  # same transaction
        raise RuntimeError("rolled back")
    assert not HealthDirtyWrite.objects.exists()
    SurveyResponse.objects.create(external_id="s1", account=account, kind="nps", score=3, responded_on=clock.today())
    assert HealthDirtyWrite.pending(account.pk) == {"survey": 1}


def test_an_edit_to_an_account_counts_only_when_a_scored_column_changes(book):
    account = book.customer()
    HealthDirtyWrite.objects.all().delete()
    account.name = "Renamed"
    account.save()
    assert not HealthDirtyWrite.objects.exists()
    account.contracted_seats = 500
    account.save()
    assert HealthDirtyWrite.pending(account.pk) == {"account": 1}


def test_a_burst_to_one_account_is_rescored_once_after_the_burst(book):
    account = book.healthy(book.customer())
    health_daily()
    HealthDirtyWrite.objects.all().delete()
    clock.advance(hours=5)
    for back in range(3):  # three usage days arrive, one request each
        UsageDaily.objects.filter(account=account, day=clock.today() - back * DAY).update(logins=0, active_seats=0)
    assert drain()["claimed"] == 0  # still in the burst: nothing yet
    quiet_spell_passed()
    assert drain() == {"claimed": 1, "rescored": 1, "cases_opened": 0, "drop_notices": 0}
    assert drain()["claimed"] == 0
    rescore = HealthRescore.objects.get()
    assert rescore.writes == {"usage_day": 3} and rescore.why == "3 usage days"
    assert rescore.score_change is not None and rescore.score_change < 0 and rescore.drivers


def test_a_busy_account_is_still_rescored_after_the_longest_wait(book):
    account = book.customer()
    with connection.cursor() as cursor:  # the first unscored writes came long ago…
        cursor.execute("UPDATE health_healthdirtywrite SET at = at - interval '2 hours'")
    UsageDaily.objects.create(account=account, day=clock.today(), logins=1, active_seats=1)  # …and they keep coming
    assert health_dirty_drain(quiet_seconds=60, max_wait_seconds=3600)["claimed"] == 1
    assert HealthRescore.objects.filter(account=account).count() == 1


def test_rescoring_twice_leaves_identical_state(book):
    account = quiet(book)
    book.healthy(book.customer())
    health_daily()
    clock.advance(days=1, hours=3)
    UsageDaily.objects.create(account=account, day=clock.today(), logins=1, active_seats=1)
    health_rescore(account_ids=[account.pk])
    first = state()
    health_rescore(account_ids=[account.pk])
    assert state() == first


def test_the_daily_job_after_intraday_rescores_writes_the_same_rows_as_without_them(book):
    healthy = book.healthy(book.customer("Steady Co"))
    slipping = book.healthy(book.customer("Slipping Co"))
    health_daily()
    clock.advance(days=1)
    health_daily()
    clock.advance(hours=6)
    UsageDaily.objects.filter(account=slipping).update(logins=0, active_seats=0)  # usage collapses mid-day
    SurveyResponse.objects.create(external_id="bad", account=slipping, kind="nps", score=0, responded_on=clock.today())
    SurveyResponse.objects.create(external_id="ok", account=healthy, kind="nps", score=8, responded_on=clock.today())
    clock.advance(days=1, hours=-6)
    with pytest.raises(RuntimeError), transaction.atomic():
        quiet_spell_passed()
        with clock.frozen(clock.now() - dt.timedelta(hours=18)):
            assert drain()["rescored"] == 2
        health_daily()
        with_intraday = snapshot()
        cases_with = list(ChurnRiskLog.objects.values_list("account_id", "stage"))
        notices_with = sorted(Notification.objects.values_list("recipient_id", "rule", "title"))
        raise RuntimeError("back to before the re-scores")
    assert not HealthRescore.objects.exists()
    health_daily()
    assert snapshot() == with_intraday
    assert list(ChurnRiskLog.objects.values_list("account_id", "stage")) == cases_with  # one case, either way
    without = sorted(Notification.objects.values_list("recipient_id", "rule", "title"))
    assert len(notices_with) == len(set(notices_with)) and {n[1] for n in notices_with} == {n[1] for n in without}


def test_risk_rules_fire_on_the_intraday_score_once(book):
    account = book.healthy(book.customer("Falling Co"))
    health_daily()
    clock.advance(hours=4)
    UsageDaily.objects.filter(account=account).delete()
    Contact.objects.filter(account=account).update(last_engaged_at=clock.now() - dt.timedelta(days=300))
    SurveyResponse.objects.create(external_id="zero", account=account, kind="nps", score=0, responded_on=clock.today())
    quiet_spell_passed()
    done = drain()
    assert done["cases_opened"] == 1 and done["drop_notices"] == 1
    rescore = HealthRescore.objects.get()
    assert rescore.tier in ("high", "critical") and rescore.drop_notified
    notices = Notification.objects.count()
    # The daily job sees the same state that evening and the next morning: no second case, no second notice.
    health_daily()
    clock.advance(days=1)
    health_daily()
    assert ChurnRiskLog.objects.filter(account=account).count() == 1
    assert Notification.objects.count() == notices
    # The intraday score is what a full daily run computes for the same inputs.
    daily = CustomerHealthLog.objects.get(account=account, day=rescore.day)
    assert (daily.computed_score, daily.measures) == (rescore.computed_score, rescore.measures)


def test_the_explain_page_shows_the_rescore_and_why(client, book):
    account = book.healthy(book.customer("Busy Co"))
    health_daily()
    HealthDirtyWrite.objects.all().delete()  # the morning's record covers the set-up writes
    clock.advance(hours=5, minutes=2)
    UsageDaily.objects.filter(account=account, day__gt=clock.today() - 3 * DAY).update(logins=0, active_seats=0)
    quiet_spell_passed()
    drain()
    rescore = HealthRescore.objects.get()
    client.force_login(book.csm.user)
    body = client.get(f"/health/accounts/{account.pk}/").content.decode()
    assert "Re-scored 14:02 after 3 usage days arrived" in body
    assert f'id="health-score">{rescore.score}<' in body


def test_the_book_shows_the_rescored_score_and_tier_before_the_next_daily_run(client, book):
    """The CSM's book is where a usage drop this morning must show, not only the explain page."""
    account = book.healthy(book.customer("Busy Co"))
    health_daily()
    HealthDirtyWrite.objects.all().delete()
    morning = CustomerHealthLog.objects.get(account=account)
    clock.advance(hours=5, minutes=2)
    UsageDaily.objects.filter(account=account, day__gt=clock.today() - 3 * DAY).update(logins=0, active_seats=0)
    quiet_spell_passed()
    drain()
    rescore = HealthRescore.objects.get()
    assert rescore.score != morning.score  # the drop moved the score
    client.force_login(book.csm.user)
    body = client.get("/health/").content.decode()
    row = body.split(f'href="/health/accounts/{account.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert f"<strong>{rescore.score}</strong>" in row
    assert f"<strong>{morning.score}</strong>" not in row
    assert "Re-scored 14:02" in row
