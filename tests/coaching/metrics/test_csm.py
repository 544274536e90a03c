"""CSM config on hand-built data: every metric's value worked out by hand (AS_OF = 2026-03-16).
The call metrics (sentiment, talk ratio, product knowledge, next steps) are in test_calls.py."""

from gtmos.crm.models import Role

from .conftest import account, day, health, milestone, onboarding_plan, readings, rep, value


def onboarded(csm, *, complete, achieved, target):
    return account(csm=csm, onboarding_complete_date=day(complete), ttv_achieved_days=achieved, ttv_target_days=target)


def test_ttv_achievement_is_the_share_of_onboardings_within_target(cs):
    csm, thin = rep(Role.CSM), rep(Role.CSM)
    onboarded(csm, complete=1, achieved=80, target=90)
    onboarded(csm, complete=30, achieved=90, target=90)  # exactly on target: achieved
    onboarded(csm, complete=60, achieved=91, target=90)
    onboarded(csm, complete=200, achieved=60, target=45)
    onboarded(csm, complete=364, achieved=30, target=60)  # first day of the 365-day window
    onboarded(csm, complete=365, achieved=10, target=60)  # one day outside
    onboarded(csm, complete=-1, achieved=10, target=60)  # completes after AS_OF
    account(csm=csm, onboarding_complete_date=day(5), ttv_achieved_days=None, ttv_target_days=60)  # no TTV measured
    for _ in range(4):
        onboarded(thin, complete=10, achieved=10, target=60)
    out = readings(csm, thin)
    # 3 of 5 within target → 60.0.
    assert (out[csm.pk]["ttv_achievement"].value, out[csm.pk]["ttv_achievement"].sample) == (60.0, 5)
    assert value(out, thin, "ttv_achievement") is None  # 4 onboardings < min_sample


def test_milestone_adherence_is_on_time_completion_of_milestones_due_in_90_days(cs):
    csm = rep(Role.CSM)
    first, second = onboarding_plan(account(csm=csm)), onboarding_plan(account(csm=csm))
    milestone(first, "M1", due_days_ago=10, done_days_ago=12)  # two days early: on time
    milestone(first, "M2", due_days_ago=20, done_days_ago=20)  # on the day: on time
    milestone(first, "M3", due_days_ago=89, done_days_ago=89)  # first day of the window: on time
    milestone(first, "M4", due_days_ago=30, done_days_ago=25)  # five days late
    milestone(first, "M5", due_days_ago=5)  # overdue, not done
    milestone(second, "M1", due_days_ago=90, done_days_ago=95)  # due one day before the window
    milestone(second, "M2", due_days_ago=-3)  # not due yet
    milestone(onboarding_plan(account(csm=rep(Role.CSM))), "M1", due_days_ago=3)  # another CSM's
    r = readings(csm)[csm.pk]["milestone_adherence"]
    # 3 on time of 5 due → 60.0.
    assert (r.value, r.sample) == (60.0, 5)


def test_book_health_trajectory_satisfaction_trend_and_escalation_rate(cs):
    csm, thin = rep(Role.CSM), rep(Role.CSM)
    book = [account(csm=csm, name=f"C{i}") for i in range(1, 8)]
    # (score, satisfaction) 30 days ago → (score, satisfaction, tier) on AS_OF
    rows = [
        ((70, 40), (80, 50, "low")),  # +10, +10
        ((60, 30), (50, 20, "high")),  # −10, −10
        ((80, 55), (70, 60, "medium")),  # −10, +5
        ((50, 50), (40, 30, "critical")),  # −10, −20
        ((90, 80), (95, 90, "low")),  # +5, +10
        (None, (60, 40, "high")),  # new on the book: no change
        ((65, None), (65, 70, "low")),  # 0; no satisfaction score 30 days ago: no satisfaction change
    ]
    for acct, (then, now) in zip(book, rows):
        if then:
            health(acct, 30, then[0], sat=then[1])
        health(acct, 0, now[0], sat=now[1], tier=now[2])
    for i in range(4):
        acct = account(csm=thin)
        health(acct, 30, 50, sat=50)
        health(acct, 0, 60, sat=60, tier="high")
    out = readings(csm, thin)
    mine = out[csm.pk]
    # Score changes +10, −10, −10, −10, +5, 0 → −15 / 6 = −2.5 points.
    assert (mine["health_trajectory"].value, mine["health_trajectory"].sample) == (-2.5, 6)
    # Satisfaction changes +10, −10, +5, −20, +10 → −5 / 5 = −1.0 points.
    assert (mine["nps_csat_trend"].value, mine["nps_csat_trend"].sample) == (-1.0, 5)
    # High or Critical on AS_OF: C2, C4, C6 of 7 accounts → 42.86%.
    assert (mine["escalation_rate"].value, mine["escalation_rate"].sample) == (42.86, 7)
    # 4 accounts: every book metric below min_sample → absent, not 0 (nor 100% escalated).
    assert {code: value(out, thin, code) for code in ("health_trajectory", "nps_csat_trend", "escalation_rate")} == {
        "health_trajectory": None,
        "nps_csat_trend": None,
        "escalation_rate": None,
    }


def test_thin_milestone_sample_is_a_gap(cs):
    csm = rep(Role.CSM)
    plan = onboarding_plan(account(csm=csm))
    for code in ("M1", "M2", "M3", "M4"):
        milestone(plan, code, due_days_ago=10)  # 4 overdue milestones: not yet a measurement
    assert value(readings(csm), csm, "milestone_adherence") is None
