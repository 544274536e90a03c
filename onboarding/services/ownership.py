"""Who owns an open onboarding plan when its account changes hands.

The plan's CSM (and the milestones they own) is who the alerts, escalations and welcome emails name. When
RevOps or a manager moves an account to another CSM, its open plans move too — unless the plan had a CSM of
its own (not the account's previous one), chosen on purpose. A finished plan keeps the CSM who ran it.
"""

from __future__ import annotations

from django.db.models import Q

from gtmos.audit.services import event_record
from gtmos.crm.models import Role

from ..models import MilestoneItem, OnboardingPlan
from ..models.plan import MilestoneStatus, PlanStatus


def on_account_csm_changed(sender, changes: dict[int, tuple[int | None, int]], actor=None, **kwargs) -> None:
    """``changes``: account id → (previous CSM id, new CSM id), sent inside the assigning transaction."""
    for plan in OnboardingPlan.objects.select_for_update().filter(
        account_id__in=list(changes), status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE]
    ):
        previous, new = changes[plan.account_id]
        if plan.csm_id not in (None, previous):
            continue
        MilestoneItem.objects.filter(plan=plan, status=MilestoneStatus.PENDING, owner_role=Role.CSM).filter(
            Q(owner_id=previous) | Q(owner__isnull=True)
        ).update(owner_id=new)
        OnboardingPlan.objects.filter(pk=plan.pk).update(csm_id=new)
        event_record(
            type="onboarding.plan_csm_changed",
            subject=plan.account,
            actor=actor,
            payload={"plan_id": plan.pk, "from_csm_id": previous, "to_csm_id": new},
        )
