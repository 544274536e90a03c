from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from gtmos.crm.access import employee_of

    return {"nav_items": items_for(user), "current_employee": employee_of(user)}
