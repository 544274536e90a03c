"""Who may see which GTM records.

A record is visible to the employees on it (owner, AM, CSM and, for deals, SE/SDR), to everyone up
their manager chain, to their SLM, and to RevOps, executives and superusers, who see everything.
Every view and fragment filters through the ``visible_to(user)`` queryset method built on this.
"""

from __future__ import annotations

from django.db.models import Q

from gtmos.core import lookups  # noqa: F401  (registers ``__any_of``, the visibility filters' lookup)

# Role values (crm.models.people.Role); plain strings so models can import this module.
SEES_EVERYTHING = ("revops", "exec")


def employee_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Exception:  # RelatedObjectDoesNotExist: a login without an Employee record
        return None


def sees_everything(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    employee = employee_of(user)
    return employee is not None and employee.role in SEES_EVERYTHING


def team_ids(user) -> frozenset[int]:
    """The user's own employee id plus everyone below them (manager chain) or in their SLM org.

    One query over the (small) employee table, cached on the user object for the request.
    """
    cached = getattr(user, "_gtmos_team_ids", None)
    if cached is not None:
        return cached
    employee = employee_of(user)
    if employee is None:
        ids: frozenset[int] = frozenset()
    else:
        from .models import Employee

        reports: dict[int, list[int]] = {}
        slm_org: list[int] = []
        for pk, manager_id, slm_id in Employee.objects.values_list("id", "manager_id", "slm_id"):
            if manager_id is not None:
                reports.setdefault(manager_id, []).append(pk)
            if slm_id == employee.pk:
                slm_org.append(pk)
        seen = {employee.pk}
        frontier = [employee.pk, *slm_org]
        seen.update(slm_org)
        while frontier:
            nxt = []
            for pk in frontier:
                for child in reports.get(pk, ()):
                    if child not in seen:
                        seen.add(child)
                        nxt.append(child)
            frontier = nxt
        ids = frozenset(seen)
    user._gtmos_team_ids = ids
    return ids


def account_q(user, prefix: str = "") -> Q | None:
    """Q for accounts the user may see; None means no restriction."""
    if sees_everything(user):
        return None
    ids = team_ids(user)
    if not ids:
        return Q(pk__in=[])
    return (
        Q(**{f"{prefix}owner_id__any_of": ids})
        | Q(**{f"{prefix}am_id__any_of": ids})
        | Q(**{f"{prefix}csm_id__any_of": ids})
    )


def opportunity_q(user) -> Q | None:
    if sees_everything(user):
        return None
    ids = team_ids(user)
    if not ids:
        return Q(pk__in=[])
    on_deal = (
        Q(owner_id__any_of=ids)
        | Q(am_id__any_of=ids)
        | Q(csm_id__any_of=ids)
        | Q(se_id__any_of=ids)
        | Q(sdr_id__any_of=ids)
    )
    return on_deal | account_q(user, prefix="account__")
