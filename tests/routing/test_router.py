"""The router, gate by gate: each test reads the decision and its gateTrace (the auditable why)."""

from decimal import Decimal

import pytest

from routing.enums import CloseMotion, Identity, OrgType, Persona, SizeBand, Surface, Track
from routing.enums import ProfileField as F
from routing.questions import ROLE_QUESTION
from routing.router import route
from routing.types import GATES, FieldValue, Profile, RouterConfig

HIGH, LOW = 0.95, 0.5


def squires(**overrides):
    """The seed's cold Squires walkthrough: a small GC, owner who bids, everything known."""
    fields = dict(
        identity=(Identity.WORK, HIGH),
        company=("Squires Construction", HIGH),
        org_type=(OrgType.CONTRACTOR, HIGH),
        revenue=(6_000_000, HIGH),
        role=("Owner", HIGH),
        persona=(Persona.OWNER_EXEC, HIGH),
        service_area=(["Austin, TX"], HIGH),
        sectors=(["commercial"], HIGH),
    )
    fields.update(overrides)
    return Profile.of("cold", **{k: v for k, v in fields.items() if v is not None})


def trace(decision, gate):
    return next(g for g in decision.gate_trace if g.gate == gate)


def test_squires_cold_routes_self_serve_owner_to_jobs_with_in_flow_card():
    d = route(squires())
    assert (d.track, d.persona, d.primary_surface, d.close_motion) == (
        Track.SELF_SERVE,
        Persona.OWNER_EXEC,
        Surface.JOBS,
        CloseMotion.IN_FLOW_CARD,
    )
    assert d.asks == ()
    assert [g.gate for g in d.gate_trace] == list(GATES)


def test_g0_warm_with_known_role_skips_confirm_cold_does_not():
    warm = route(Profile(warmth="warm", fields=squires().fields))
    assert warm.skip_confirm and trace(warm, "G0").outcome == "warm"
    cold = route(squires())
    assert not cold.skip_confirm and "cold" in trace(cold, "G0").why


def test_g0_warm_with_unknown_role_still_confirms():
    d = route(Profile(warmth="warm", fields=squires(persona=("estimator", LOW), role=None).fields))
    assert not d.skip_confirm and d.asks == (F.ROLE,)


def test_g1_free_mail_infers_nothing_about_the_company_and_asks_it():
    d = route(squires(identity=(Identity.FREE_MAIL, HIGH), company=None))
    g1 = trace(d, "G1")
    assert g1.outcome == Identity.FREE_MAIL and "personal email" in g1.why
    assert F.COMPANY in d.asks and F.COMPANY not in d.asserted


def test_g1_company_below_theta_is_asked_not_asserted():
    d = route(squires(company=("Squires Construction", 0.84)))
    assert trace(d, "G1").outcome == "ask_company" and "0.84 < θ" in trace(d, "G1").why
    assert d.asks == (F.COMPANY,)


def test_g2_consumer_is_disqualified_to_the_homeowner_product():
    d = route(squires(org_type=(OrgType.CONSUMER, 0.9)))
    assert d.disqualified and d.disqualify_reason == "route_to_homeowner_product"
    assert d.track is None and d.close_motion is None and d.asks == ()
    assert trace(d, "G2").outcome == "consumer"
    assert all(trace(d, g).outcome == "skipped" for g in ("G3", "G4", "G5", "G6", "G7"))


def test_g2_consumer_below_theta_is_asked_not_disqualified():
    d = route(squires(org_type=(OrgType.CONSUMER, 0.7)))
    assert not d.disqualified and F.ORG_TYPE in d.asks and trace(d, "G2").outcome == "ask_org_type"


@pytest.mark.parametrize(
    ("org_type", "revenue", "band", "track"),
    [
        (OrgType.CONTRACTOR, 1_000_000, SizeBand.MICRO, Track.SELF_SERVE),
        (OrgType.CONTRACTOR, 9_999_999, SizeBand.SMALL, Track.SELF_SERVE),
        (OrgType.CONTRACTOR, 10_000_000, SizeBand.MID, Track.WG_MID),
        (OrgType.CONTRACTOR, 200_000_000, SizeBand.MID, Track.WG_MID),  # GC: mid up to 500M
        (OrgType.CONTRACTOR, 500_000_000, SizeBand.LARGE, Track.WG_ENTERPRISE),
        (OrgType.SUB_CONTRACTOR, 200_000_000, SizeBand.LARGE, Track.WG_ENTERPRISE),  # sub: large from 100M
        (OrgType.SUB_CONTRACTOR, 50_000_000, SizeBand.MID, Track.WG_MID),
        (OrgType.SUB_CONTRACTOR, 3_000_000_000, SizeBand.ENTERPRISE, Track.WG_ENTERPRISE),
    ],
)
def test_g3_size_bands_differ_gc_vs_sub(org_type, revenue, band, track):
    d = route(
        squires(
            org_type=(org_type, HIGH),
            revenue=(revenue, HIGH),
            trade=("drywall", HIGH),
            persona=(Persona.ESTIMATOR, HIGH),
        )
    )
    assert (d.size_band, d.track) == (band, track)
    assert ("sub bands" if org_type == OrgType.SUB_CONTRACTOR else "GC bands") in trace(d, "G3").why


