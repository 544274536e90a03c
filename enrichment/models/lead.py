import uuid

from django.db import models
from django.db.models import Q

from gtmos.core import clock
from routing.enums import Warmth

from ..enums import LeadSource


class Lead(models.Model):
    """Seed 002 Lead. Holds the only personal data of the prospect flow (email, name, title): deleting the
    Lead before it converts removes it, with its signals; the Event log keeps only ids and outcomes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(null=True, blank=True, help_text="Null only in fully-anonymous cold pre-capture.")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="Signature / invite title, if given.")
    source = models.CharField(max_length=12, choices=LeadSource.choices)
    warmth = models.CharField(max_length=8, choices=Warmth.choices, default=Warmth.COLD)
    identity_known = models.BooleanField(default=False)
    consent_inbox = models.BooleanField(default=False, help_text="Explicit opt-in: bid-invite seeding.")
    consent_inbox_at = models.DateTimeField(null=True, blank=True)
    consent_inbox_version = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text="The consent text version the prospect agreed to (enrichment.consent).",
    )
    consent_marketing = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=200, unique=True, help_text="Capture key: a replay is one Lead.")
    captured_at = models.DateTimeField(default=clock.now, db_index=True)
    converted_at = models.DateTimeField(null=True, blank=True, help_text="S8: became an Org + User.")

    class Meta:
        ordering = ["-captured_at"]
        indexes = [
            models.Index(fields=["captured_at"], condition=Q(converted_at__isnull=True), name="lead_unconverted_by_age")
        ]

    def __str__(self) -> str:
        return f"Lead {str(self.id)[:8]} ({self.warmth}, {self.source})"

    @property
    def consent(self) -> dict:
        return {"inbox": self.consent_inbox, "marketing": self.consent_marketing}

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower() if self.email and "@" in self.email else ""
