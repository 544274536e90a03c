import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gtmos.core import selectors

logger = logging.getLogger(__name__)


@login_required
def home(request):
    return render(request, "core/home.html", selectors.home_context(user=request.user))


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers: the database and the broker must both answer."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(result == "ok" for result in checks.values())
    if not healthy:
        logger.warning("healthz failed", extra={"checks": checks})
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # report, never raise: this is the health endpoint
        return f"error: {exc.__class__.__name__}"


def _check_broker() -> str:
    from django.conf import settings
    from kombu import Connection

    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=2, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def server_error(request):
    """The 500 page. Like Django's own it renders without context processors (they may be what failed), but
    it shows the request id so a report can be matched to the logged traceback."""
    from django.http import HttpResponseServerError
    from django.template import loader

    body = loader.get_template("500.html").render({"request_id": getattr(request, "id", "")})
    return HttpResponseServerError(body)
