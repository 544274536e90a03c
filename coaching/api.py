"""JSON outputs: forecast accuracy for the forecast consumer (AGT-703, integration bearer token) and the
signed-in user's coaching recommendations (session; a rep gets only approved ones, like every page)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from gtmos.core import clock
from gtmos.ingest.auth import IntegrationBearer

from . import selectors
from .models import RepCoachingLog


@require_GET
def forecast_accuracy(request):
    """Per AE/AM: accuracy of the commit four weeks before the last ended period against what closed."""
    if IntegrationBearer()(request) is None:
        return JsonResponse({"detail": "A valid integration bearer token is required."}, status=401)
    try:
        as_of = dt.date.fromisoformat(request.GET["as_of"]) if "as_of" in request.GET else None
    except ValueError:
        return JsonResponse(
            {"detail": "as_of: use YYYY-MM-DD", "errors": [{"field": "as_of", "message": "not a date"}]}, status=422
        )
    as_of = as_of or clock.today()
    return JsonResponse({"as_of": as_of.isoformat(), "reps": selectors.forecast_accuracy(as_of=as_of)})


@login_required
@require_GET
def recommendations(request):
    logs = RepCoachingLog.objects.visible_to(request.user).select_related("rep").order_by("-coaching_date")[:200]
    return JsonResponse(
        {
            "recommendations": [
                {
                    "id": log.pk,
                    "rep": log.rep.name,
                    "pattern": log.pattern_detected,
                    "action": log.recommended_action,
                    "status": log.approval_status,
                    "since": log.coaching_date.isoformat(),
                }
                for log in logs
            ]
        }
    )
