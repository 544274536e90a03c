import uuid

from django.db import models
from django.db.models import Q

from gtmos.core import clock
from routing.enums import ProfileField

from ..enums import SIGNAL_SOURCES


class EnrichmentSignal(models.Model):
    """Seed 002 EnrichmentSignal: one value for one field, with a confidence and its provenance (the agent,
    or ``user`` for what the prospect stated). A retry replaces its own earlier value: (run, field, agent) is
    unique, so a redelivered or retried agent never duplicates a signal."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey("enrichment.EnrichmentRun", on_delete=models.CASCADE, related_name="signals")
    field = models.CharField(max_length=16, choices=ProfileField.choices)
    value = models.JSONField()
    confidence = models.FloatField()
    agent = models.CharField(max_length=16, choices=SIGNAL_SOURCES)
    evidence = models.CharField(max_length=300, blank=True, help_text="Why: the rule or source that matched.")
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["run", "field", "-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["run", "field", "agent"], name="signal_once_per_field_agent"),
            models.CheckConstraint(condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="signal_confidence_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value!r} @{self.confidence:.2f} ({self.agent})"
