"""Issue 18's metric corrections to the letter of seed 001, each on hand-built data with the answer worked out
by hand (AS_OF = 2026-03-16): per-stage velocity vs the segment median per stage, acceptance by cadence type,
the CSM sentiment trend, the CSM's expansion motion, term exceptions vs the segment, discovery question
quality from depth and coverage, SDR objection handling from discovery calls vs the team median."""

import datetime as dt
import io
import json

from coaching.metrics import measure, reps_of
from coaching.metrics.registry import label
from coaching.models import RepSkillAssessmentLog as Skill
from coaching.services.skills import assess_skills
from gtmos.crm.models import ConvIntelligenceCall, Employee, Quote, Role, Stage
from gtmos.health.models import ExpansionLog
from gtmos.ingest.csv_import import import_csv
from gtmos.ingest.models import IntegrationToken

from .conftest import AS_OF, account, at, calls, day, deal_path, manager, money, opportunity, readings, rep, touches

P, D, DEMO = Stage.PROSPECTING, Stage.DISCOVERY, Stage.DEMO


def measured(*employees, settings):
    return measure(reps_of(Employee.objects.filter(pk__in=[e.pk for e in employees])), AS_OF, settings)


def test_deal_velocity_is_days_in_each_stage_against_the_segment_median_for_that_stage(cs):
    """Seed 001: "Deal velocity vs segment benchmark — Days per stage vs segment median"."""
    slow, fast, peer, ent = rep(Role.AE), rep(Role.AE), rep(Role.AE), rep(Role.AE, segment="ent")
    for owner, days in ((slow, [10, 30]), (fast, [10, 10]), (peer, [10, 14]), (ent, [40, 40])):
        for _ in range(5):
            deal_path(owner, [P, D, DEMO], start_days_ago=100, days=days, name=f"{owner.name} deal")
    out = measured(slow, fast, peer, ent, settings=cs)[slow.pk]
    # Discovery: 30 (slow), 10, 14 in Mid-Market → segment median 14 (Enterprise's 40 is another segment);
    # 30 is past 14 + 25% = 17.5.
    r = out["deal_velocity:discovery"]
    assert (r.value, r.sample, r.benchmark, r.breach) == (30.0, 5, 14.0, True)
    # Prospecting: 10 days everywhere in the segment → on benchmark.
    p = out["deal_velocity:prospecting"]
    assert (p.value, p.benchmark, p.breach) == (10.0, 10.0, False)
    assert "deal_velocity" not in out and "deal_velocity:demo" not in out  # no all-stage mean; demo not left yet
    assert label(Role.AE, "deal_velocity:discovery") == "Days in stage 2 (Discovery) vs segment median"


def test_sequence_acceptance_by_cadence_type(cs):
    """Seed 001: "Response and acceptance rates by cadence type (cold, warm, ABM, re-engage)"."""
    sdr = rep(Role.SDR)
    touches(sdr, 16, cadence_type="cold")
    touches(sdr, 4, cadence_type="cold", meeting_booked=True, responded=True)
    touches(sdr, 10, cadence_type="warm", responded=True)
    touches(sdr, 5, cadence_type="warm")
    touches(sdr, 5, cadence_type="warm", meeting_booked=True, responded=True)
    touches(sdr, 19, cadence_type="abm", meeting_booked=True, responded=True)  # 19 < 4 × min_sample: too thin
    out = readings(sdr)[sdr.pk]
    assert out["sequence_acceptance:cold"].value == 20.0  # 4 meetings of 20 touches
    assert out["sequence_acceptance:warm"].value == 25.0  # 5 of 20
    assert out["sequence_response:warm"].value == 75.0  # response stays its own reading: 15 of 20
    assert "sequence_acceptance:abm" not in out
    assert label(Role.SDR, "sequence_acceptance:warm") == "Sequence acceptance (meetings / touches): Warm cadences"


def test_csm_call_sentiment_is_a_trend_over_the_trailing_windows(cs):
    """Seed 001: "CSM-owned calls; sentiment trend" — the slope across three trailing 30-day windows."""
    rising, two_windows, thin = rep(Role.CSM), rep(Role.CSM), rep(Role.CSM)
    calls(rising, 5, days_ago=70, sentiment=-0.1)  # days 60–89
    calls(rising, 5, days_ago=59, sentiment=0.1)  # days 30–59 (its first day)
    calls(rising, 5, days_ago=0, sentiment=0.3)  # days 0–29
    calls(rising, 5, days_ago=90, sentiment=-1)  # outside the 90 days
    calls(two_windows, 5, days_ago=80, sentiment=0.6)
    calls(two_windows, 5, days_ago=20, sentiment=0.2)
    calls(thin, 5, days_ago=80, sentiment=0.6)
    calls(thin, 4, days_ago=20, sentiment=0.2)  # 4 < min_sample: one usable window is no trend
    out = readings(rising, two_windows, thin)
    r = out[rising.pk]["sentiment_trend"]
    # Window means −0.1, 0.1, 0.3: least-squares slope +0.2 per 30 days.
    assert (r.value, r.sample, r.evidence["windows"]) == (0.2, 15, [-0.1, 0.1, 0.3])
    # Windows 0 and 2 only: (0.2 − 0.6) / 2 = −0.2 per 30 days.
    assert out[two_windows.pk]["sentiment_trend"].value == -0.2
    assert "sentiment_trend" not in out.get(thin.pk, {})
    assert "call_sentiment" not in out[rising.pk]  # the level is no longer the CSM's sentiment reading


