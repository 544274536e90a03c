from django.db import models
from django.db.models import Q

from ..querysets import AccountChildQuerySet


class UsageDaily(models.Model):
    """The usage feed (the AGT-804 role), one row per account per day."""

    # No index of its own: the unique (account, day) serves every lookup by account, and a second index was a
    # tenth of a usage batch's write (issue 21).
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="usage_days", db_index=False)
    day = models.DateField()
    active_seats = models.PositiveIntegerField(default=0)
    consumption_units = models.PositiveBigIntegerField(default=0)
    logins = models.PositiveIntegerField(default=0)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "usage (daily)"
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="usage_daily_account_day")]


class UsageEvent(models.Model):
    """Named product events per account per day ("first report exported", "api_call" …)."""

    # No index of its own: both indexes below lead with the account (issue 21, as UsageDaily).
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="usage_events", db_index=False)
    day = models.DateField()
    event_name = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=1)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "event_name"], name="usage_event_account_day_name"),
            models.CheckConstraint(condition=Q(count__gte=0), name="usage_event_count_non_negative"),
        ]
        indexes = [models.Index(fields=["account", "event_name", "day"])]
