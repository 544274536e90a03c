"""The project's URLconf plus one view that fails, to render the 500 page as a real error would."""

from django.urls import path

from gtmos.urls import handler500  # noqa: F401
from gtmos.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("test-boom/", boom), *project_urls]
