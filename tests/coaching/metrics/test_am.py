"""AM config on hand-built data: every metric's value worked out by hand (AS_OF = 2026-03-16)."""

import datetime as dt
import itertools

from gtmos.crm.models import Opportunity, Quote, Role, Stage
from gtmos.health.models import ExpansionLog, QBRLog

from .conftest import account, at, day, health, money, opportunity, readings, rep, value

_n = itertools.count(1)
RENEWAL = Opportunity.Type.RENEWAL


def play(acct, status, *, opened=10, closed=None, amount=0):
    ExpansionLog.objects.create(
        external_id=f"m-play-{next(_n)}",
        account=acct,
        play="seats",
        status=status,
        opened_on=day(opened),
        closed_on=None if closed is None else day(closed),
        amount=money(amount),
    )


def qbr(acct, *, completed=None, status="completed", outcome="", scheduled=None):
    QBRLog.objects.create(
        external_id=f"m-qbr-{next(_n)}",
        account=acct,
        status=status,
        outcome=outcome,
        scheduled_for=day(scheduled if scheduled is not None else (completed or 0)),
        completed_on=None if completed is None else day(completed),
    )


# --- nrr ---------------------------------------------------------------------------------------------------------


def book(am, segment, vertical, arr, n, **kw):
    """n customers of ``am`` that were customers a year ago (contract start 2024-06-01)."""
    return [
        account(am=am, segment=segment, vertical=vertical, arr=money(arr), contract_start_date=day(653), **kw)
        for _ in range(n)
    ]


def test_nrr_by_cohort_with_a_cohort_weighted_target(cs):
    a, b, thin = rep(Role.AM), rep(Role.AM), rep(Role.AM)
    # A, MM · construction: 3 × 100k; one churned 100 days ago, 30k won → 230k / 300k = 76.67%.
    mm = book(a, "mm", "construction", 100_000, 3)
    mm[0].churned_on = day(100)
    mm[0].save()
    play(mm[1], "won", opened=80, closed=50, amount=30_000)
    play(mm[2], "lost", opened=80, closed=50, amount=99_000)  # lost: no revenue
    play(mm[2], "won", opened=420, closed=400, amount=50_000)  # won before the year began
    play(mm[2], "won", opened=5, closed=-1, amount=50_000)  # won after AS_OF
    # A, ENT · healthcare: 2 × 200k, 40k won → 440k / 400k = 110%.
    ent = book(a, "ent", "healthcare", 200_000, 2)
    play(ent[0], "won", opened=30, closed=10, amount=40_000)
    # Not in A's base: churned before the year began; became a customer inside the year.
    book(a, "mm", "construction", 100_000, 1, churned_on=day(400))
    account(am=a, segment="mm", vertical="construction", arr=money(100_000), contract_start_date=day(100))
    # B, MM · construction: 3 × 100k, 60k won → 120%; ENT · healthcare: 3 × 200k, one churned → 66.67%.
    play(book(b, "mm", "construction", 100_000, 3)[0], "won", opened=100, closed=60, amount=60_000)
    b_ent = book(b, "ent", "healthcare", 200_000, 3)
    b_ent[0].churned_on = day(30)
    b_ent[0].save()
    book(thin, "mm", "construction", 100_000, 4)

    out = readings(a, b, thin)

    # A: (200k + 30k + 440k) / 700k = 95.71%. Cohort medians across every AM with a base there (the thin
    # AM's 100% counts: min_sample gates a rep's own reading, not the cohort): MM median(76.67, 100, 120)
    # = 100, ENT (110 + 66.67) / 2 = 88.33; A's target = (100 × 300k + 88.33 × 400k) / 700k = 93.33.
    r = out[a.pk]["nrr"]
    assert (r.value, r.target, r.sample) == (95.71, 93.33, 5)
    assert r.evidence == {"worst_cohort": "MM · construction", "worst_cohort_gap": -23.3, "churned": 1}  # 76.67 − 100
    # B: (360k + 400k) / 900k = 84.44%; target (100 × 300k + 88.33 × 600k) / 900k = 92.22.
    r = out[b.pk]["nrr"]
    assert (r.value, r.target) == (84.44, 92.22)
    assert r.evidence["worst_cohort"] == "ENT · healthcare"
    # 4 accounts < min_sample 5: no NRR (a gap, not 0%).
    assert value(out, thin, "nrr") is None


# --- renewal_rate and renewal_opened_late ------------------------------------------------------------------------


