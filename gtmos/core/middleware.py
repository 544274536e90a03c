from django.http import HttpResponse


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
