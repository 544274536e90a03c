"""The starting coaching playbook (enablement edits it in admin). Each action names the data behind the
pattern through placeholders: {deals}, {calls}, {accounts}, {step}, {cadence}, {evidence}, {value},
{benchmark}, {gap}, {weeks}, {rep}, {metric}; the escalation-threshold rows also {bound}, {period},
{weeks_left}, {days}."""

PLAYS = [
    # AE
    (
        "ae",
        "attainment_pace",
        "Rebuild the quarter's path to number",
        "Run a pipeline review with {rep} this week: {evidence}. Agree which commit deals can close this quarter, "
        "what must happen on each, and the top-of-funnel the rest of the quarter needs.",
    ),
    (
        "ae",
        "attainment_floor",
        "Recover the quarter with the SLM",
        "{rep} has {value} of the {period} quota closed with {weeks_left} weeks left (the floor is {bound}). With the "
        "SLM this week, go deal by deal through commit and best case: what closes this period, what slips, and the help "
        "each deal needs.",
    ),
    (
        "ae",
        "forecast_accuracy",
        "Calibrate the forecast call",
        "Walk {rep} through last period's call against the close ({evidence}) and deal-by-deal evidence for what "
        "goes in commit; inspect the next call together before it is submitted.",
    ),
    (
        "ae",
        "stage_conversion",
        "Unstick the stalled stage",
        "{metric} is {value} against {benchmark}. Review {deals} with {rep}: for each, the exit criteria for the "
        "stage, the missing stakeholder and the agreed next step; shadow the next call on one of them.",
    ),
    (
        "ae",
        "deal_velocity",
        "Shorten time in stage",
        "{metric}: {rep}'s deals take {value} against the segment's {benchmark}. Agree mutual close plans with dated "
        "exit criteria for {deals} and review them weekly.",
    ),
    (
        "ae",
        "next_step_rate",
        "Every call ends with a next step",
        "Listen to {calls} with {rep}; practise closing each call with a dated, owned next step.",
    ),
    (
        "ae",
        "deal_advance",
        "Execute the stated stage objectives",
        "Only {value} of {rep}'s deal briefs show the stage objectives met ({benchmark} is the team's). Before each "
        "deal meeting this month, review the objectives together and debrief after.",
    ),
    (
        "ae",
        "discount_depth",
        "Hold price",
        "{rep}'s average discount is {value} against the segment's {benchmark}. Role-play a value-based "
        "negotiation and route discounts above the segment median through the manager before the quote goes out.",
    ),
    (
        "ae",
        "term_exception_rate",
        "Fewer term exceptions",
        "{value} of {rep}'s quotes carry term exceptions (team {benchmark}). Review the last ones and the standard "
        "terms that would have served.",
    ),
    (
        "ae",
        "call_quality",
        "Objection handling on recorded calls",
        "Review {calls} with {rep}: pick the objections raised, agree better answers, and re-listen after the next "
        "two calls.",
    ),
    # AM
    (
        "am",
        "nrr",
        "Protect and grow the weakest cohort",
        "{rep}'s NRR is {value} against {benchmark} for the same cohorts; {evidence}. Build account plans for the "
        "cohort's top five accounts by ARR.",
    ),
    (
        "am",
        "renewal_rate",
        "Renewal discipline",
        "Renewal rate {value} vs team {benchmark}. Review every renewal due in the next 120 days with {rep}: risk, "
        "stakeholders, and the date the renewal opportunity opens.",
    ),
    (
        "am",
        "health_trend",
        "Turn the book's health around",
        "{rep}'s book lost {value} points on average in 30 days. Start with {accounts}: read each explain page and "
        "book a call where engagement fell.",
    ),
    (
        "am",
        "expansion_conversion",
        "Convert expansion plays",
        "Expansion conversion is {value} (team {benchmark}); {evidence}. Review the open plays' business cases with "
        "{rep} and pair on the next expansion call.",
    ),
    (
        "am",
        "renewal_opened_late",
        "Open renewals on time",
        "{value} of {rep}'s renewal opportunities opened inside 120 days of renewal ({deals}). Set the opening "
        "date for every renewal in the next two quarters now.",
    ),
    (
        "am",
        "qbr_adherence",
        "QBRs on cadence",
        "Only {value} of the Enterprise/Mid-Market accounts that need a QBR had one in the quarter. Schedule the "
        "missing QBRs with {rep} this week.",
    ),
    (
        "am",
        "qbr_outcome",
        "Better QBR outcomes",
        "{value} of {rep}'s QBRs ended positive (team {benchmark}). Review the next QBR deck together: outcomes "
        "delivered, next-quarter goals, exec sponsor on the invite.",
    ),
    (
        "am",
        "discount_depth",
        "Hold price on expansions",
        "Expansion discounts average {value} against {benchmark}. Review the open expansion quotes before they go out.",
    ),
    (
        "am",
        "book_tier_drop",
        "Stop the book's slide",
        "{value} of {rep}'s book dropped a health tier in {days} days ({accounts}). With the SLM, read each account's "
        "health explain page this week and agree a save plan for the largest by ARR.",
    ),
    (
        "am",
        "call_quality",
        "Objection handling on recorded calls",
        "Review {calls} with {rep} and agree better answers to the objections raised.",
    ),
    # CSM
    (
        "csm",
        "ttv_achievement",
        "Hit time-to-value",
        "{value} of {rep}'s onboardings reached value within target (team {benchmark}). Review each active "
        "onboarding's TTV projection and blockers with {rep} this week.",
    ),
    (
        "csm",
        "health_trajectory",
        "Turn the book's health around",
        "{rep}'s book lost {value} points on average in 30 days. Start with {accounts}.",
    ),
    (
        "csm",
        "nps_csat_trend",
        "Recover satisfaction",
        "Satisfaction fell {value} points across the book. Call the detractors in {accounts} and log what you hear.",
    ),
    (
        "csm",
        "milestone_adherence",
        "Milestones on time",
        "{value} of milestones due landed on time (team {benchmark}). Review overdue milestones and their owners "
        "with {rep}.",
    ),
    (
        "csm",
        "sentiment_trend",
        "Warmer customer calls",
        "Call sentiment is moving {value} per 30 days (team {benchmark}). Review {calls} with {rep}: where the sentiment "
        "dropped and what was said just before.",
    ),
    (
        "csm",
        "expansion_motion",
        "Run the expansion motion",
        "{value} of the expansion plays on {rep}'s book were won (role cohort's bottom quartile {benchmark}); "
        "{evidence}. Walk through the open plays' business cases together and pair with the AM on the next one.",
    ),
    (
        "csm",
        "talk_ratio",
        "Listen more",
        "{rep} talks {value} of the time on calls (team {benchmark}). Review {calls} and plan open questions for "
        "the next three.",
    ),
    (
        "csm",
        "escalation_rate",
        "Fewer accounts at risk",
        "{value} of {rep}'s book is High/Critical (team {benchmark}). Confirm each has a churn-risk plan in place.",
    ),
    (
        "csm",
        "book_tier_drop",
        "Stop the book's slide",
        "{value} of {rep}'s book dropped a health tier in {days} days ({accounts}). With the SLM, review each account's "
        "open risks and adoption this week and book the customer calls that are overdue.",
    ),
    ("csm", "call_quality", "Call quality", "Review {calls} with {rep} and agree one change for the next calls."),
    # SDR
    (
        "sdr",
        "meeting_acceptance",
        "More meetings from touches",
        "{rep} books a meeting from {value} of touches (team {benchmark}). Review the last week's replies together "
        "and the asks that did not land.",
    ),
    (
        "sdr",
        "opp_conversion",
        "Meetings that qualify",
        "{value} of {rep}'s meetings became qualified opportunities (team {benchmark}). Review qualification "
        "criteria with the AE before booking.",
    ),
    (
        "sdr",
        "meeting_accepted_rate",
        "Meetings AEs accept",
        "AEs accepted {value} of {rep}'s booked meetings (team {benchmark}). Go through the rejected ones with the AE "
        "and agree the persona and pain that qualify.",
    ),
    (
        "sdr",
        "sequence_acceptance",
        "Book more meetings from the cadence",
        "{metric}: {value} of touches book a meeting against the team's {benchmark}. Review the ask and the offer in the "
        "sequence's steps with {rep}.",
    ),
    (
        "sdr",
        "objection_handling",
        "Discovery call objection handling",
        "On discovery calls with objections {rep} scores {value} against the team's {benchmark}. Review {calls} together: "
        "the objections raised and better answers; role-play the top two.",
    ),
    (
        "sdr",
        "discovery_questions",
        "Deeper discovery questions",
        "Discovery question quality {value} (team {benchmark}): question depth and qualification coverage. Plan open "
        "follow-up questions and the qualification criteria to cover before the next three calls ({calls}).",
    ),
    (
        "sdr",
        "step_response",
        "Fix the weak cadence step",
        "Step {step} of {cadence} gets {value} response against the team's {benchmark}. Rewrite that step with {rep} "
        "(opening line, ask, channel and timing) and A/B it for two weeks.",
    ),
    (
        "sdr",
        "sequence_response",
        "Lift the cadence's response",
        "{metric}: {value} against the team's {benchmark}. Review the sequence's targeting and messaging with {rep}.",
    ),
    (
        "sdr",
        "outreach_volume",
        "Reach the activity target",
        "{evidence}. Block daily prospecting time with {rep} and review volume every Friday.",
    ),
    (
        "sdr",
        "cadence_flags",
        "Clear the cadence flags",
        "{value} of {rep}'s touches carry AGT-303 risk flags (team {benchmark}). Review the flags and fix the lists "
        "or timing they point at.",
    ),
    (
        "sdr",
        "call_quality",
        "Discovery call objection handling",
        "Review {calls} with {rep}: the objections raised on discovery calls and better answers.",
    ),
    (
        "sdr",
        "talk_ratio",
        "Listen more on discovery",
        "{rep} talks {value} of discovery calls (team {benchmark}). Review {calls} together.",
    ),
]
