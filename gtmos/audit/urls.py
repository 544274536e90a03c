from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/badge/", views.unread_badge, name="unread_badge"),
    path("inbox/read/", views.mark_read_bulk, name="mark_read_bulk"),
    path("inbox/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("escalations/", views.escalations, name="escalations"),
]
