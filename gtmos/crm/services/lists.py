"""Writes behind the list pages (issue 20 item 3): saved views per user and the bulk CSM assignment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gtmos.audit.services import event_record

from .. import lists
from ..access import employee_of, sees_everything, team_ids
from ..models import Account, Employee, Role, SavedView
from ..signals import account_csm_changed

SAVED_VIEWS_PER_PAGE = 30  # a view list longer than this is a second filter bar, not a shortcut
ASSIGN_MAX = 500  # one bulk assignment; a whole-book move is an import, not a click
ASSIGNER_ROLES = (Role.REVOPS, Role.MANAGER, Role.SLM)


# --- saved views -------------------------------------------------------------------------------------------


@transaction.atomic
def saved_view_save(*, user, page: str, name: str, query: str) -> SavedView:
    """Save (or overwrite, by name) the user's current filters + sort on ``page``. The query is re-parsed so
    only the page's known parameters are kept."""
    if page not in lists.PARSERS:
        raise ValidationError({"page": "unknown list"})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    canonical = lists.parse_query(page, query or "").query
    existing = SavedView.objects.select_for_update().filter(user=user, page=page, name=name).first()
    if existing is not None:
        existing.query = canonical
        existing.save(update_fields=["query", "updated_at"])
        return existing
    if SavedView.objects.filter(user=user, page=page).count() >= SAVED_VIEWS_PER_PAGE:
        raise ValidationError({"name": f"You have {SAVED_VIEWS_PER_PAGE} views here already; delete one first."})
    return SavedView.objects.create(user=user, page=page, name=name, query=canonical)


def saved_view_delete(*, user, pk: int) -> None:
    """Delete one of the user's own views; someone else's answers DoesNotExist (a 404, never a hint)."""
    SavedView.objects.get(user=user, pk=pk).delete()


# --- bulk "assign CSM" -------------------------------------------------------------------------------------


def can_assign_csm(user) -> bool:
    """RevOps, managers and SLMs move accounts between CSMs (and superusers); reps and executives do not."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    employee = employee_of(user)
    return employee is not None and employee.role in ASSIGNER_ROLES


def assignable_csms(user):
    """Active CSMs the user may hand accounts to: anyone for RevOps, their own org for a manager or SLM."""
    qs = Employee.objects.filter(role=Role.CSM, is_active=True).order_by("name")
    if not sees_everything(user):
        qs = qs.filter(pk__in=team_ids(user))
    return qs


@transaction.atomic
def accounts_assign_csm(*, user, account_ids, csm_id) -> list[Account]:
    """Set the CSM on each ticked account the user can see; one audit Event per account that changed (with the
    previous CSM's id), none for an account that already had that CSM (idempotent)."""
    if not can_assign_csm(user):
        raise PermissionDenied("only RevOps or a manager assigns CSMs")
    try:
        ids = sorted({int(i) for i in account_ids})
    except (TypeError, ValueError):
        raise ValidationError({"account": "Tick the accounts to assign."}) from None
    if not ids:
        raise ValidationError({"account": "Tick the accounts to assign."})
    if len(ids) > ASSIGN_MAX:
        raise ValidationError({"account": f"Assign at most {ASSIGN_MAX} accounts at a time."})
    csm = assignable_csms(user).filter(pk=csm_id).first() if str(csm_id or "").isdigit() else None
    if csm is None:
        raise ValidationError({"csm": "Choose a CSM from the list."})
    accounts = list(Account.objects.visible_to(user).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    if len(accounts) != len(ids):
        # Never a partial move: an id the user cannot see (or that is gone) refuses the whole batch.
        raise ValidationError({"account": "Some ticked accounts are not in your book any more; reload the list."})
    changed = [a for a in accounts if a.csm_id != csm.pk]
    moves = {a.pk: a.csm_id for a in changed}
    for account in changed:
        previous = account.csm_id
        account.csm_id = csm.pk
        event_record(
            type="crm.account_csm_assigned",
            subject=account,
            actor=user,
            payload={"from_csm_id": previous, "to_csm_id": csm.pk, "bulk": len(ids)},
        )
    Account.objects.bulk_update(changed, ["csm"])
    if changed:  # onboarding moves the accounts' open plans with them (in this transaction)
        account_csm_changed.send(sender=Account, changes={a.pk: (moves[a.pk], csm.pk) for a in changed}, actor=user)
    return changed
