from django.urls import path

from . import api, views

app_name = "coaching"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("recommendations/<int:pk>/approve/", views.approve, name="approve"),
    path("recommendations/<int:pk>/modify/", views.modify, name="modify"),
    path("recommendations/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("reps/<int:pk>/", views.rep, name="rep"),
    path("reps/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("escalations/", views.escalations, name="escalations"),
    path("patterns/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("digests/", views.digests, name="digests"),
    path("digests/<int:pk>/", views.digest, name="digest"),
    path("flags/", views.flags, name="flags"),
    path("forecast-accuracy/", views.forecast, name="forecast"),
    path("review/", views.review, name="review"),
    path("api/forecast-accuracy.json", api.forecast_accuracy, name="api_forecast"),
    path("api/recommendations.json", api.recommendations, name="api_recommendations"),
]
