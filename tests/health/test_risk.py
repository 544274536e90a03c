"""Churn-risk cases: stage moves with reasons, the retention plan, the race, and the back-test."""

import threading

import pytest
from django.db import connection

from gtmos.audit.models import Event
from gtmos.core import clock
from gtmos.crm.models import Account, Opportunity
from gtmos.health import backtest
from gtmos.health.models import ChurnRiskLog, CustomerHealthLog, RetentionTask
from gtmos.health.services.daily import health_daily
from gtmos.health.services.risk import retention_note_add, retention_task_complete, risk_stage_move
from tests.factories import OpportunityFactory
from tests.health.conftest import Book, quiet

pytestmark = pytest.mark.postgres


@pytest.fixture
def case(book):
    quiet(book)
    health_daily()
    return ChurnRiskLog.objects.get()


def test_plan_in_place_needs_a_reason_and_the_retention_objective(book, case):
    with pytest.raises(ValueError, match="reason"):
        risk_stage_move(case=case, to="plan_in_place", reason=" ", by=book.csm)
    with pytest.raises(ValueError, match="objective"):
        risk_stage_move(case=case, to="plan_in_place", reason="Agreed with champion", by=book.csm)
    assert ChurnRiskLog.objects.get(pk=case.pk).stage == "at_risk"


def test_moving_a_case_records_time_in_stage_history_and_adds_the_follow_through_tasks(book, case):
    tasks_before = case.tasks.count()
    clock.advance(days=4)
    risk_stage_move(
        case=case,
        to="plan_in_place",
        reason="Sponsor call done",
        by=book.csm,
        objective="Back to 60 % seat use by end of quarter",
    )
    case.refresh_from_db()
    assert case.stage == "plan_in_place" and case.stage_entered_at == clock.now()
    assert case.retention_objective.startswith("Back to 60")
    assert case.tasks.count() > tasks_before  # the plan-in-place playbook's steps
    event = Event.objects.get(type="health.risk_stage_changed")
    assert event.payload == {
        "from": "at_risk",
        "to": "plan_in_place",
        "reason": "Sponsor call done",
        "by": book.csm.name,
    }
    clock.advance(days=10)
    risk_stage_move(case=case, to="recovered", reason="Usage back above target", by=book.csm)
    case.refresh_from_db()
    assert case.stage == "recovered" and case.closed_at == clock.now() and not case.is_open


def test_a_closed_case_cannot_move_again(book, case):
    risk_stage_move(case=case, to="lost", reason="Customer chose a competitor", by=book.csm)
    from django_fsm import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        risk_stage_move(case=case, to="recovered", reason="oops", by=book.csm)


def test_a_recovered_case_reopens_only_when_the_account_newly_enters_at_risk(book, case):
    from gtmos.health.services.override import override_clear, override_set

    risk_stage_move(case=case, to="recovered", reason="Exec call went well", by=book.csm)
    clock.advance(days=1)
    health_daily()  # still at risk the next morning: the CSM's call stands
    assert ChurnRiskLog.objects.filter(account=case.account).count() == 1
    override_set(account=case.account, score=90, reason="Signed the renewal", by=book.csm)  # out for a day…
    clock.advance(days=1)
    override_clear(account=case.account, by=book.csm)
    health_daily()  # …and back in: a new case
    assert ChurnRiskLog.objects.filter(account=case.account).count() == 2


def test_a_lost_customer_is_not_reopened_and_its_open_tasks_are_skipped(book, case):
    task = case.tasks.first()
    risk_stage_move(case=case, to="lost", reason="Chose a competitor", by=book.csm)
    assert set(case.tasks.values_list("status", flat=True)) == {"skipped"}
    with pytest.raises(ValueError, match="closed"):
        retention_task_complete(task=RetentionTask.objects.get(pk=task.pk), by=book.csm, outcome="late click")
    with pytest.raises(ValueError, match="closed"):
        retention_note_add(case=case, by=book.csm, body="after the fact")
    clock.advance(days=1)
    health_daily()
    assert ChurnRiskLog.objects.filter(account=case.account).count() == 1


def test_the_csm_works_the_plan_task_outcomes_and_notes(book, case):
    task = case.tasks.first()
    retention_task_complete(task=task, by=book.csm, outcome="Champion confirmed the blocker: SSO")
    retention_task_complete(task=task, by=book.csm, outcome="second click")
    task.refresh_from_db()
    assert task.status == "done" and task.outcome.startswith("Champion")
    retention_note_add(case=case, by=book.csm, body="Sent SSO guide")
    assert case.notes.get().body == "Sent SSO guide"
    with pytest.raises(ValueError):
        retention_note_add(case=case, by=book.csm, body=" ")


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_the_same_case_at_once_one_wins(frozen_clock):
    book = Book()
    quiet(book)
    health_daily()
    case_id = ChurnRiskLog.objects.get().pk
    barrier = threading.Barrier(2)
    outcomes = []

    def move(to):
        try:
            case = ChurnRiskLog.objects.get(pk=case_id)
            barrier.wait()
            risk_stage_move(case=case, to=to, reason=f"says {to}", by=book.csm)
            outcomes.append(to)
        except Exception as exc:  # ConcurrentTransition or a lock timeout: the loser is told, nothing half-done
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(to,)) for to in ("recovered", "lost")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = ChurnRiskLog.objects.get(pk=case_id).stage
    assert final in ("recovered", "lost") and outcomes.count(final) == 1
    assert Event.objects.filter(type="health.risk_stage_changed").count() == 1


def test_auc_is_one_for_perfect_separation_one_half_for_none():
    assert backtest.auc([(10, 1), (20, 1), (80, 0), (90, 0)]) == 1.0
    assert backtest.auc([(50, 1), (50, 0)]) == 0.5
    assert backtest.auc([(90, 1), (10, 0)]) == 0.0
    assert backtest.auc([(50, 0)]) is None


def test_the_back_test_scores_churned_and_renewed_accounts_at_the_horizon(book):
    strong = [book.healthy(book.customer(f"Strong {i}")) for i in range(3)]
    weak = [quiet(book, f"Weak {i}") for i in range(3)]
    health_daily()
    start = clock.today()
    clock.advance(days=30)
    for account in weak:
        Account.objects.filter(pk=account.pk).update(churned_on=clock.today())
    for account in strong:
        OpportunityFactory(account=account, type=Opportunity.Type.RENEWAL, stage="closed_won", closed_at=clock.now())
    report = backtest.run(horizon_days=30)
    assert (report.churned, report.renewed, report.unscored) == (3, 3, 0)
    assert report.auc == 1.0 and report.mean_renewed > report.mean_churned
    assert sum(row["accounts"] for row in report.calibration) == 6
    assert "well" in report.verdict and "indicative" in report.verdict
    assert CustomerHealthLog.objects.filter(day=start).count() == 6
    # A horizon with no scores to read reports them as unscored, not as a result.
    assert backtest.run(horizon_days=90).auc is None
