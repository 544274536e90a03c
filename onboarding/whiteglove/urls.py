from django.urls import path

from . import views

app_name = "whiteglove"
urlpatterns = [
    path("ae/", views.pipeline_ae, name="pipeline_ae"),
    path("sdr/", views.pipeline_sdr, name="pipeline_sdr"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("deals/<uuid:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<uuid:pk>/meddpicc/", views.deal_meddpicc, name="deal_meddpicc"),
    path("deals/<uuid:pk>/takeoff/", views.deal_takeoff, name="deal_takeoff"),
    path("deals/<uuid:pk>/<str:step>/", views.deal_step, name="deal_step"),
    path("deals/<uuid:pk>/do/<str:action>/", views.deal_action, name="deal_action"),
]
