from django.utils.functional import SimpleLazyObject

from .navigation import items_for


def navigation(request):
    """The staff navigation and the signed-in employee, computed only if the template uses them: a prospect's
    pages (signed in after S8) never render the staff bar, and would otherwise pay a query per page for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from gtmos.crm.access import employee_of

    return {"nav_items": SimpleLazyObject(lambda: items_for(user)),
            "current_employee": SimpleLazyObject(lambda: employee_of(user))}