def expansion_play(acct, status, *, opened_days_ago=30, closed_days_ago=None):
    ExpansionLog.objects.create(
        external_id=f"x-{ExpansionLog.objects.count()}-{acct.pk}",
        account=acct,
        play="seats",
        status=status,
        opened_on=day(opened_days_ago),
        closed_on=None if closed_days_ago is None else day(closed_days_ago),
    )


def test_csm_sales_methodology_is_the_expansion_motion_on_their_book(cs):
    """Seed 001: "Sales methodology gaps — Expansion motion execution quality" (plays opened → won/suppressed)."""
    csm, *peers = (rep(Role.CSM) for _ in range(4))
    acct = account(csm=csm)
    for status, n in (("won", 4), ("lost", 2), ("suppressed", 3), ("open", 1)):
        for _ in range(n):
            expansion_play(acct, status, closed_days_ago=None if status == "open" else 5)
    expansion_play(acct, "won", opened_days_ago=180, closed_days_ago=100)  # opened outside the 180 days
    for peer, won in zip(peers, (5, 6, 7)):
        other = account(csm=peer)
        for k in range(8):
            expansion_play(other, "won" if k < won else "lost", closed_days_ago=5)
    results = measured(csm, *peers, settings=cs)
    r = results[csm.pk]["expansion_motion"]
    # 10 opened, 3 suppressed → 7 chances, 4 won → 57.14%.
    assert (r.value, r.sample, r.evidence["suppressed"]) == (57.14, 7, 3)
    reps = reps_of(Employee.objects.filter(role=Role.CSM))
    assess_skills(week=AS_OF, reps=reps, results=results)
    row = Skill.objects.get(rep=csm, skill_dimension="sales_methodology")
    # Below 62.5, 75 and 87.5: the bottom of the cohort → a high-severity gap from ExpansionLog.
    assert (row.value, row.evidence_source, row.cohort_percentile, row.severity) == (57.14, "ExpansionLog", 0, "high")


def test_term_exceptions_are_benchmarked_against_the_segment(cs):
    """Seed 001: "Pricing/term negotiation gaps vs segment benchmark — Discount depth, term exceptions"."""
    mgr = manager()
    mm_a, mm_b = rep(Role.AE, manager=mgr), rep(Role.AE, manager=mgr)
    ent_a, ent_b = rep(Role.AE, segment="ent", manager=mgr), rep(Role.AE, segment="ent", manager=mgr)
    for owner, exceptions in ((mm_a, 3), (mm_b, 1), (ent_a, 5), (ent_b, 5)):
        opp = opportunity(owner=owner)
        for k in range(5):
            Quote.objects.create(
                opportunity=opp, created_at=at(3), discount_pct=money(5), term_exception=k < exceptions
            )
    r = measured(mm_a, mm_b, ent_a, ent_b, settings=cs)[mm_a.pk]["term_exception_rate"]
    # Mid-Market median (60 + 20) / 2 = 40; 60 is past 40 + 15. (The team's median, 80, would hide it.)
    assert (r.value, r.benchmark, r.metric.benchmark, r.breach) == (60.0, 40.0, "segment", True)


def test_discovery_question_quality_is_question_depth_and_qualification_coverage(cs):
    """Seed 001: "Question depth and qualification coverage detected from transcripts"."""
    sdr = rep(Role.SDR)
    calls(sdr, 3, call_type="discovery", question_depth=0.8, qualification_coverage=0.6)  # 70 each
    calls(sdr, 2, call_type="discovery", question_depth=0.4, qualification_coverage=0.2)  # 30 each
    calls(sdr, 2, call_type="demo", question_depth=1, qualification_coverage=1)  # not a discovery call
    calls(sdr, 1, call_type="discovery", question_count=12)  # not analysed: no depth or coverage
    r = readings(sdr)[sdr.pk]["discovery_questions"]
    # (3 × 70 + 2 × 30) / 5 = 54.0 on a 0–100 scale (the count of questions no longer decides it).
    assert (r.value, r.sample) == (54.0, 5)


