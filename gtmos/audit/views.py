from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import inbox as triage
from . import services
from .models import Notification

GROUPS_PER_PAGE = 30


def _filters(params) -> dict:
    state = params.get("state", "unread")
    return {
        "state": state if state in triage.STATES else "unread",
        "rule": params.get("kind", "")[:80],
        "q": params.get("q", "").strip()[:100],
    }


@login_required
def inbox(request):
    filters = _filters(request.GET)
    groups = triage.groups(user=request.user, **filters)
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    template = "audit/inbox.html#results" if request.htmx else "audit/inbox.html"
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "kinds": triage.kinds(user=request.user),
            "unread_total": sum(g.unread for g in groups),
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    # One row in the triage list stands for its whole group (same rule, same record): mark the group read.
    triage.notifications_mark_read(user=request.user, group_of=[notification.pk])
    services.notification_mark_read(notification=notification)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("audit:inbox")


@login_required
@require_POST
def mark_read_bulk(request):
    """Mark the ticked groups read, or everything the current filters show ("mark all shown read")."""
    filters = _filters(request.POST)
    if request.POST.get("all") == "1":
        count = triage.notifications_mark_read(user=request.user, rule=filters["rule"], q=filters["q"])
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("group")]
        except ValueError:
            ids = []
        if not ids:
            messages.error(request, "Tick at least one notice to mark it read.")
            return redirect(_back(filters))
        count = triage.notifications_mark_read(user=request.user, group_of=ids)
    messages.success(request, f"Marked {count} notice{'s' if count != 1 else ''} read.")
    return redirect(_back(filters))


def _back(filters: dict) -> str:
    from urllib.parse import urlencode

    params = {k: v for k, v in (("state", filters["state"]), ("kind", filters["rule"]), ("q", filters["q"])) if v}
    return reverse("audit:inbox") + ("?" + urlencode(params) if params else "")


@login_required
def unread_badge(request):
    """The nav's polled unread count; opened directly it is the inbox."""
    if not request.htmx:
        return redirect("audit:inbox")
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "audit/partials/unread_badge.html", {"unread": count})


@login_required
def escalations(request):
    """The old "Onboarding alerts" address: the triage list and the resolution-time report are one page now,
    /onboarding/escalations/ (filters and sort carried over)."""
    target = reverse("onboarding:escalation_report")
    query = request.META.get("QUERY_STRING", "")
    return redirect(target + ("?" + query if query else ""), permanent=True)