def renewal(am, *, created, stage=Stage.PROPOSAL, closed=None, due_in=None, acct=None, **kw):
    acct = acct or account(am=am)
    created_at = at(created)
    return opportunity(
        acct=acct,
        type=RENEWAL,
        stage=stage,
        created_days_ago=created,
        closed_at=None if closed is None else at(closed),
        close_date=None if due_in is None else created_at.date() + dt.timedelta(days=due_in),
        **kw,
    )


def test_renewal_rate_is_won_of_renewals_closed_in_the_last_year(cs):
    am = rep(Role.AM)
    for closed in (10, 100, 200, 364):  # 364 days ago is the window's first day
        renewal(am, created=400, stage=Stage.CLOSED_WON, closed=closed)
    renewal(am, created=400, stage=Stage.CLOSED_LOST, closed=50)
    renewal(am, created=400, stage=Stage.CLOSED_LOST, closed=365)  # one day outside the window
    renewal(am, created=400)  # still open
    opportunity(
        acct=account(am=am), type=Opportunity.Type.NEW, stage=Stage.CLOSED_LOST, closed_at=at(5), created_days_ago=400
    )  # new business is not a renewal
    out = readings(am)[am.pk]
    # 4 won of 5 closed → 80.0.
    assert (out["renewal_rate"].value, out["renewal_rate"].sample) == (80.0, 5)
    assert "renewal_opened_late" not in out  # nothing opened in the window


def test_renewal_opened_late_is_fewer_than_120_days_before_the_renewal(cs):
    am = rep(Role.AM)
    renewal(am, created=50, due_in=120, name="On the boundary")  # exactly 120 days: on time
    renewal(am, created=50, due_in=119, name="One day late")
    renewal(am, created=50, due_in=200)
    renewal(am, created=50, due_in=30, name="A month out")
    renewal(am, created=50, due_in=121)
    # No close date on the deal: the account's renewal date (60 days after opening) decides → late.
    renewal(am, created=50, acct=account(am=am, renewal_date=day(50 - 60)), name="From the account")
    renewal(am, created=365, due_in=10)  # opened one day before the 365-day window
    r = readings(am)[am.pk]["renewal_opened_late"]
    # 3 late of 6 opened → 50.0.
    assert (r.value, r.sample) == (50.0, 6)
    assert sorted(r.evidence["deals"]) == ["A month out", "From the account", "One day late"]


# --- health_trend ------------------------------------------------------------------------------------------------


def test_health_trend_is_the_mean_30_day_score_change_across_the_book(cs):
    am, thin = rep(Role.AM), rep(Role.AM)
    accounts = [account(am=am, name=f"Book {i}") for i in range(5)]
    for acct, then, now in zip(accounts, [60, 70, 80, 50, 90], [65, 60, 80, 55, 70]):
        health(acct, 30, then)
        health(acct, 0, now)
    health(account(am=am), 0, 10)  # new on the book: no score 30 days ago, no change
    skewed = account(am=am)
    health(skewed, 29, 90)  # scored 29 days ago, not 30: not the comparison day
    health(skewed, 0, 20)
    health(account(), -1, 50)  # a later scored day (after AS_OF) does not move "the latest scored day"
    for i in range(4):
        acct = account(am=thin)
        health(acct, 30, 50)
        health(acct, 0, 40)
    out = readings(am, thin)
    # Changes +5, −10, 0, +5, −20 → −20 / 5 = −4.0 points.
    r = out[am.pk]["health_trend"]
    assert (r.value, r.sample) == (-4.0, 5)
    assert r.evidence["accounts"][:2] == ["Book 4", "Book 1"]  # steepest falls first
    assert value(out, thin, "health_trend") is None  # 4 accounts compared < min_sample


# --- expansion_conversion ----------------------------------------------------------------------------------------


def test_expansion_conversion_excludes_suppressed_plays(cs):
    am, thin = rep(Role.AM), rep(Role.AM)
    acct = account(am=am)
    for status, opened, closed in [
        ("won", 1, 0),
        ("won", 60, 30),
        ("won", 179, 100),
        ("lost", 20, 10),
        ("lost", 30, 1),
        ("open", 5, None),
        ("suppressed", 10, None),
    ]:
        play(acct, status, opened=opened, closed=closed)
    play(acct, "won", opened=180, closed=150)  # opened one day before the 180-day window
    play(acct, "won", opened=40, closed=-2)  # won two days after AS_OF: still open on AS_OF
    thin_acct = account(am=thin)
    for status in ("won", "won", "lost", "open", "suppressed", "suppressed"):
        play(thin_acct, status, closed=1)
    out = readings(am, thin)
    # 8 opened, 1 suppressed → 7 chances, 3 won by AS_OF → 42.86 (not 3/8, 4/7 with the later win, or 4/9
    # with the day-180 play).
    r = out[am.pk]["expansion_conversion"]
    assert (r.value, r.sample) == (42.86, 7)
    assert r.evidence == {"opened": 8, "won": 3, "lost": 2, "suppressed": 1}
    assert value(out, thin, "expansion_conversion") is None  # 6 opened − 2 suppressed = 4 chances


