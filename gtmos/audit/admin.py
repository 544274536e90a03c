from django.contrib import admin

from gtmos.core.admin_audit import ReadOnlyAdmin

from .models import Event, ExceptionLog, Notification


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: the Event log is append-only."""

    list_display = ("occurred_at", "type", "actor_type", "actor_label", "subject_type", "subject_id")
    list_filter = ("type", "actor_type")
    search_fields = ("type", "subject_id", "idempotency_key")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(ExceptionLog)
class ExceptionLogAdmin(admin.ModelAdmin):
    list_display = ("exception_type", "status", "account", "opportunity", "employee", "opened_at", "released_at")
    list_filter = ("exception_type", "status")
    search_fields = ("account__name", "opportunity__name", "reason")
    raw_id_fields = ("account", "opportunity", "employee")
    readonly_fields = ("opened_at", "released_at", "released_by", "opened_by")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "rule", "title", "read_at", "emailed_at")
    list_filter = ("rule",)
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient",)
