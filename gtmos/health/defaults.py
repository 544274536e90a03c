"""Seed 004's success playbooks as shipped defaults; RevOps edits them in admin afterwards."""

PLAYBOOKS = [
    # Segment guidance (seed 004 "Customer Segments"): shown on healthy accounts' health pages.
    {
        "name": "New: activation and onboarding",
        "segment": "new",
        "risk_stage": "healthy",
        "focus": "Focus on activation and onboarding: first value event, admin and end-user training.",
        "steps": [],
    },
    {
        "name": "Growing: adoption and value realization",
        "segment": "growing",
        "risk_stage": "healthy",
        "focus": "Focus on adoption and value realization: seat utilization, feature breadth, a first QBR.",
        "steps": [],
    },
    {
        "name": "Established: expansion and advocacy",
        "segment": "established",
        "risk_stage": "healthy",
        "focus": "Focus on expansion and advocacy: expansion plays, references, case studies.",
        "steps": [],
    },
    # At-Risk: intervention and recovery, shaped by how long the customer has been with us.
    {
        "name": "At risk (new customer): rescue onboarding",
        "segment": "new",
        "risk_stage": "at_risk",
        "focus": "Intervention and recovery for a customer still finding its feet.",
        "steps": [
            {
                "kind": "call",
                "title": "Call the champion: what is blocking first value?",
                "due_in_days": 2,
                "owner_role": "csm",
            },
            {
                "kind": "meeting",
                "title": "Re-run admin training with the customer's admins",
                "due_in_days": 7,
                "owner_role": "csm",
            },
            {
                "kind": "email",
                "title": "Send the recovery check-in email",
                "due_in_days": 1,
                "owner_role": "csm",
                "email_subject": "Getting {account} to first value",
                "email_body": "Hi,\n\nI'd like to make sure {account} gets the value you signed up for. Could we find 30 minutes this "
                "week to go through what's in the way?\n\n{csm}",
            },
        ],
    },
    {
        "name": "At risk (growing customer): restore adoption",
        "segment": "growing",
        "risk_stage": "at_risk",
        "focus": "Intervention and recovery: usage has stalled before value was realised.",
        "steps": [
            {
                "kind": "task",
                "title": "Review usage: which teams and features dropped?",
                "due_in_days": 2,
                "owner_role": "csm",
            },
            {
                "kind": "meeting",
                "title": "Adoption workshop with the end users",
                "due_in_days": 10,
                "owner_role": "csm",
            },
            {"kind": "call", "title": "Exec sponsor check-in on goals and value", "due_in_days": 7, "owner_role": "am"},
        ],
    },
    {
        "name": "At risk: intervention and recovery",
        "segment": "any",
        "risk_stage": "at_risk",
        "focus": "Intervention and recovery: find the cause, agree a plan with the customer, involve the exec sponsor.",
        "steps": [
            {
                "kind": "task",
                "title": "Diagnose: read the warning signals, tickets and recent calls",
                "due_in_days": 2,
                "owner_role": "csm",
            },
            {
                "kind": "call",
                "title": "Executive sponsor call to agree the recovery plan",
                "due_in_days": 7,
                "owner_role": "am",
            },
            {
                "kind": "email",
                "title": "Send the recovery plan summary",
                "due_in_days": 9,
                "owner_role": "csm",
                "email_subject": "Our plan together for {account}",
                "email_body": "Hi,\n\nThank you for the time today. As agreed, here is what we will do together over the next weeks, "
                "and how we'll know it's working.\n\n{csm}",
            },
        ],
    },
    {
        "name": "Plan in place: follow-through",
        "segment": "any",
        "risk_stage": "plan_in_place",
        "focus": "Follow-through: weekly progress against the retention plan's objective.",
        "steps": [
            {
                "kind": "meeting",
                "title": "Weekly progress review with the customer",
                "due_in_days": 7,
                "owner_role": "csm",
            },
            {
                "kind": "task",
                "title": "Check the health measures that triggered the case",
                "due_in_days": 14,
                "owner_role": "csm",
            },
        ],
    },
]


def install(Playbook, PlaybookStep) -> int:
    """Create the default playbooks that are missing (matched by segment and stage); idempotent."""
    created = 0
    for spec in PLAYBOOKS:
        if Playbook.objects.filter(segment=spec["segment"], risk_stage=spec["risk_stage"], active=True).exists():
            continue
        playbook = Playbook.objects.create(
            name=spec["name"], segment=spec["segment"], risk_stage=spec["risk_stage"], focus=spec["focus"]
        )
        for order, step in enumerate(spec["steps"], start=1):
            PlaybookStep.objects.create(playbook=playbook, order=order, **step)
        created += 1
    return created
