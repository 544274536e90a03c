"""Re-scoring on the signal (issue 21): which accounts have new health inputs, and the intraday re-scores.

A write to any table that feeds a measure marks its account dirty in the same transaction — a statement-level
PostgreSQL trigger (migration 0003), so every path counts: the ORM, the ingest API, CSV imports' COPY, the
admin. The intraday drain re-scores dirty accounts with the daily job's pure scoring and writes a
``HealthRescore``; the daily ``CustomerHealthLog`` stays the day's record of truth and never reads these.
"""

from django.db import models

from gtmos.core import clock
from gtmos.crm.querysets import AccountChildQuerySet

from .log import LifecycleSegment, Tier

# The trigger's name for each feeding table → how the explain page says what arrived.
WRITE_LABELS = {
    "usage_day": ("usage day", "usage days"),
    "usage_event": ("product event", "product events"),
    "survey": ("survey response", "survey responses"),
    "ticket": ("support ticket", "support tickets"),
    "qbr": ("QBR", "QBRs"),
    "expansion": ("expansion play", "expansion plays"),
    "advocacy": ("advocacy record", "advocacy records"),
    "contact": ("contact update", "contact updates"),
    "activity": ("activity", "activities"),
    "onboarding_log": ("onboarding log entry", "onboarding log entries"),
    "milestone": ("milestone update", "milestone updates"),
    "account": ("account update", "account updates"),
}


def describe_writes(writes: dict) -> str:
    """{"usage_day": 3, "ticket": 1} → "3 usage days and 1 support ticket"."""
    parts = []
    for kind, n in sorted(writes.items(), key=lambda kv: (-kv[1], kv[0])):
        one, many = WRITE_LABELS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
        parts.append(f"{n} {one if n == 1 else many}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "new data"


class HealthDirtyWrite(models.Model):
    """One feeding statement's writes to one account, not yet re-scored: an append-only log the trigger writes.

    Append-only because the writers are the hot path: an upsert into one row per account made every usage
    batch update (and lock, until commit) a row per account — half a 5,000-row API batch's server time, and
    concurrent writers to one hot account queued on that lock. A plain insert takes no row lock and touches
    one index; the drain sums the rows per account as it deletes them. No foreign-key constraint: the trigger
    fires while an account's children are deleted with it, and rows for a gone account are dropped by the
    next drain.
    """

    account = models.ForeignKey("crm.Account", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kind = models.CharField(max_length=16, help_text='The feed, as WRITE_LABELS names it: "usage_day".')
    rows = models.PositiveIntegerField(help_text="How many of the statement's rows were this account's.")
    at = models.DateTimeField(help_text="The database's clock at the write: the drain debounces on it.")

    @classmethod
    def pending(cls, account_id: int) -> dict[str, int]:
        """The writes waiting to be re-scored for one account, by kind: {"usage_day": 3}."""
        totals: dict[str, int] = {}
        for kind, rows in cls.objects.filter(account_id=account_id).values_list("kind", "rows"):
            totals[kind] = totals.get(kind, 0) + rows
        return totals


class HealthRescore(models.Model):
    """One intraday re-score: the account's current score between two daily runs, and what triggered it.

    The same columns as ``CustomerHealthLog``, so the explain page shows either as the current record.
    """

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="health_rescores")
    day = models.DateField(help_text="The day the inputs were read as of.")
    scored_at = models.DateTimeField(default=clock.now)
    writes = models.JSONField(default=dict, help_text="What arrived: the dirty row's writes by kind.")
    first_write_at = models.DateTimeField(null=True, blank=True)
    last_write_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField()
    computed_score = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=8, choices=Tier.choices)
    lifecycle_segment = models.CharField(max_length=11, choices=LifecycleSegment.choices)
    in_onboarding = models.BooleanField(default=False)
    coverage_pct = models.PositiveSmallIntegerField()
    components = models.JSONField(default=dict)
    measures = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict)
    data_gaps = models.JSONField(default=list)
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_change = models.SmallIntegerField(null=True, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    override = models.ForeignKey(
        "health.HealthOverride", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drop_notified = models.BooleanField(default=False, help_text="This re-score sent the CSM a drop notice.")

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["-scored_at"]
        indexes = [models.Index(fields=["account", "-scored_at"])]

    def __str__(self) -> str:
        return f"{self.account} · {self.scored_at:%Y-%m-%d %H:%M} · {self.score}"

    @property
    def is_overridden(self) -> bool:
        return self.override_id is not None

    @property
    def why(self) -> str:
        return describe_writes(self.writes)
