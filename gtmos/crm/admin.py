from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin

from . import models


@admin.register(models.Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "role", "manager", "slm", "segment", "territory", "is_active")
    list_filter = ("role", "segment", "is_active")
    search_fields = ("name", "email", "external_id")
    autocomplete_fields = ("user", "manager", "slm")


class ContactInline(admin.TabularInline):
    model = models.Contact
    extra = 0
    fields = ("name", "title", "buying_role", "is_executive_sponsor", "last_engaged_at")


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "segment", "owner", "am", "csm", "onboarding_status", "renewal_date", "arr")
    list_filter = ("segment", "onboarding_status", "is_customer", "vertical", "org_type")
    search_fields = ("name", "domain", "external_id")
    autocomplete_fields = ("owner", "am", "csm")
    list_select_related = ("owner", "am", "csm")
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "title", "buying_role", "is_executive_sponsor", "last_engaged_at")
    list_filter = ("buying_role", "is_executive_sponsor")
    search_fields = ("name", "email", "external_id", "account__name")
    autocomplete_fields = ("account",)
    list_select_related = ("account",)
    show_full_result_count = False


class StageChangeInline(admin.TabularInline):
    model = models.OpportunityStageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "changed_at")
    can_delete = False


@admin.register(models.Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "type", "stage", "acv", "deal_health_score", "close_date", "owner")
    list_filter = ("stage", "type", "account__segment")
    search_fields = ("name", "external_id", "account__name")
    autocomplete_fields = ("account", "owner", "se", "am", "csm", "sdr")
    list_select_related = ("account", "owner")
    # Stage moves go through the service so history, events and the order signal stay consistent.
    readonly_fields = ("stage", "stage_changed_at", "closed_at")
    inlines = [StageChangeInline]
    show_full_result_count = False


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "is_api_consumption", "is_implementation_service", "list_price", "active")
    list_filter = ("is_api_consumption", "is_implementation_service", "active")
    search_fields = ("sku", "name")


class QuoteLineInline(admin.TabularInline):
    model = models.QuoteLine
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(models.Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "term_months", "discount_pct", "term_exception", "created_at")
    list_filter = ("status", "term_exception")
    search_fields = ("external_id", "opportunity__name")
    autocomplete_fields = ("opportunity",)
    inlines = [QuoteLineInline]
    show_full_result_count = False


@admin.register(models.ImplementationSOW)
class ImplementationSOWAdmin(admin.ModelAdmin):
    list_display = ("account", "opportunity", "hours", "start_date", "end_date", "signed")
    list_filter = ("signed",)
    search_fields = ("account__name", "external_id")
    autocomplete_fields = ("account", "opportunity")


@admin.register(models.ConvIntelligenceCall)
class CallAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "owner", "owner_role", "account", "call_type", "quality_score", "sentiment")
    list_filter = ("owner_role", "call_type")
    search_fields = ("external_id", "account__name", "owner__name")
    autocomplete_fields = ("owner", "account", "opportunity")
    list_select_related = ("owner", "account")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(models.OpportunityBriefLog)
class OpportunityBriefLogAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "author", "stage", "objectives_met", "logged_at")
    list_filter = ("objectives_met", "stage")
    search_fields = ("opportunity__name",)
    autocomplete_fields = ("opportunity", "author")


@admin.register(models.DiscoveryBriefLog)
class DiscoveryBriefLogAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "author", "logged_at")
    search_fields = ("opportunity__name",)
    autocomplete_fields = ("opportunity", "author")


@admin.register(models.UsageDaily)
class UsageDailyAdmin(admin.ModelAdmin):
    list_display = ("account", "day", "active_seats", "consumption_units", "logins")
    search_fields = ("account__name", "account__external_id")
    autocomplete_fields = ("account",)
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(models.UsageEvent)
class UsageEventAdmin(admin.ModelAdmin):
    list_display = ("account", "day", "event_name", "count")
    list_filter = ("event_name",)
    search_fields = ("account__name", "event_name")
    autocomplete_fields = ("account",)
    show_full_result_count = False


@admin.register(models.RepActivity)
class RepActivityAdmin(admin.ModelAdmin):
    list_display = ("activity_date", "rep", "role", "activity_type", "account")
    list_filter = ("role", "activity_type")
    search_fields = ("rep__name", "account__name")
    autocomplete_fields = ("rep", "account", "contact")
    date_hierarchy = "activity_date"
    show_full_result_count = False


# Rep-performance records (seed 001). Quotas and the ledger come from the comp system through the ingest
# API or CSV; RevOps may correct them here, and every change is in the Event log.


@admin.register(models.TerritoryDefinition)
class TerritoryDefinitionAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("name", "segment", "region", "owner", "is_active")
    list_filter = ("segment", "region", "is_active")
    search_fields = ("name", "region", "owner__name")
    autocomplete_fields = ("owner",)


class QuotaLedgerInline(admin.TabularInline):
    model = models.QuotaRetirementLedger
    extra = 0
    fields = ("as_of_date", "closed_amount", "committed_amount", "rep_commit")
    ordering = ("as_of_date",)


@admin.register(models.Quota)
class QuotaAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("rep", "period", "period_start", "period_end", "amount", "segment", "territory")
    list_filter = ("period", "segment", "rep__role", "territory")
    search_fields = ("rep__name", "rep__email", "period")
    autocomplete_fields = ("rep",)
    list_select_related = ("rep", "territory")
    inlines = [QuotaLedgerInline]
    show_full_result_count = False


@admin.register(models.QuotaRetirementLedger)
class QuotaRetirementLedgerAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("quota", "as_of_date", "closed_amount", "committed_amount", "rep_commit")
    list_filter = ("quota__period", "quota__rep__role")
    search_fields = ("quota__rep__name", "quota__rep__email", "quota__period")
    raw_id_fields = ("quota",)
    list_select_related = ("quota__rep",)
    date_hierarchy = "as_of_date"
    show_full_result_count = False


@admin.register(models.CadenceEventLog)
class CadenceEventLogAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "sdr",
        "cadence_type",
        "cadence_name",
        "step",
        "channel",
        "responded",
        "meeting_booked",
        "meeting_accepted",
        "opportunity",
    )
    list_filter = ("cadence_type", "channel", "step", "responded", "meeting_booked", "meeting_accepted")
    search_fields = ("external_id", "cadence_id", "cadence_name", "sdr__name", "account__name")
    autocomplete_fields = ("sdr", "account", "contact", "opportunity")
    raw_id_fields = ("lead",)
    list_select_related = ("sdr", "opportunity")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