# --- qbr_adherence and qbr_outcome -------------------------------------------------------------------------------


def test_qbr_adherence_counts_ent_and_mm_customers_with_a_qbr_in_92_days(cs):
    am = rep(Role.AM)
    due = dict(am=am, contract_start_date=day(400))
    qbr(account(segment="ent", **due), completed=91)  # first day of the 92-day window: met
    qbr(account(segment="mm", **due), completed=92)  # one day outside: not met
    twice = account(segment="mm", **due)
    qbr(twice, completed=10)
    qbr(twice, completed=40)  # two QBRs, one account: met once, counted once
    qbr(account(segment="ent", **due), status="scheduled", scheduled=-5)  # scheduled, not held
    qbr(account(segment="mm", **due), completed=0)
    # Not requiring a QBR: SMB; a customer for less than a QBR cycle; churned.
    qbr(account(segment="smb", **due), completed=5)
    qbr(account(segment="mm", am=am, contract_start_date=day(30)), completed=5)
    account(segment="ent", churned_on=day(10), **due)
    qbr(account(segment="ent", churned_on=day(-10), **due), completed=30)  # churns after AS_OF: a customer then
    r = readings(am)[am.pk]["qbr_adherence"]
    # 4 of 6 accounts requiring a QBR had one → 66.67 (6 accounts: the join does not double "twice").
    assert (r.value, r.sample) == (66.67, 6)


def test_qbr_outcome_is_the_positive_share_of_completed_qbrs_with_an_outcome(cs):
    am = rep(Role.AM)
    acct = account(am=am)
    for completed, outcome in [
        (1, "positive"),
        (50, "positive"),
        (179, "positive"),
        (20, "neutral"),
        (100, "negative"),
    ]:
        qbr(acct, completed=completed, outcome=outcome)
    qbr(acct, completed=5)  # no outcome logged
    qbr(acct, completed=180, outcome="positive")  # one day outside the 180-day window
    qbr(acct, status="scheduled", scheduled=3, outcome="positive")  # not completed
    r = readings(am)[am.pk]["qbr_outcome"]
    # 3 positive of 5 with an outcome → 60.0.
    assert (r.value, r.sample) == (60.0, 5)


# --- discount_depth and term_exception_rate (expansion quotes only) ----------------------------------------------


def test_am_quote_metrics_read_expansion_deals_only(cs):
    am = rep(Role.AM)
    expansion = opportunity(am=am, type=Opportunity.Type.EXPANSION)
    for days_ago, discount, exception in [
        (1, 10, True),
        (20, 10, False),
        (40, 20, False),
        (60, 0, False),
        (89, 10, False),
    ]:
        Quote.objects.create(
            opportunity=expansion, created_at=at(days_ago), discount_pct=money(discount), term_exception=exception
        )
    Quote.objects.create(opportunity=expansion, created_at=at(90), discount_pct=money(60))  # outside 90 days
    new = opportunity(am=am, type=Opportunity.Type.NEW)
    Quote.objects.create(opportunity=new, created_at=at(3), discount_pct=money(50), term_exception=True)
    out = readings(am)[am.pk]
    # Expansion quotes in 90 days: (10 + 10 + 20 + 0 + 10) / 5 = 10.0 pts; 1 of 5 with an exception → 20.0.
    assert (out["discount_depth"].value, out["term_exception_rate"].value) == (10.0, 20.0)


def test_thin_am_samples_are_gaps_not_zeros(cs):
    am = rep(Role.AM)
    for _ in range(4):
        renewal(am, created=30, due_in=10, stage=Stage.CLOSED_LOST, closed=5)  # 4 closed, 4 opened (all late)
        acct = account(am=am, segment="ent", contract_start_date=day(400))
        qbr(acct, completed=100, outcome="negative")  # 4 accounts requiring a QBR, none in 92 days; 4 outcomes
    out = readings(am)[am.pk]
    assert not {"renewal_rate", "renewal_opened_late", "qbr_adherence", "qbr_outcome"} & set(out)
    assert out["daily_flags"].value == 0  # the rep is still read
