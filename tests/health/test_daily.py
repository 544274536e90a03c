"""The daily AGT-501 run: one record per customer per day, idempotent, set-based, with its follow-ups."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.audit.models import Notification
from gtmos.core import clock
from gtmos.crm.models import UsageDaily
from gtmos.health.models import ChurnRiskLog, CustomerHealthLog, RetentionTask
from gtmos.health.services.daily import health_daily
from tests.health.conftest import quiet

pytestmark = pytest.mark.postgres
DAY = dt.timedelta(days=1)
CONTENT = (
    "account_id",
    "day",
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
)


def snapshot():
    return sorted(CustomerHealthLog.objects.values_list(*CONTENT))


def test_one_record_per_customer_and_none_for_prospects_or_churned_accounts(book):
    live = book.healthy(book.customer())
    book.customer(is_customer=False)
    book.customer(churned_on=clock.today() - DAY)
    assert health_daily()["accounts"] == 1
    record = CustomerHealthLog.objects.get()
    assert record.account == live and record.day == clock.today() and record.score == record.computed_score
    assert record.tier == "low" and record.lifecycle_segment == "established"


def test_running_the_day_twice_gives_the_same_rows_and_no_second_case_task_or_notice(book):
    book.healthy(book.customer())
    quiet(book)
    health_daily()
    first = snapshot()
    counts = (ChurnRiskLog.objects.count(), RetentionTask.objects.count(), Notification.objects.count())
    health_daily()
    assert snapshot() == first
    assert (ChurnRiskLog.objects.count(), RetentionTask.objects.count(), Notification.objects.count()) == counts
    assert CustomerHealthLog.objects.count() == 2


def test_the_number_of_queries_does_not_grow_with_the_book(book):
    def grow_and_measure(n):
        for _ in range(n):
            book.healthy(book.customer())
        quiet(book, name=f"Quiet {n}")  # one more at risk, so cases, tasks and notices are written too
        health_daily()
        clock.advance(days=1)
        with CaptureQueriesContext(connection) as queries:
            health_daily()
        return len(queries)

    small = grow_and_measure(2)
    large = grow_and_measure(12)
    assert large == small


def test_a_usage_collapse_drops_the_tier_and_names_the_measures_that_drove_it(book):
    account = book.healthy(book.customer("Falling Co"))
    health_daily()
    day1 = CustomerHealthLog.objects.get(account=account)
    # Over the next week logins stop and seats empty out.
    clock.advance(days=7)
    UsageDaily.objects.filter(account=account, day__gt=clock.today() - 30 * DAY).update(logins=0, active_seats=0)
    book.usage(account, days=7, seats=0, logins=0, features=())
    health_daily()
    day2 = CustomerHealthLog.objects.get(account=account, day=clock.today())
    assert day2.score < day1.score and day2.score_change == day2.computed_score - day1.computed_score
    assert day2.previous_score == day1.computed_score
    assert day2.tier != day1.tier
    moved = [d["measure"] for d in day2.drivers]
    assert "login_frequency" in moved and "seat_utilization" in moved


def test_an_account_entering_at_risk_gets_a_case_with_signals_playbook_tasks_and_a_notice(book):
    account = quiet(book, tenure_days=120)
    health_daily()
    record = CustomerHealthLog.objects.get(account=account)
    assert record.tier in ("high", "critical") and record.lifecycle_segment == "at_risk"
    case = ChurnRiskLog.objects.get(account=account)
    assert case.stage == "at_risk" and case.tenure_segment == "growing"
    assert case.playbook.segment == "growing" and case.signals
    assert any(s["code"] == "engagement_recency" for s in case.signals)
    tasks = list(case.tasks.order_by("due_on"))
    assert tasks and {t.owner for t in tasks} <= {book.csm, book.am}
    assert all(t.due_on > clock.today() for t in tasks)
    notices = Notification.objects.filter(rule="health_at_risk")
    assert {n.recipient for n in notices} == {book.csm.user, book.am.user}


def test_overdue_retention_tasks_escalate_to_the_owners_manager_once(book):
    quiet(book)
    health_daily()
    task = RetentionTask.objects.order_by("due_on").first()
    clock.advance(days=(task.due_on - clock.today()).days + 3)
    health_daily()
    health_daily()
    task.refresh_from_db()
    assert task.escalated_at is not None
    notices = Notification.objects.filter(rule="health_task_overdue")
    assert notices.count() >= 1 and {n.recipient for n in notices} == {book.manager.user}
    assert Notification.objects.filter(dedupe_key=f"health.task_overdue:{task.pk}").count() == 1


def test_an_onboarding_customer_is_scored_in_onboarding_mode_with_nps_as_a_data_gap(book):
    account = book.customer("Fresh Co", tenure_days=5, onboarding_status="active")
    health_daily()
    record = CustomerHealthLog.objects.get(account=account)
    assert record.in_onboarding is True and record.score is not None
    assert {"nps", "csat", "expansion", "advocacy"} <= set(record.data_gaps)
    assert record.lifecycle_segment in ("new", "at_risk")


@pytest.mark.parametrize("tenure,segment", [(89, "new"), (90, "growing"), (179, "growing"), (180, "established")])
def test_the_record_carries_the_lifecycle_segment_by_tenure_at_90_and_180_days(book, tenure, segment):
    account = book.healthy(book.customer(tenure_days=tenure))
    health_daily()
    record = CustomerHealthLog.objects.get(account=account)
    assert record.tier in ("low", "medium") and record.lifecycle_segment == segment


def test_the_run_streamed_in_chunks_writes_what_one_pass_writes(book, settings):
    """Issue 21: a million customers are scored a chunk at a time; the rows (and their checksum) and the
    follow-ups do not depend on the chunk size."""
    from django.db import transaction

    for n in range(5):
        book.healthy(book.customer(f"Healthy {n}"))
        quiet(book, f"Quiet {n}")
    health_daily()
    clock.advance(days=1)
    UsageDaily.objects.filter(account__name="Healthy 2").delete()
    outcomes = []
    for chunk in (3, 10_000):
        settings.HEALTH_DAILY_CHUNK = chunk
        with pytest.raises(RuntimeError), transaction.atomic():
            summary = health_daily()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT md5(string_agg(t::text, '|' ORDER BY account_id)) FROM ("
                    "SELECT account_id, day, score, computed_score, tier, measures, inputs, drivers "
                    "FROM health_customerhealthlog WHERE day = %s) t",
                    [clock.today()],
                )
                checksum = cursor.fetchone()[0]
            outcomes.append(
                (
                    summary,
                    checksum,
                    snapshot(),
                    sorted(ChurnRiskLog.objects.values_list("account_id", "stage")),
                    sorted(Notification.objects.values_list("recipient_id", "dedupe_key")),
                )
            )
            raise RuntimeError("undo, to run the same day again")
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0]["accounts"] == 10
