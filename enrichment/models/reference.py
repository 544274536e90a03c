"""The local datasets the offline providers read. RevOps imports them (``import_csv`` / the ingest API)."""

from django.db import models

from gtmos.core import clock

from ..enums import PursuitSource


class Firmographic(models.Model):
    """One company in the firmographics table (aggregators, bonding data): size_estimator's source."""

    domain = models.CharField(max_length=253, unique=True, help_text="Registrable domain, lower case.")
    company = models.CharField(max_length=200)
    org_type = models.CharField(max_length=16, blank=True)
    trade = models.CharField(max_length=40, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    bonding_capacity = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    hq_city = models.CharField(max_length=100, blank=True)
    hq_state = models.CharField(max_length=2, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="Which aggregator or bonding list.")
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return f"{self.company} ({self.domain})"


class ProjectRecord(models.Model):
    """A permit, public bid or news item: project_finder matches them by company, trade and geography."""

    external_id = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=10, choices=PursuitSource.choices)
    name = models.CharField(max_length=300)
    company = models.CharField(max_length=200, blank=True, help_text="Named contractor or bidder, if any.")
    company_domain = models.CharField(max_length=253, blank=True, db_index=True)
    trades = models.JSONField(default=list, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, db_index=True)
    value = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    bid_date = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["-published_on", "external_id"]

    def __str__(self) -> str:
        return self.name


class BidInvite(models.Model):
    """A bid invitation seen in a prospect's inbox (synced by the inbox connector). Read only for leads that
    opted in to inbox access."""

    external_id = models.CharField(max_length=100, unique=True)
    recipient_domain = models.CharField(max_length=253, db_index=True)
    sender_company = models.CharField(max_length=200)
    sender_domain = models.CharField(max_length=253, blank=True)
    sender_org_type = models.CharField(max_length=16, blank=True)
    project_name = models.CharField(max_length=300, blank=True)
    trade = models.CharField(max_length=40, blank=True)
    received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.sender_company} → {self.recipient_domain}"


class SiteSnapshot(models.Model):
    """One fetch of a company site, shared by every agent that reads it (single flight per domain)."""

    class Status(models.TextChoices):
        FETCHING = "fetching", "Fetching"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    domain = models.CharField(max_length=253, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.FETCHING)
    final_url = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="Visible text, capped.")
    structured = models.JSONField(default=list, blank=True, help_text="schema.org JSON-LD objects.")
    meta = models.JSONField(default=dict, blank=True)
    pages = models.JSONField(
        default=list, blank=True, help_text="Each page read (url, kind, title, text): the provenance of every fact."
    )
    error = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.domain} ({self.status})"


class RemoteQuota(models.Model):
    """Calls made to one remote source (a vendor API) on one day, counted across every worker, so a daily plan
    is never overrun; past the quota — or when the vendor says it is spent — the agent uses its offline source."""

    source = models.CharField(max_length=40)
    day = models.DateField()
    used = models.PositiveIntegerField(default=0)
    exhausted = models.BooleanField(default=False, help_text="The vendor said the plan is spent for today.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "day"], name="remote_quota_once_per_day")]

    def __str__(self) -> str:
        return f"{self.source} {self.day}: {self.used}"
