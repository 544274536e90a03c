from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin

from .models import CompPlan, Payout


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "employee", "kind", "amount", "due_date", "status", "held_at", "released_at")
    list_filter = ("status", "kind")
    search_fields = ("opportunity__name", "employee__name")
    raw_id_fields = ("opportunity", "employee")
    readonly_fields = ("status", "hold_reason", "held_at", "released_at")


@admin.register(CompPlan)
class CompPlanAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "employee",
        "role",
        "segment",
        "period",
        "period_start",
        "period_end",
        "touches_per_week",
        "calls_per_week",
        "meetings_per_month",
    )
    list_filter = ("period", "role", "segment")
    search_fields = ("employee__name", "employee__email", "period")
    autocomplete_fields = ("employee",)
    list_select_related = ("employee",)
