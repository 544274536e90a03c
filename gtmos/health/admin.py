from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin, AuditedSingletonAdmin

from . import models


@admin.register(models.SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("responded_on", "account", "kind", "score", "contact", "external_id")
    list_filter = ("kind",)
    search_fields = ("external_id", "account__name", "account__external_id", "comment")
    raw_id_fields = ("account", "contact")
    list_select_related = ("account", "contact")
    date_hierarchy = "responded_on"
    show_full_result_count = False


@admin.register(models.SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = ("opened_on", "account", "subject", "priority", "status", "closed_on", "external_id")
    list_filter = ("priority", "status")
    search_fields = ("external_id", "subject", "account__name", "account__external_id")
    raw_id_fields = ("account",)
    list_select_related = ("account",)
    date_hierarchy = "opened_on"
    show_full_result_count = False


@admin.register(models.QBRLog)
class QBRLogAdmin(admin.ModelAdmin):
    list_display = ("scheduled_for", "account", "owner", "status", "completed_on", "outcome", "exec_sponsor_attended")
    list_filter = ("status", "outcome", "exec_sponsor_attended")
    search_fields = ("external_id", "account__name", "account__external_id", "owner__name")
    raw_id_fields = ("account", "owner")
    list_select_related = ("account", "owner")
    date_hierarchy = "scheduled_for"
    show_full_result_count = False


@admin.register(models.ExpansionLog)
class ExpansionLogAdmin(admin.ModelAdmin):
    list_display = ("opened_on", "account", "play", "status", "amount", "closed_on", "external_id")
    list_filter = ("status",)
    search_fields = ("external_id", "play", "account__name", "account__external_id")
    raw_id_fields = ("account",)
    list_select_related = ("account",)
    date_hierarchy = "opened_on"
    show_full_result_count = False


@admin.register(models.AdvocacyRecord)
class AdvocacyRecordAdmin(admin.ModelAdmin):
    list_display = ("occurred_on", "account", "kind", "external_id")
    list_filter = ("kind",)
    search_fields = ("external_id", "account__name", "account__external_id", "notes")
    raw_id_fields = ("account",)
    list_select_related = ("account",)
    date_hierarchy = "occurred_on"
    show_full_result_count = False


# --- RevOps configuration (audited) ----------------------------------------------------------------


@admin.register(models.HealthSettings)
class HealthSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    fieldsets = [
        (
            "Component weights (must add up to 100)",
            {"fields": ["weight_engagement", "weight_adoption", "weight_satisfaction", "weight_growth"]},
        ),
        (
            "Tiers and lifecycle segments",
            {
                "fields": [
                    "tier_low_min",
                    "tier_medium_min",
                    "tier_high_min",
                    "growing_from_day",
                    "established_from_day",
                ]
            },
        ),
        (
            "Measure thresholds",
            {
                "fields": [
                    "login_days_target",
                    "feature_breadth_target",
                    "seat_utilization_target_pct",
                    "usage_trend_floor_pct",
                    "usage_trend_full_pct",
                    "recency_full_days",
                    "recency_zero_days",
                    "exec_full_days",
                    "exec_zero_days",
                    "survey_lookback_days",
                    "ticket_lookback_days",
                    "ticket_penalties",
                    "growth_lookback_days",
                    "advocacy_target",
                ]
            },
        ),
        ("Outputs", {"fields": ["mover_points", "low_coverage_pct", "override_days", "task_overdue_escalation_days"]}),
    ]


class PlaybookStepInline(admin.TabularInline):
    model = models.PlaybookStep
    extra = 1
    fields = ("order", "kind", "title", "detail", "due_in_days", "owner_role", "email_subject", "email_body")


@admin.register(models.Playbook)
class PlaybookAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("name", "segment", "risk_stage", "active")
    list_filter = ("risk_stage", "segment", "active")
    inlines = [PlaybookStepInline]


# --- outputs (read in admin; written by the daily run and the CSM's actions) ---------------------------


@admin.register(models.CustomerHealthLog)
class CustomerHealthLogAdmin(admin.ModelAdmin):
    list_display = (
        "day",
        "account",
        "score",
        "computed_score",
        "tier",
        "lifecycle_segment",
        "in_onboarding",
        "coverage_pct",
        "score_change",
    )
    list_filter = ("tier", "lifecycle_segment", "in_onboarding")
    search_fields = ("account__name", "account__external_id")
    raw_id_fields = ("account", "override")
    list_select_related = ("account",)
    date_hierarchy = "day"
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # the daily record is what the model computed; a person overrides, never edits


class RetentionTaskInline(admin.TabularInline):
    model = models.RetentionTask
    extra = 0
    fields = ("title", "owner", "due_on", "status", "outcome", "escalated_at")
    readonly_fields = fields
    can_delete = False


@admin.register(models.ChurnRiskLog)
class ChurnRiskLogAdmin(admin.ModelAdmin):
    list_display = ("account", "stage", "opened_on", "score_at_open", "tier_at_open", "tenure_segment")
    list_filter = ("stage", "tier_at_open", "tenure_segment")
    search_fields = ("account__name",)
    raw_id_fields = ("account", "playbook")
    readonly_fields = ("stage",)
    inlines = [RetentionTaskInline]


@admin.register(models.HealthOverride)
class HealthOverrideAdmin(admin.ModelAdmin):
    list_display = ("account", "score", "set_by", "set_at", "expires_on", "cleared_at")
    search_fields = ("account__name", "reason")
    raw_id_fields = ("account", "set_by", "cleared_by")
