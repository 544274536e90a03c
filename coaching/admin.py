"""Admin for RevOps and enablement: the settings and the action playbook are editable (and audited); the
logs AGT-701 writes are read-only here — managers decide in the coaching queue, which calls the services."""

from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin, AuditedSingletonAdmin, ReadOnlyAdmin

from . import models


@admin.register(models.CoachingSettings)
class CoachingSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    """Audited singleton (see AuditedSingletonAdmin)."""


@admin.register(models.CoachingPlay)
class CoachingPlayAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("role", "metric", "title", "active")
    list_filter = ("role", "active")
    search_fields = ("metric", "title", "action")


@admin.register(models.CriticalBound)
class CriticalBoundAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    """Per metric and role: the bound past which a daily flag fires (a percentile of the cohort or a value)."""

    list_display = ("role", "metric", "percentile", "value")
    list_filter = ("role",)
    list_editable = ("percentile", "value")
    search_fields = ("metric",)


class VisibleReadOnlyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(models.RepCoachingLog)
class RepCoachingLogAdmin(VisibleReadOnlyAdmin):
    list_display = (
        "rep",
        "role",
        "pattern_key",
        "coaching_date",
        "approval_status",
        "weeks_persisting",
        "escalated_to_slm",
        "resolution_date",
    )
    list_filter = ("role", "approval_status", "escalated_to_slm")
    search_fields = ("rep__name", "pattern_key")
    list_select_related = ("rep",)


@admin.register(models.RepSkillAssessmentLog)
class RepSkillAssessmentLogAdmin(VisibleReadOnlyAdmin):
    list_display = (
        "rep",
        "role",
        "assessment_date",
        "skill_dimension",
        "gap_detected",
        "severity",
        "trend",
        "cohort_percentile",
    )
    list_filter = ("role", "skill_dimension", "gap_detected", "severity", "trend")
    search_fields = ("rep__name",)
    list_select_related = ("rep",)


@admin.register(models.CoachingEscalation)
class CoachingEscalationAdmin(VisibleReadOnlyAdmin):
    list_display = ("rep", "kind", "fired_on", "to_manager", "to_slm", "resolved_at")
    list_filter = ("kind",)
    list_select_related = ("rep",)


@admin.register(models.DailyFlag)
class DailyFlagAdmin(VisibleReadOnlyAdmin):
    list_display = ("rep", "condition", "metric", "day", "value", "threshold", "bound_rule", "cleared_on")
    list_select_related = ("rep",)


@admin.register(models.Digest)
class DigestAdmin(VisibleReadOnlyAdmin):
    list_display = ("employee", "kind", "month", "generated_on", "emailed_at")
    list_filter = ("kind", "month")
