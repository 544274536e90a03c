from django.db import models
from django.db.models import Q

from gtmos.core import clock


class Payout(models.Model):
    """A rep's comp payout for a closed deal (the part of AGT-104 the MAP comp gate relies on)."""

    class Kind(models.TextChoices):
        ACV_COMMISSION = "acv_commission", "ACV commission"
        USAGE_REALIZATION = "usage_realization", "Usage realization"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "On hold"
        PAID = "paid", "Paid"

    employee = models.ForeignKey("crm.Employee", on_delete=models.PROTECT, related_name="payouts")
    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.PROTECT, related_name="payouts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    hold_reason = models.CharField(max_length=40, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["due_date"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "kind"], name="payout_once_per_deal_and_kind"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payout_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["status", "opportunity"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee} · {self.amount}"
