import uuid

from django.db import models
from django.db.models import Q

from gtmos.core import clock

from ..enums import NetworkSource, PursuitSource, PursuitStatus


class Pursuit(models.Model):
    """Seed 002 Pursuit (→ the real Job kanban), found by project_finder. Belongs to the Lead before signup
    and moves to the Org (the CRM Account) at S8 (DESIGN.md)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(
        "enrichment.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="pursuits"
    )
    org = models.ForeignKey("crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(
        "enrichment.ProjectRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    bid_date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    trade = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=10, choices=PursuitSource.choices)
    status = models.CharField(max_length=10, choices=PursuitStatus.choices, default=PursuitStatus.FOUND)
    match_score = models.FloatField(default=0, help_text="How well company, trade and geography matched.")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["bid_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "record"], condition=Q(record__isnull=False), name="pursuit_once_per_lead_record"
            ),
            models.CheckConstraint(condition=Q(lead__isnull=False) | Q(org__isnull=False), name="pursuit_has_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class NetworkLink(models.Model):
    """A sub or GC the prospect works with, from CRM records or (with inbox consent) bid invites."""

    class Relation(models.TextChoices):
        SUB = "sub", "Subcontractor"
        GC = "gc", "General contractor"

    lead = models.ForeignKey("enrichment.Lead", on_delete=models.CASCADE, related_name="network")
    company = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)
    relation = models.CharField(max_length=3, choices=Relation.choices)
    trade = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=10, choices=NetworkSource.choices)
    account = models.ForeignKey("crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    strength = models.PositiveSmallIntegerField(default=1, help_text="Invites or shared projects seen.")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-strength", "company"]
        constraints = [models.UniqueConstraint(fields=["lead", "source", "company"], name="network_link_once")]

    def __str__(self) -> str:
        return f"{self.company} ({self.relation})"
