"""Who sees an onboarding plan or MAP: whoever sees its account, plus post-sales (they review every
deal) and the Implementation Engineer who owns a milestone on it."""

from django.db.models import Q

from gtmos.crm.access import account_q, employee_of, sees_everything

REVIEWERS = ("post_sales",)


def plan_q(user, prefix: str = "") -> Q | None:
    if sees_everything(user):
        return None
    employee = employee_of(user)
    if employee is not None and employee.role in REVIEWERS:
        return None
    q = account_q(user, prefix=f"{prefix}account__")
    if employee is not None:
        # A subquery, not a join through milestones: the join repeated each plan once per milestone the person
        # owns and forced a DISTINCT over every selected column on every plan read (issue 20: page speed).
        from .models import MilestoneItem

        q |= Q(**{f"{prefix}pk__in": MilestoneItem.objects.filter(owner=employee).values("plan_id")})
    return q


def can_review(user) -> bool:
    employee = employee_of(user)
    return sees_everything(user) or (employee is not None and employee.role in (*REVIEWERS, "slm"))


def can_close(user) -> bool:
    """M7 is the CSM's manual gate (services/handoff.onboarding_close); nobody else is shown the close form."""
    employee = employee_of(user)
    return employee is not None and employee.role == "csm"


# Who works onboarding escalations: the people they are sent to (CSM, AM, SLM), the CSMs' managers, and
# post-sales (they raise the MAP ones); RevOps and executives see everything. Others are refused the page.
ESCALATION_ROLES = ("csm", "am", "manager", "slm", "post_sales")


def can_triage_escalations(user) -> bool:
    employee = employee_of(user)
    return sees_everything(user) or (employee is not None and employee.role in ESCALATION_ROLES)
