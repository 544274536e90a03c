from django.urls import path

from . import share, views

app_name = "onboarding"
urlpatterns = [
    path("preclose/", views.preclose_list, name="preclose_list"),
    path("preclose/<int:pk>/", views.preclose_detail, name="preclose_detail"),
    path("preclose/<int:pk>/start/", views.preclose_start, name="preclose_start"),
    path("review/", views.review_list, name="review_list"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/milestones/<str:code>/complete/", views.milestone_complete, name="milestone_complete"),
    path("plans/<int:pk>/activity/", views.activity_log, name="activity_log"),
    path("plans/<int:pk>/messages/", views.message_send, name="message_send"),
    path("plans/<int:pk>/checklist.csv", views.plan_checklist, name="plan_checklist"),
    path("plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("plans/<int:pk>/ttv-request/", views.ttv_request_create, name="ttv_request_create"),
    path("handoffs/<int:pk>/", views.handoff_detail, name="handoff_detail"),
    path("success-tasks/<int:pk>/complete/", views.success_task_complete, name="success_task_complete"),
    path("escalations/", views.escalation_report, name="escalation_report"),
    path("ttv-requests/<int:pk>/", views.ttv_request, name="ttv_request"),
    path("plans/<int:pk>/training/", views.training_schedule, name="training_schedule"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("plans/<int:pk>/checklist/", views.plan_checklist_page, name="plan_checklist_page"),
]

# The MAP as a shared plan (onboarding/share.py): the customer's read-only page and the team's actions.
urlpatterns += [
    path("share/map/<str:token>/", share.map_share_page, name="map_share"),
    path("maps/<int:pk>/share/", share.map_share_create_view, name="map_share_create"),
    path("maps/<int:pk>/share/<uuid:link_id>/revoke/", share.map_share_revoke_view, name="map_share_revoke"),
]

# Issue 20: the handoffs queue with bulk acknowledge (onboarding/handoffs.py).
from . import handoffs  # noqa: E402

urlpatterns += [
    path("handoffs/", handoffs.handoff_list, name="handoff_list"),
    path("handoffs/acknowledge/", handoffs.handoff_acknowledge_bulk, name="handoff_acknowledge_bulk"),
]
