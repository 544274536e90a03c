"""Prospect pages (public), the Stripe webhook, and the sales / RevOps pages. Included from gtmos.urls last,
so the trade landers (``/{trade}``) never shadow another app's path."""

from django.urls import path

from . import views

app_name = "prospect"
urlpatterns = [
    path("start/", views.capture, name="capture"),
    path("start/w/<str:token>/", views.warm, name="warm"),
    path("start/s/<uuid:pk>/", views.resume, name="resume"),
    path("start/s/<uuid:pk>/email/", views.email, name="email"),
    path("start/s/<uuid:pk>/enriching/", views.enriching, name="enriching"),
    path("start/s/<uuid:pk>/enriching/status/", views.enriching_status, name="enriching_status"),
    path("start/s/<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("start/s/<uuid:pk>/workspace/", views.workspace, name="workspace"),
    path("start/s/<uuid:pk>/workspace/note/", views.company_note, name="company_note"),
    path("start/s/<uuid:pk>/workspace/<slug:surface>/", views.workspace_surface, name="workspace_surface"),
    path("start/s/<uuid:pk>/question/", views.question, name="question"),
    path("start/s/<uuid:pk>/pursuits/<uuid:pursuit_id>/watch/", views.watch, name="watch"),
    path("start/s/<uuid:pk>/takeoff/", views.takeoff, name="takeoff"),
    path("start/s/<uuid:pk>/activate/", views.activate, name="activate"),
    path("start/s/<uuid:pk>/trial/", views.trial, name="trial"),
    path("start/s/<uuid:pk>/card/", views.card_start, name="card_start"),
    path("start/s/<uuid:pk>/card/demo/", views.card_demo, name="card_demo"),
    path("start/s/<uuid:pk>/team/", views.invites, name="invites"),
    path("start/s/<uuid:pk>/inbox/", views.inbox_consent, name="inbox_consent"),
    path("start/s/<uuid:pk>/setup/", views.fallback, name="fallback"),
    path("start/s/<uuid:pk>/setup/<slug:step>/", views.fallback, name="fallback_step"),
    path("start/s/<uuid:pk>/homeowner/", views.homeowner, name="homeowner"),
    path("start/s/<uuid:pk>/delete/", views.delete_my_data, name="delete_my_data"),
    path("start/s/<uuid:pk>/specialist/", views.specialist, name="specialist"),
    path("start/s/<uuid:pk>/expired/", views.abandoned, name="abandoned"),
    path("start/payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("prospects/reengage/", views.reengage_queue, name="reengage"),
    path("prospects/funnel/", views.funnel, name="funnel"),
    path("prospects/sessions/", views.routing_sessions, name="routing_sessions"),
    path("prospects/links/", views.warm_links, name="warm_links"),
    path("prospects/sessions/<uuid:pk>/", views.routing_session, name="routing_session"),
    path("homeowners/", views.homeowner_product, name="homeowner_product"),
    path("general-contractor", views.lander_gc, name="lander_gc"),
    path("<slug:trade>", views.lander_trade, name="lander_trade"),
]
