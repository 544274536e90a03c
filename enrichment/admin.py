from django.contrib import admin, messages

from gtmos.core.admin_audit import AuditedConfigAdmin

from . import models
from .services.leads import LeadError, lead_delete


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "warmth", "captured_at", "converted_at", "consent_inbox")
    list_filter = ("source", "warmth", "consent_inbox")
    search_fields = ("email",)
    actions = ["delete_personal_data"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through lead_delete (PII rules, event log)
        return actions

    def delete_model(self, request, obj):
        lead_delete(lead=obj, reason="admin")

    @admin.action(description="Delete personal data (unconverted leads only)")
    def delete_personal_data(self, request, queryset):
        done = refused = 0
        for lead in queryset:
            try:
                lead_delete(lead=lead, reason="admin")
                done += 1
            except LeadError:
                refused += 1
        self.message_user(
            request, f"{done} deleted; {refused} refused (converted)", messages.WARNING if refused else messages.SUCCESS
        )


class AgentJobInline(admin.TabularInline):
    model = models.AgentJob
    extra = 0
    can_delete = False
    fields = readonly_fields = ("agent", "sync", "status", "attempts", "due_at", "next_attempt_at", "last_error")


@admin.register(models.EnrichmentRun)
class EnrichmentRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "mode", "status", "attempts", "started_at", "settled_at", "settled_by")
    list_filter = ("mode", "status")
    inlines = [AgentJobInline]


@admin.register(models.Firmographic)
class FirmographicAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("domain", "company", "org_type", "employees", "revenue", "hq_state", "source", "as_of")
    search_fields = ("domain", "company")


@admin.register(models.ProjectRecord)
class ProjectRecordAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("external_id", "source", "name", "state", "value", "bid_date")
    list_filter = ("source", "state")
    search_fields = ("name", "company", "external_id")


@admin.register(models.BidInvite)
class BidInviteAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "recipient_domain", "sender_company", "received_on")
