"""SDR config on hand-built data: every metric's value worked out by hand (AS_OF = 2026-03-16).
Windows: rates over 30 days, funnel and sequences over 90 days, volume over the last 4 weeks."""

import datetime as dt

from gtmos.comp.models import CompPlan
from gtmos.crm.models import Role

from .conftest import opportunity, readings, rep, touches, value

BOOKED = dict(responded=True, meeting_booked=True)


def test_funnel_rates_over_30_and_90_days(cs):
    sdr = rep(Role.SDR)
    # Last 30 days (5 days ago): 20 touches.
    touches(sdr, 1, days_ago=5, meeting_accepted=True, opportunity=opportunity(), **BOOKED)
    touches(sdr, 1, days_ago=5, meeting_accepted=True, opportunity=opportunity(), **BOOKED)
    touches(sdr, 1, days_ago=5, meeting_accepted=True, **BOOKED)
    touches(sdr, 2, days_ago=5, **BOOKED)  # booked, not accepted by the AE
    touches(sdr, 3, days_ago=5, responded=True)
    touches(sdr, 5, days_ago=29, risk_flags=["no_personalization"])  # 29 days ago: first day of the window
    touches(sdr, 7, days_ago=5)
    # 30 days ago: outside the 30-day rates, inside the 90-day funnel.
    touches(sdr, 9, days_ago=30, **BOOKED)
    touches(sdr, 1, days_ago=30, opportunity=opportunity(), **BOOKED)
    # 90 days ago: outside everything.
    touches(sdr, 5, days_ago=90, opportunity=opportunity(), **BOOKED)

    out = readings(sdr)[sdr.pk]

    assert (out["meeting_acceptance"].value, out["meeting_acceptance"].sample) == (25.0, 20)  # 5 booked / 20 sent
    assert out["cadence_flags"].value == 25.0  # 5 flagged / 20 sent
    assert (out["response_to_meeting"].value, out["response_to_meeting"].sample) == (62.5, 8)  # 5 booked / 8 responded
    assert (out["meeting_accepted_rate"].value, out["meeting_accepted_rate"].sample) == (60.0, 5)  # 3 accepted / 5
    # 90 days: 15 meetings booked, 3 became AE-qualified opportunities → 20.0.
    assert (out["opp_conversion"].value, out["opp_conversion"].sample) == (20.0, 15)


def test_funnel_rates_below_min_sample_are_absent(cs):
    sdr = rep(Role.SDR)
    touches(sdr, 4, days_ago=3, meeting_accepted=True, **BOOKED)  # 4 of everything
    out = readings(sdr)[sdr.pk]
    assert not {
        "meeting_acceptance",
        "cadence_flags",
        "response_to_meeting",
        "meeting_accepted_rate",
        "opp_conversion",
    } & set(out)


def test_sequence_and_step_response_by_cadence_type(cs):
    sdr = rep(Role.SDR)
    # Step rates need min_sample × 4 = 20 touches. Two cold sequences share step 1: 24 touches together.
    touches(sdr, 3, cadence_name="Cold A", step=1, responded=True)
    touches(sdr, 9, cadence_name="Cold A", step=1)
    touches(sdr, 3, cadence_name="Cold B", step=1, responded=True, days_ago=40)
    touches(sdr, 9, cadence_name="Cold B", step=1, days_ago=40)
    touches(sdr, 2, cadence_name="Cold A", step=2, responded=True)
    touches(sdr, 18, cadence_name="Cold A", step=2)
    touches(sdr, 5, cadence_name="Cold A", step=3, responded=True)
    touches(sdr, 14, cadence_name="Cold A", step=3)  # 19 touches: too thin for a step rate
    touches(sdr, 10, cadence_type="warm", cadence_name="Warm", step=1, responded=True, days_ago=89)  # first day of 90
    touches(sdr, 10, cadence_type="warm", cadence_name="Warm", step=1)
    touches(sdr, 5, cadence_type="warm", cadence_name="Warm", step=1, responded=True, days_ago=90)  # outside
    touches(sdr, 19, cadence_type="abm", cadence_name="ABM", step=1, responded=True)

    out = readings(sdr)[sdr.pk]

    assert out["step_response:cold:1"].value == 25.0  # 6 responded / 24 (both cold sequences' step 1)
    assert out["step_response:cold:1"].sample == 24
    assert out["step_response:cold:2"].value == 10.0  # 2 / 20
    assert out["step_response:cold:2"].evidence["cadence"] == "Cold A"  # the sequence the coaching names
    assert "step_response:cold:3" not in out  # 19 < 20
    assert out["step_response:warm:1"].value == 50.0  # 10 / 20 (the day-90 touches are out)
    assert out["step_response:warm:1"].evidence["cadence_type"] == "Warm"
    assert out["sequence_response:cold"].value == 20.63  # (6 + 2 + 5) / (24 + 20 + 19) = 13 / 63
    assert out["sequence_response:warm"].value == 50.0
    assert "sequence_response:abm" not in out and "step_response:abm:1" not in out  # 19 touches


def plan(period_start, *, employee=None, role="", segment="", touches_per_week=None, period="FY2026"):
    return CompPlan.objects.create(
        employee=employee,
        role=role,
        segment=segment,
        period=period,
        period_start=period_start,
        period_end=period_start.replace(month=12, day=31),
        touches_per_week=touches_per_week,
    )


def test_outreach_volume_against_the_plan_that_applies(cs):
    own, mm, smb, silent = (
        rep(Role.SDR, segment="mm"),
        rep(Role.SDR, segment="mm"),
        rep(Role.SDR, segment="smb"),
        rep(Role.SDR, segment="mm"),
    )
    fy26, fy25 = dt.date(2026, 1, 1), dt.date(2025, 1, 1)
    plan(fy26, employee=own, touches_per_week=50)  # own plan beats…
    plan(fy26, role=Role.SDR, segment="mm", touches_per_week=40)  # …role + segment, which beats…
    plan(fy26, role=Role.SDR, touches_per_week=25)  # …the role plan
    plan(fy25, employee=smb, touches_per_week=80, period="FY2025")  # ended: does not apply
    for sdr in (own, mm, smb):
        touches(sdr, 100, days_ago=0)
        touches(sdr, 60, days_ago=27)  # first day of the 4-week window
        touches(sdr, 20, days_ago=28)  # one day outside it
    out = readings(own, mm, smb, silent)
    # 160 touches in 4 weeks = 40 a week.
    assert out[own.pk]["outreach_volume"].value == 80.0  # vs own 50
    assert out[own.pk]["outreach_volume"].evidence == {"per_week": 40.0, "expected": 50, "plan": "FY2026"}
    assert out[mm.pk]["outreach_volume"].value == 100.0  # vs SDR · MM 40
    assert out[smb.pk]["outreach_volume"].value == 160.0  # vs SDR 25 (the FY2025 plan has ended)
    assert out[mm.pk]["outreach_volume"].target == 100.0
    # No touches at all is a measured 0% of plan (not a data gap).
    assert (value(out, silent, "outreach_volume"), out[silent.pk]["outreach_volume"].sample) == (0.0, 0)


def test_no_plan_no_volume_reading(cs):
    sdr = rep(Role.SDR, segment="ent")
    plan(dt.date(2026, 1, 1), role=Role.SDR, segment="mm", touches_per_week=40)  # another segment's plan
    touches(sdr, 30)
    assert value(readings(sdr), sdr, "outreach_volume") is None