def test_g3_acv_wins_ties():
    d = route(squires(revenue=(6_000_000, HIGH), acv=(40_000, HIGH)))  # revenue says small, ACV says mid
    assert d.track == Track.WG_MID and d.size_band == SizeBand.MID
    assert "ACV wins ties" in trace(d, "G3").why
    assert d.close_motion == CloseMotion.AE_MEDDPICC


def test_g3_acv_agreeing_with_revenue_keeps_the_revenue_band():
    d = route(squires(revenue=(1_000_000, HIGH), acv=(5_000, HIGH)))
    assert (d.size_band, d.track) == (SizeBand.MICRO, Track.SELF_SERVE) and "agrees" in trace(d, "G3").why


def test_g3_low_confidence_revenue_is_ignored_and_size_asked():
    d = route(squires(revenue=(900_000_000, 0.8)))
    assert d.track == Track.SELF_SERVE and d.size_band is None
    assert F.SIZE_BAND in d.asks and F.REVENUE not in d.asserted
    assert trace(d, "G3").why.startswith("size unknown")


@pytest.mark.parametrize(
    ("persona", "revenue", "surface"),
    [
        (Persona.ESTIMATOR, 6_000_000, Surface.JOBS),
        (Persona.OWNER_EXEC, 6_000_000, Surface.JOBS),  # self-serve owner bids (Squires)
        (Persona.OWNER_EXEC, 50_000_000, Surface.ANALYTICS),
        (Persona.PM, 6_000_000, Surface.NETWORK),
        (Persona.FIELD, 6_000_000, Surface.FIELD_OPS),  # field leaves chat entirely
    ],
)
def test_g4_persona_to_surface(persona, revenue, surface):
    d = route(squires(persona=(persona, HIGH), revenue=(revenue, HIGH)))
    assert d.primary_surface == surface and trace(d, "G4").outcome == f"{persona}->{surface}"


def test_g4_unknown_persona_gets_the_one_role_question_and_chat():
    d = route(squires(persona=(Persona.PM, 0.6), role=None))
    assert d.persona is None and d.primary_surface == Surface.CHAT and d.asks == (F.ROLE,)
    assert d.next_question == ROLE_QUESTION and trace(d, "G4").outcome == "ask_role"


def test_g4_known_title_with_unknown_persona_asks_persona_not_the_title_again():
    d = route(squires(role=("Director of Preconstruction", HIGH), persona=(Persona.ESTIMATOR, 0.7)))
    assert d.asks == (F.PERSONA,) and F.ROLE in d.asserted


def test_g5_sub_gets_its_trade_lander_and_recipe():
    d = route(
        squires(org_type=(OrgType.SUB_CONTRACTOR, HIGH), trade=("drywall", HIGH), persona=(Persona.ESTIMATOR, HIGH))
    )
    assert (d.trade, d.lander, d.takeoff_family) == ("drywall", "/drywall", "area")
    assert "Drywall OS" in trace(d, "G5").why
    assert "board area by wall type" in d.next_question


def test_g5_sub_with_unknown_or_unlisted_trade_is_asked_the_trade():
    low = route(squires(org_type=(OrgType.SUB_CONTRACTOR, HIGH), trade=("drywall", 0.5)))
    unlisted = route(squires(org_type=(OrgType.SUB_CONTRACTOR, HIGH), trade=("underwater_welding", HIGH)))
    for d in (low, unlisted):
        assert F.TRADE in d.asks and d.trade is None and trace(d, "G5").outcome == "ask_trade"
    assert F.TRADE not in unlisted.asserted


def test_g5_gc_has_no_trade_recipe():
    d = route(squires(trade=("drywall", HIGH)))
    assert d.trade is None and d.lander == "/" and trace(d, "G5").outcome == "general"


def test_g6_question_is_role_conditioned():
    pm = route(squires(persona=(Persona.PM, HIGH)))
    field = route(squires(persona=(Persona.FIELD, HIGH)))
    assert "buying out" in pm.next_question and "jobsite" in field.next_question
    assert trace(pm, "G6").outcome == "pm/small"


