from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin, AuditedSingletonAdmin, ReadOnlyAdmin

from . import models
from .models.deal import WhiteGloveSettings


@admin.register(models.OnboardingSettings)
class OnboardingSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    """Audited singleton (see AuditedSingletonAdmin)."""


@admin.register(models.ProductValueEvent)
class ProductValueEventAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("event_name", "product", "detection_method", "detection_signal", "active")
    list_filter = ("active", "detection_method", "product")
    search_fields = ("event_name", "detection_signal")

    def has_delete_permission(self, request, obj=None):
        return False  # RevOps retires value events (active = False) instead of deleting them


@admin.register(models.OnboardingMilestoneConfig)
class OnboardingMilestoneConfigAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("segment", "product", "code", "name", "day_offset", "owner_role", "evidence_required", "included")
    list_filter = ("segment", "code", "product")
    list_editable = ("day_offset", "owner_role", "evidence_required", "included")


class MilestoneInline(admin.TabularInline):
    model = models.MilestoneItem
    extra = 0
    fields = ("code", "name", "owner", "target_date", "status", "completed_on", "detected_by", "flagged_at")
    readonly_fields = fields
    can_delete = False


@admin.register(models.OnboardingPlan)
class OnboardingPlanAdmin(admin.ModelAdmin):
    list_display = ("account", "status", "preboarded", "contract_start_date", "csm", "ttv_completed_on")
    list_filter = ("status", "preboarded", "implementation_track", "account__segment")
    search_fields = ("account__name", "opportunity__name")
    raw_id_fields = ("account", "opportunity", "map", "csm")
    readonly_fields = ("status",)
    inlines = [MilestoneInline]


@admin.register(models.MutualActionPlan)
class MutualActionPlanAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "postsales_signoff_status", "slm_override", "comp_hold_active", "ttv_target_days")
    list_filter = ("postsales_signoff_status", "slm_override", "comp_hold_active")
    search_fields = ("opportunity__name", "account__name")
    raw_id_fields = ("opportunity", "account", "implementation_sow", "signoff_by", "slm_override_by")
    readonly_fields = ("postsales_signoff_status",)


@admin.register(models.OnboardingLog)
class OnboardingLogAdmin(admin.ModelAdmin):
    list_display = ("log_date", "account", "entry_type", "milestone_id", "escalation_type", "ttv_days_elapsed")
    list_filter = ("entry_type", "escalation_type", "in_onboarding")
    search_fields = ("account__name", "notes")
    raw_id_fields = ("account", "plan", "author")
    show_full_result_count = False


@admin.register(models.Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("fired_at", "plan", "kind", "resolved_at")
    list_filter = ("kind",)
    raw_id_fields = ("plan",)


@admin.register(models.CSHandoff)
class CSHandoffAdmin(admin.ModelAdmin):
    list_display = ("account", "delivery_date", "relationship_warmth", "filed_by", "acknowledged_by")
    raw_id_fields = ("plan", "account", "warmth_assessed_by", "filed_by", "acknowledged_by", "cs_owner")


@admin.register(models.CommunicationTemplate)
class CommunicationTemplateAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("name", "stage", "milestone", "subject", "active")
    list_filter = ("stage", "milestone", "active")
    search_fields = ("name", "subject")


@admin.register(models.ScheduledMessage)
class ScheduledMessageAdmin(admin.ModelAdmin):
    list_display = ("send_on", "plan", "contact", "subject", "status", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("plan", "template", "contact", "created_by")


admin.site.register(models.TTVChangeRequest)
admin.site.register(models.SuccessTask)


# --- prospect flow (seed 002) ---------------------------------------------------------------------------------


@admin.register(models.SessionSettings)
class SessionSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    """Audited singleton (see AuditedSingletonAdmin)."""


@admin.register(models.OnboardingSession)
class OnboardingSessionAdmin(admin.ModelAdmin):
    """Read-only: sessions move only through their transitions (onboarding.services.session)."""

    list_display = ("id", "state", "warmth", "track", "version", "last_event_at", "reason")
    list_filter = ("state", "warmth", "track")
    readonly_fields = [f.name for f in models.OnboardingSession._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- white-glove (seed 002 W5–W10) -----------------------------------------------------------------------


@admin.register(WhiteGloveSettings)
class WhiteGloveSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    """Audited singleton (see AuditedSingletonAdmin)."""


@admin.register(models.Deal)
class DealAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: deals move through the W-step services (the FSM), never by editing rows."""

    list_display = ("id", "stage", "ae_owner", "sdr", "opportunity", "step_entered_at")
    list_filter = ("stage",)
    list_select_related = ("ae_owner", "sdr", "opportunity")


@admin.register(models.EscalationProcedure)
class EscalationProcedureAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    """RevOps' part of the escalation procedures: the target time to resolve and the team's steps per kind."""

    list_display = ("__str__", "resolve_within_days", "follow_up_steps")
    list_editable = ("resolve_within_days",)

    def has_delete_permission(self, request, obj=None):
        return False  # every kind keeps a procedure


@admin.register(models.TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "plan", "audience", "scheduled_for", "status", "held_on")
    list_filter = ("status", "audience")
    raw_id_fields = ("plan", "trainer", "scheduled_by")
    filter_horizontal = ("invitees", "attendees")
    readonly_fields = ("status",)
