from django.contrib import admin

from .models import Payout


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "employee", "kind", "amount", "due_date", "status", "held_at", "released_at")
    list_filter = ("status", "kind")
    search_fields = ("opportunity__name", "employee__name")
    raw_id_fields = ("opportunity", "employee")
    readonly_fields = ("status", "hold_reason", "held_at", "released_at")