def test_g7_close_motion_follows_track():
    assert route(squires()).close_motion == CloseMotion.IN_FLOW_CARD
    big = route(squires(revenue=(800_000_000, HIGH)))
    assert big.close_motion == CloseMotion.AE_MEDDPICC and trace(big, "G7").outcome == CloseMotion.AE_MEDDPICC


def test_confirm_chips_below_theta_are_asked():
    d = route(squires(service_area=(["Austin"], 0.4), sectors=None))
    assert d.asks == (F.SERVICE_AREA, F.SECTORS)


def test_a_gate_with_its_flag_off_asks_like_todays_form():
    config = RouterConfig(gates_on=frozenset(GATES) - {"G2", "G4"})
    d = route(squires(), config)
    assert F.ORG_TYPE in d.asks and F.ROLE in d.asks
    assert F.ORG_TYPE not in d.asserted and d.primary_surface == Surface.CHAT
    assert "flag off" in trace(d, "G2").why


def test_all_gates_off_never_disqualifies_and_closes_with_the_card():
    config = RouterConfig(gates_on=frozenset())
    d = route(squires(org_type=(OrgType.CONSUMER, HIGH), revenue=(900_000_000, HIGH)), config)
    assert not d.disqualified and d.close_motion == CloseMotion.IN_FLOW_CARD and not d.skip_confirm


def test_theta_is_inclusive_and_configurable():
    at = route(squires(company=("Squires", 0.85)))
    assert F.COMPANY in at.asserted
    strict = route(squires(company=("Squires", 0.9)), RouterConfig(theta=0.95))
    assert F.COMPANY in strict.asks


def test_decision_is_json_ready():
    import json

    d = route(squires(revenue=(Decimal("6000000"), HIGH)))
    data = json.loads(json.dumps(d.as_dict()))
    assert data["gate_trace"][3]["gate"] == "G3" and data["asserted"]["revenue"] == "6000000"


def test_unreadable_confidence_counts_as_zero():
    p = Profile(
        warmth="cold",
        fields={F.COMPANY: FieldValue("Squires", "high"), F.ORG_TYPE: FieldValue("contractor", float("nan"))},
    )
    d = route(p)
    assert F.COMPANY in d.asks and F.ORG_TYPE in d.asks


# --- issue 17: the prospect flow as seed 002 promises it -----------------------------------------------------


def test_g0_warm_with_known_role_but_a_low_size_band_is_asked_it_not_skipped():
    """Seed: warm skips the ask only when "warm & role known", and everywhere "assert only at conf ≥ θ, else ask
    that one field": a warm estimator at a $900M firm known at 0.6 is asked the size, not sent to self-serve."""
    d = route(
        Profile(
            warmth="warm",
            fields=squires(
                revenue=(900_000_000, 0.6), role=("Estimator", HIGH), persona=(Persona.ESTIMATOR, HIGH)
            ).fields,
        )
    )
    assert d.asks == (F.SIZE_BAND,)
    assert not d.skip_confirm


def test_g3_acv_derived_from_headcount_does_not_outvote_a_large_revenue_band():
    """A $150M electrical sub with 600 staff: 600 × 8% × $1,800 = $86,400 is a restatement of size, not a quote."""
    fields = squires(
        org_type=(OrgType.SUB_CONTRACTOR, HIGH), trade=("electrical", HIGH), revenue=(150_000_000, HIGH)
    ).fields
    derived = dict(fields, acv=FieldValue("86400", 0.86, "size_estimator", derived=True))
    d = route(Profile(warmth="cold", fields=derived))
    assert d.track == Track.WG_ENTERPRISE and d.size_band == SizeBand.LARGE
    assert "not evidence of its own" in trace(d, "G3").why
    # An ACV known on its own at ≥ θ (a quote) still decides against the revenue band.
    quoted = dict(fields, acv=FieldValue("86400", 0.95, "crm"))
    assert route(Profile(warmth="cold", fields=quoted)).track == Track.WG_MID


def test_g3_acv_below_theta_is_not_used():
    d = route(squires(acv=("400000", 0.84)))
    assert d.track == Track.SELF_SERVE and F.ACV not in d.asserted


def test_a_correction_by_the_prospect_is_named_in_the_gate_trace():
    fields = squires(org_type=(OrgType.SUB_CONTRACTOR, 1.0)).fields
    d = route(Profile(warmth="cold", fields=fields, corrected=frozenset({F.ORG_TYPE})))
    assert "org type corrected by the prospect" in trace(d, "G2").why
    assert "corrected" not in trace(d, "G4").why
