from django.conf import settings
from django.db import models
from django.db.models import Q

from gtmos.core import clock


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an Event row."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the Event log is append-only")

    def delete(self):
        raise AppendOnlyError("the Event log is append-only")

    def for_subject(self, obj: models.Model) -> "EventQuerySet":
        return self.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk))


class Event(models.Model):
    """The append-only Event log: audit trail, analytics source and retry source of truth.

    Rows are never updated or deleted: the ORM refuses, and on PostgreSQL a trigger refuses too
    (migration 0002). The payload must never carry raw PII (emails, names, phone numbers).
    """

    class Actor(models.TextChoices):
        SYSTEM = "system", "System"
        USER = "user", "User"
        AGENT = "agent", "Agent"
        AE = "ae", "AE"
        INTEGRATION = "integration", "Integration"

    type = models.CharField(max_length=64, db_index=True, help_text="From the seeds' event catalogs.")
    actor_type = models.CharField(max_length=12, choices=Actor.choices, default=Actor.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text="Agent or integration name.")
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    account_id = models.BigIntegerField(null=True, blank=True, help_text="For account timelines.")
    payload = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    occurred_at = models.DateTimeField(default=clock.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "occurred_at"]),
            models.Index(fields=["account_id", "occurred_at"]),
            models.Index(fields=["type", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("the Event log is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the Event log is append-only")


class ExceptionLog(models.Model):
    """Exceptions other systems act on: e.g. ``map_signoff_hold`` (comp governance holds payouts)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"

    exception_type = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    account = models.ForeignKey(
        "crm.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="exceptions"
    )
    opportunity = models.ForeignKey(
        "crm.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="exceptions"
    )
    employee = models.ForeignKey(
        "crm.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exceptions",
        help_text="The rep the exception concerns (e.g. whose payouts are held).",
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(default=clock.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "exception log entry"
        verbose_name_plural = "exception log"
        constraints = [
            # One active exception of a type per deal: opening it twice is a no-op, not a duplicate.
            models.UniqueConstraint(
                fields=["exception_type", "opportunity"],
                condition=Q(status="active") & Q(opportunity__isnull=False),
                name="exceptionlog_one_active_per_opportunity",
            ),
            models.UniqueConstraint(
                fields=["exception_type", "account"],
                condition=Q(status="active") & Q(opportunity__isnull=True) & Q(account__isnull=False),
                name="exceptionlog_one_active_per_account",
            ),
        ]
        indexes = [models.Index(fields=["exception_type", "status"])]

    def __str__(self) -> str:
        return f"{self.exception_type} ({self.status})"


class Notification(models.Model):
    """In-app inbox entry; also emailed. Names the rule that fired and links to the record."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    rule = models.CharField(max_length=80, help_text="The rule that fired, e.g. map_signoff_hold.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at"], condition=Q(emailed_at__isnull=True), name="notif_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.recipient}"
