from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("", views.book, name="book"),
    path("export.csv", views.export_csv, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("risk/", views.risk_report, name="risk_report"),
    path("interventions/", views.interventions, name="interventions"),
    path("backtest/", views.backtest, name="backtest"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/override/", views.override_set, name="override_set"),
    path("accounts/<int:pk>/override/clear/", views.override_clear, name="override_clear"),
    path("cases/<int:pk>/move/", views.risk_move, name="risk_move"),
    path("cases/<int:pk>/note/", views.note_add, name="note_add"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
