import re
import uuid

from django.core.signals import request_finished
from django.http import HttpResponse

from gtmos.core import logging as logging_context


class HtmxLoginRedirectMiddleware:
    """An htmx request that hits the login redirect would swap the login page into a fragment;
    tell htmx to do a full-page redirect instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            location = response.get("Location", "")
            if "/accounts/login/" in location:
                redirect = HttpResponse(status=204)
                redirect["HX-Redirect"] = location
                return redirect
        return response


class RequestIdMiddleware:
    """``X-Request-ID`` in and out: a sane incoming id (a proxy's, a client's retry) is kept, anything else is
    replaced by a new one; the id is on ``request.id``, on the response and on every log record of the request."""

    HEADER = "X-Request-ID"
    _SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.HEADER, "")
        request.id = incoming if self._SANE.fullmatch(incoming) else uuid.uuid4().hex
        logging_context.request_id.set(request.id)
        response = self.get_response(request)
        response[self.HEADER] = request.id
        return response


def _forget_request_id(**kwargs):
    """After the response is closed: runserver's access line has been written by then (wsgiref logs before it
    closes the response), so code that runs later in this thread logs no stale id."""
    logging_context.request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="gtmos-forget-request-id")
