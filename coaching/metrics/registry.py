"""The four role configs: which metrics each role is measured on, against what, and where each lands in
the output skeleton (performance summary → pattern diagnosis → skill gaps). Families with a parameter
(stage pair, cadence type, step) share one entry keyed by the part before the first ':'."""

from __future__ import annotations

import functools

from gtmos.crm.models import CadenceType, Role

from .ae import pair_label, velocity_label
from .base import COHORT_Q1, DIAGNOSIS, SEGMENT, SKILL, SUMMARY, TARGET, TEAM, Metric

CI = "ConvIntelligence"


def _m(role, code, label, source, unit, higher, bench, gap, section=DIAGNOSIS, relative=False):
    return Metric(code, role, label, source, unit, higher, bench, gap, section, relative)


def _calls(role: str, *, talk: bool = False, product: bool = True, skill_only: tuple[str, ...] = ()) -> list[Metric]:
    metrics = [
        _m(
            role,
            "call_quality",
            "Conversation quality (objection handling + next steps)",
            f"{CI}, trailing 30 days",
            "score",
            True,
            COHORT_Q1,
            0,
        ),
        # SDR: "Discovery call objection patterns vs team benchmark"; the other roles vs their cohort.
        _m(
            role,
            "objection_handling",
            "Objection handling (discovery calls with objections)",
            f"{CI}, vs team median",
            "score",
            True,
            TEAM,
            10,
            SKILL,
        )
        if role == Role.SDR
        else _m(
            role,
            "objection_handling",
            "Objection handling (calls with objections)",
            CI,
            "score",
            True,
            COHORT_Q1,
            0,
            SKILL,
        ),
    ]
    if product:  # SDRs hold discovery calls only: no product-knowledge reading (seed 001's SDR skill row)
        metrics.append(
            _m(
                role,
                "product_knowledge",
                "Product knowledge (demo, onboarding and QBR calls)",
                CI,
                "score",
                True,
                COHORT_Q1,
                0,
                SKILL,
            )
        )
    if talk:
        metrics.append(_m(role, "talk_ratio", "Talk time ratio", f"{CI}, trailing 30 days", "ratio", False, TEAM, 0.1))
    if "next_step_rate" in skill_only:
        metrics.append(_m(role, "next_step_rate", "Calls ending with a next step", CI, "%", True, TEAM, 15, SKILL))
    if "discovery_questions" in skill_only:
        metrics.append(
            _m(
                role,
                "discovery_questions",
                "Discovery question quality (question depth + qualification coverage)",
                f"{CI}, discovery calls",
                "score",
                True,
                TEAM,
                10,
                SKILL,
            )
        )
    return metrics


