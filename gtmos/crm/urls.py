from django.urls import path

from . import views

app_name = "crm"
urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/export.csv", views.account_export, name="account_export"),
    path("accounts/assign-csm/", views.account_assign_csm, name="account_assign_csm"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/<slug:tab>/", views.account_tab, name="account_tab"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/export.csv", views.opportunity_export, name="opportunity_export"),
    path("views/<slug:page>/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/<slug:tab>/", views.opportunity_tab, name="opportunity_tab"),
]
