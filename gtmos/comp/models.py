from django.db import models
from django.db.models import Q

from gtmos.core import clock
from gtmos.crm.models import Role, Segment


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


class CompPlan(models.Model):
    """Seed 001's CompPlans, the part AGT-701 reads: a period's activity expectations, for one employee or
    for everyone in a role (optionally one segment). A blank expectation means the plan sets none.

    The plan that applies to a rep is their own, else their role-and-segment plan, else their role plan."""

    employee = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="comp_plans"
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="For a role-wide plan (blank for one employee's plan).",
    )
    segment = models.CharField(
        max_length=5, choices=Segment.choices, blank=True, help_text="Narrows a role-wide plan to one segment."
    )
    period = models.CharField(max_length=20, help_text='The plan period\'s label, e.g. "FY2026".')
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    touches_per_week = models.PositiveIntegerField(null=True, blank=True, help_text="Cadence touches sent.")
    calls_per_week = models.PositiveIntegerField(null=True, blank=True)
    meetings_per_month = models.PositiveIntegerField(null=True, blank=True, help_text="Meetings booked or held.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "role", "segment"]
        verbose_name = "comp plan (activity expectations)"
        constraints = [
            models.CheckConstraint(
                condition=(Q(employee__isnull=False) & Q(role="") & Q(segment=""))
                | (Q(employee__isnull=True) & ~Q(role="")),
                name="comp_plan_for_employee_or_role",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="comp_plan_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["employee", "period"],
                condition=Q(employee__isnull=False),
                name="comp_plan_once_per_employee_period",
            ),
            models.UniqueConstraint(
                fields=["role", "segment", "period"],
                condition=Q(employee__isnull=True),
                name="comp_plan_once_per_role_segment_period",
            ),
        ]

    def __str__(self) -> str:
        who = str(self.employee) if self.employee_id else f"{self.role} {self.segment}".strip()
        return f"{who} · {self.period}"