AE = [
    _m(
        Role.AE,
        "attainment_pace",
        "Quota attainment vs pace",
        "QuotaRetirementLedger, QuotaStore",
        "%",
        True,
        TARGET,
        15,
        SUMMARY,
    ),
    _m(
        Role.AE,
        "forecast_accuracy",
        "Forecast accuracy (commit vs closed)",
        "QuotaRetirementLedger",
        "%",
        True,
        TEAM,
        15,
        SUMMARY,
    ),
    _m(
        Role.AE,
        "stage_conversion",
        "Stage conversion",
        "Opportunities (stage history), vs segment benchmark",
        "%",
        True,
        SEGMENT,
        10,
    ),
    _m(
        Role.AE,
        "deal_velocity",
        "Deal velocity (days in stage)",
        "Opportunities (stage history), vs segment median per stage",
        "days",
        False,
        SEGMENT,
        0.25,
        relative=True,
    ),
    _m(
        Role.AE,
        "next_step_rate",
        "Next-step quality (calls ending with a next step)",
        f"{CI}, trailing 30 days",
        "%",
        True,
        TEAM,
        15,
    ),
    _m(
        Role.AE,
        "deal_advance",
        "Deal advance (stage objectives executed)",
        "OpportunityBriefLog (AGT-405)",
        "%",
        True,
        TEAM,
        15,
    ),
    _m(Role.AE, "discount_depth", "Discount depth", "QuoteLog, vs segment median", "pts", False, SEGMENT, 5),
    _m(Role.AE, "term_exception_rate", "Term exceptions", "QuoteLog, vs segment median", "%", False, SEGMENT, 15),
    *_calls(Role.AE),
]
AM = [
    _m(
        Role.AM,
        "nrr",
        "NRR by account cohort",
        "ChurnRiskLog, ExpansionLog (segment × vertical cohorts)",
        "%",
        True,
        TARGET,
        5,
        SUMMARY,
    ),
    _m(Role.AM, "renewal_rate", "Renewal rate", "Opportunities (renewals)", "%", True, TEAM, 10, SUMMARY),
    _m(
        Role.AM,
        "health_trend",
        "Health score trend across the book",
        "CustomerHealthLog, 30 days",
        "pts",
        True,
        TEAM,
        5,
    ),
    _m(Role.AM, "expansion_conversion", "Expansion conversion", "ExpansionLog", "%", True, TEAM, 10),
    _m(Role.AM, "renewal_opened_late", "Renewal opps opened late", "Opportunities, ChurnRiskLog", "%", False, TEAM, 15),
    _m(Role.AM, "qbr_adherence", "QBR cadence adherence", "QBRLog", "%", True, TEAM, 15),
    _m(Role.AM, "qbr_outcome", "QBR outcome quality (AGT-603)", "QBRLog", "%", True, TEAM, 15),
    _m(Role.AM, "discount_depth", "Expansion discount depth", "QuoteLog, vs segment median", "pts", False, SEGMENT, 5),
    _m(
        Role.AM,
        "term_exception_rate",
        "Expansion term exceptions",
        "QuoteLog, vs segment median",
        "%",
        False,
        SEGMENT,
        15,
    ),
    *_calls(Role.AM),
]
CSM = [
    _m(
        Role.CSM,
        "ttv_achievement",
        "TTV achievement vs target",
        "OnboardingLog, Accounts",
        "%",
        True,
        TEAM,
        10,
        SUMMARY,
    ),
    _m(
        Role.CSM,
        "health_trajectory",
        "Health trajectory across the book",
        "CustomerHealthLog, 30 days",
        "pts",
        True,
        TEAM,
        5,
        SUMMARY,
    ),
    _m(Role.CSM, "nps_csat_trend", "NPS/CSAT trend", "CustomerHealthLog (satisfaction), 30 days", "pts", True, TEAM, 5),
    _m(
        Role.CSM,
        "milestone_adherence",
        "Onboarding milestone adherence",
        "OnboardingLog (milestones on time)",
        "%",
        True,
        TEAM,
        10,
    ),
    _m(
        Role.CSM,
        "sentiment_trend",
        "Call sentiment trend (change per 30 days)",
        f"{CI}, three trailing 30-day windows",
        "score",
        True,
        TEAM,
        0.1,
    ),
    _m(
        Role.CSM,
        "escalation_rate",
        "Escalation rate (High/Critical accounts)",
        "CustomerHealthLog",
        "%",
        False,
        TEAM,
        10,
    ),
    _m(
        Role.CSM,
        "expansion_motion",
        "Expansion motion (plays won of those opened, suppressed excluded)",
        "ExpansionLog (the CSM's book), vs role cohort",
        "%",
        True,
        COHORT_Q1,
        0,
        SKILL,
    ),
    *_calls(Role.CSM, talk=True, skill_only=("next_step_rate",)),
]
SDR = [
    _m(
        Role.SDR,
        "meeting_acceptance",
        "Meeting acceptance (meetings booked / touches)",
        "CadenceEventLog, 30 days",
        "%",
        True,
        TEAM,
        0.3,
        SUMMARY,
        relative=True,
    ),
    _m(
        Role.SDR,
        "opp_conversion",
        "Conversion to qualified opp",
        "Leads, Opportunities, CadenceEventLog (90 days)",
        "%",
        True,
        TEAM,
        10,
        SUMMARY,
    ),
    _m(Role.SDR, "meeting_accepted_rate", "Meetings accepted by AEs", "CadenceEventLog, 30 days", "%", True, TEAM, 15),
    # Response rates are a few percent: an absolute gap in points keeps thin steps from flagging on noise.
    _m(
        Role.SDR,
        "sequence_response",
        "Sequence response",
        "CadenceEventLog by cadence type, 90 days",
        "%",
        True,
        TEAM,
        3,
    ),
    _m(
        Role.SDR,
        "sequence_acceptance",
        "Sequence acceptance (meetings / touches)",
        "CadenceEventLog by cadence type, 90 days",
        "%",
        True,
        TEAM,
        0.3,
        relative=True,
    ),
    _m(Role.SDR, "step_response", "Response rate by step", "CadenceEventLog by step, 90 days", "%", True, TEAM, 4),
    _m(
        Role.SDR,
        "outreach_volume",
        "Outreach volume vs activity target",
        "CadenceEventLog vs CompPlans",
        "%",
        True,
        TARGET,
        20,
    ),
    _m(Role.SDR, "cadence_flags", "Touches with AGT-303 risk flags", "CadenceEventLog, 30 days", "%", False, TEAM, 10),
    _m(
        Role.SDR,
        "response_to_meeting",
        "Responses turned into meetings (cadence)",
        "CadenceEventLog",
        "%",
        True,
        COHORT_Q1,
        0,
        SKILL,
    ),
    *_calls(Role.SDR, talk=True, product=False, skill_only=("discovery_questions",)),
]

for _role, _metrics in ((Role.AE, AE), (Role.AM, AM), (Role.CSM, CSM), (Role.SDR, SDR)):
    _metrics.append(
        _m(_role, "daily_flags", "Daily flags in the last 14 days", "Daily flags (AGT-701)", "count", False, TARGET, 0)
    )

REGISTRY: dict[str, dict[str, Metric]] = {
    role: {m.code: m for m in metrics}
    for role, metrics in ((Role.AE, AE), (Role.AM, AM), (Role.CSM, CSM), (Role.SDR, SDR))
}


# Both are pure functions of a few thousand (role, code) pairs, called once per reading (hundreds of thousands
# a run at 10,000 reps): cached.
@functools.cache
def metric(role: str, code: str) -> Metric | None:
    return REGISTRY.get(role, {}).get(code.split(":", 1)[0])


@functools.cache
def label(role: str, code: str) -> str:
    """The metric's name as a manager reads it, parameter included."""
    family, _, param = code.partition(":")
    if family == "stage_conversion":
        a, b = param.split(">")
        return pair_label(a, b)
    if family == "deal_velocity" and param:
        return velocity_label(param)
    m = metric(role, code)
    base = m.label if m else code
    if family in ("sequence_response", "sequence_acceptance"):
        return f"{base}: {CadenceType(param).label} cadences"
    if family == "step_response":
        ctype, step = param.split(":")
        return f"{base}: {CadenceType(ctype).label} cadence, step {step}"
    return base