def test_question_depth_and_coverage_arrive_through_the_api_and_csv(client, db):
    EmployeeFactory = __import__("tests.factories", fromlist=["EmployeeFactory"]).EmployeeFactory
    EmployeeFactory(role="sdr", email="sdr@example.test")
    _, token = IntegrationToken.issue("crm-sync")
    call = {
        "external_id": "call-1",
        "owner_email": "sdr@example.test",
        "occurred_at": "2026-02-03T15:00:00Z",
        "call_type": "discovery",
        "question_depth": 0.75,
        "qualification_coverage": 0.5,
    }

    def post(payload, key):
        return client.post(
            "/api/v1/calls",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    assert post(call, "k1").status_code == 201
    stored = ConvIntelligenceCall.objects.get()
    assert (stored.question_depth, stored.qualification_coverage) == (0.75, 0.5)
    bad = post({**call, "external_id": "call-2", "qualification_coverage": 1.5}, "k2")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "qualification_coverage"
    report = import_csv(
        "calls",
        io.StringIO(
            "external_id,owner_email,occurred_at,call_type,question_depth,qualification_coverage\n"
            "call-3,sdr@example.test,2026-02-04T10:00:00Z,discovery,0.25,1\n"
        ),
    )
    assert report.ok, report.errors
    assert ConvIntelligenceCall.objects.get(external_id="call-3").qualification_coverage == 1.0


def test_sdr_objection_handling_is_discovery_calls_against_the_team_median(cs):
    """Seed 001: "Objection handling — Discovery call objection patterns vs team benchmark"."""
    mgr = manager()
    low, mid, high = (rep(Role.SDR, manager=mgr) for _ in range(3))
    for sdr, quality in ((low, 40), (mid, 60), (high, 80)):
        calls(sdr, 5, call_type="discovery", quality_score=quality, objections=["budget"])
        calls(sdr, 5, call_type="other", quality_score=100, objections=["budget"])  # not discovery: not read
    results = measured(low, mid, high, settings=cs)
    r = results[low.pk]["objection_handling"]
    # Team median 60; 40 is past 60 − 10.
    assert (r.value, r.benchmark, r.metric.benchmark, r.breach) == (40.0, 60.0, "team", True)
    assert results[mid.pk]["objection_handling"].breach is False
    assess_skills(week=AS_OF, reps=reps_of(Employee.objects.filter(manager=mgr)), results=results)
    row = Skill.objects.get(rep=low, skill_dimension="objection_handling")
    assert (row.value, row.evidence_source) == (40.0, "ConvIntelligence")  # not the cadence reading


def test_role_comes_from_rep_activity_in_the_measured_period(cs):
    """Seed 001: "Role is determined by RepActivity.role at runtime" — a rep who moved from SDR to AE is
    measured as an SDR in the period they were one, on the calls they made as one; Employee.role otherwise."""
    from coaching.metrics import read
    from gtmos.crm.models import RepActivity
    from tests.factories import EmployeeFactory

    mover, steady = rep(Role.AE), rep(Role.CSM)  # Employee.role says AE now
    promoted = EmployeeFactory(role=Role.MANAGER)  # an SDR until six weeks ago
    for who, role, days_ago in ((mover, Role.SDR, 40), (mover, Role.AE, 5), (promoted, Role.SDR, 40)):
        RepActivity.objects.create(rep=who, role=role, activity_date=day(days_ago), activity_type="meeting")
    calls(mover, 5, owner_role=Role.SDR, call_type="discovery", quality_score=40, talk_ratio=0.3, days_ago=38)
    calls(mover, 5, owner_role=Role.AE, call_type="demo", quality_score=80, days_ago=3)
    people = Employee.objects.filter(pk__in=[mover.pk, steady.pk, promoted.pk])

    then = reps_of(people, as_of=day(35))
    assert {i: r.role for i, r in then.items()} == {mover.pk: Role.SDR, steady.pk: Role.CSM, promoted.pk: Role.SDR}
    as_sdr = read(then, day(35), cs)[mover.pk]
    assert (as_sdr["call_quality"].value, as_sdr["talk_ratio"].value) == (40.0, 0.3)  # the SDR's discovery calls

    now = reps_of(people, as_of=AS_OF)
    assert {i: r.role for i, r in now.items()} == {mover.pk: Role.AE, steady.pk: Role.CSM}  # promoted: not a rep now
    as_ae = read(now, AS_OF, cs)[mover.pk]
    assert as_ae["call_quality"].value == 80.0 and "talk_ratio" not in as_ae


def test_nrr_reads_a_churn_risk_case_closed_as_lost_as_a_churn(cs):
    """Seed 001: "NRR by account cohort — ChurnRiskLog, ExpansionLog": a case closed lost is revenue gone, even
    before the account record carries a churn date."""
    from gtmos.health.models import ChurnRiskLog

    am = rep(Role.AM)
    books = [
        account(am=am, segment="mm", vertical="v", arr=money(100_000), contract_start_date=day(500)) for _ in range(5)
    ]
    for acct, stage, closed_days_ago in ((books[0], "lost", 50), (books[1], "recovered", 50), (books[2], "lost", -3)):
        ChurnRiskLog.objects.create(
            account=acct,
            opened_on=day(120),
            stage=stage,
            score_at_open=30,
            tier_at_open="high",
            tenure_segment="established",
            closed_at=at(closed_days_ago),
        )
    r = readings(am)[am.pk]["nrr"]
    # 400k kept of 500k: the lost case 50 days ago churned; the recovered one and the one lost after AS_OF did not.
    assert (r.value, r.evidence["churned"]) == (80.0, 1)
