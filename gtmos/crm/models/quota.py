"""Seed 001's QuotaStore, QuotaRetirementLedger and TerritoryDefinitions: what AE/AM attainment vs pace and
rep forecast accuracy (commit vs closed) are computed from. The comp system owns these numbers; AGT-701
only reads them (its guardrail: coaching writes no comp, quota or plan table)."""

from django.db import models
from django.db.models import F, Q

from ..querysets import QuotaLedgerQuerySet, RepRecordQuerySet
from .accounts import Segment


class TerritoryDefinition(models.Model):
    """A sales territory (seed 001 TerritoryDefinitions). ``Employee.territory`` holds its ``name``."""

    name = models.CharField(max_length=100, unique=True)
    segment = models.CharField(max_length=5, choices=Segment.choices, blank=True)
    region = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        "crm.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_territories",
        help_text="The territory's owner (usually its sales manager).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "territory (TerritoryDefinitions)"
        verbose_name_plural = "territories (TerritoryDefinitions)"

    def __str__(self) -> str:
        return self.name


class Quota(models.Model):
    """QuotaStore: one rep's quota for one period (a quarter, with its own start and end dates).

    ``segment`` is the segment the quota was set for, kept as it was that period, so segment
    benchmarks compare like with like after a rep moves."""

    rep = models.ForeignKey("crm.Employee", on_delete=models.PROTECT, related_name="quotas")
    period = models.CharField(max_length=20, help_text='The period\'s label, e.g. "2026-Q1".')
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    segment = models.CharField(max_length=5, choices=Segment.choices, blank=True)
    territory = models.ForeignKey(
        TerritoryDefinition, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RepRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "rep"]
        verbose_name = "quota (QuotaStore)"
        verbose_name_plural = "quotas (QuotaStore)"
        constraints = [
            models.UniqueConstraint(fields=["rep", "period"], name="quota_once_per_rep_period"),
            models.UniqueConstraint(fields=["rep", "period_start"], name="quota_once_per_rep_start"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="quota_period_ordered"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.rep} · {self.period} · {self.amount}"

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class QuotaRetirementLedger(models.Model):
    """QuotaRetirementLedger: how much of a quota is retired, as of a date (a weekly snapshot, say).

    ``closed_amount`` is credited closed-won, ``committed_amount`` the open pipeline in the commit
    category, and ``rep_commit`` the number the rep called for the period on that date. Attainment vs
    pace compares closed + committed with the quota's time-weighted pace at ``as_of_date``; forecast
    accuracy compares an earlier ``rep_commit`` with the closed amount of the period's last row."""

    quota = models.ForeignKey(Quota, on_delete=models.CASCADE, related_name="ledger")
    as_of_date = models.DateField()
    closed_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    committed_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    rep_commit = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="The rep's forecast call; blank if none."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuotaLedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of_date"]
        verbose_name = "quota retirement (QuotaRetirementLedger)"
        verbose_name_plural = "quota retirements (QuotaRetirementLedger)"
        constraints = [
            models.UniqueConstraint(fields=["quota", "as_of_date"], name="quota_ledger_once_per_day"),
            models.CheckConstraint(
                condition=Q(closed_amount__gte=0)
                & Q(committed_amount__gte=0)
                & (Q(rep_commit__isnull=True) | Q(rep_commit__gte=0)),
                name="quota_ledger_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quota} as of {self.as_of_date}"
