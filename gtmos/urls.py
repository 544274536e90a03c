from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gtmos.core import views as core_views
from gtmos.ingest.api import api

admin.site.site_header = "GTM OS administration"
admin.site.site_title = "GTM OS"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("crm/", include("gtmos.crm.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("whiteglove/", include("onboarding.whiteglove.urls")),
    path("health/", include("gtmos.health.urls")),
    path("coaching/", include("coaching.urls")),
    path("", include("gtmos.audit.urls")),
    path("", include("onboarding.prospect.urls")),  # last: its /{trade} landers match any single slug
]

# 404 uses Django's view and templates/404.html; 500 renders with no context processors but the request id.
handler500 = "gtmos.core.views.server_error"
