from django.contrib import admin

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
    list_display = ("scheduled_for", "account", "owner", "status", "completed_on", "outcome",
                    "exec_sponsor_attended")
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
