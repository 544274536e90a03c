from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user).order_by("-created_at")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "audit/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    services.notification_mark_read(notification=notification)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("audit:inbox")


@login_required
def unread_badge(request):
    """The nav's polled unread count; opened directly it is the inbox."""
    if not request.htmx:
        return redirect("audit:inbox")
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "audit/partials/unread_badge.html", {"unread": count})
