from django.utils.functional import SimpleLazyObject

from .navigation import groups_for


def navigation(request):
    """The staff navigation (grouped by job) and the signed-in employee, computed only if the template uses them.
    Not even the user is loaded here: a prospect's pages never render the staff bar, and most of them find their
    session without knowing who is signed in (onboarding/prospect/access.py), so they pay neither query."""

    def signed_in():
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None

    def nav_groups():
        user = signed_in()
        return groups_for(user) if user else []

    def current_employee():
        from gtmos.crm.access import employee_of

        user = signed_in()
        return employee_of(user) if user else None

    return {"nav_groups": SimpleLazyObject(nav_groups), "current_employee": SimpleLazyObject(current_employee)}
