import hashlib
import secrets

from django.db import models

from gtmos.core import clock


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class IntegrationToken(models.Model):
    """One bearer token per integration (a CRM, the usage feed, a call recorder). Only the hash is kept."""

    name = models.CharField(max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="First characters, to recognise it.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str) -> tuple["IntegrationToken", str]:
        raw = "gtm_" + secrets.token_urlsafe(32)
        token = cls.objects.create(name=name, token_hash=hash_token(raw), prefix=raw[:8])
        return token, raw


class IdempotencyRecord(models.Model):
    """The first response to (integration, Idempotency-Key); a replay is answered from here."""

    integration = models.ForeignKey(IntegrationToken, on_delete=models.CASCADE, related_name="requests")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="idempotency_once_per_key")]
