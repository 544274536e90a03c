"""Seed 002's enrichment enums (the shared routing vocabulary lives in ``routing.enums``)."""

from django.db import models


class LeadSource(models.TextChoices):
    PLG_INVITE = "plg_invite", "PLG invite"
    REFERRAL = "referral", "Referral"
    SEARCH = "search", "Search"
    AD = "ad", "Ad"
    OUTBOUND = "outbound", "Outbound"
    BID_PORTAL = "bid_portal", "Bid portal"
    EVENT = "event", "Event"


class AgentId(models.TextChoices):
    DOMAIN_SITE = "domain_site", "Domain & site"
    CLASSIFIER = "classifier", "Classifier"
    SIZE_ESTIMATOR = "size_estimator", "Size estimator"
    ROLE_RESOLVER = "role_resolver", "Role resolver"
    PROJECT_FINDER = "project_finder", "Project finder"
    NETWORK_SEEDER = "network_seeder", "Network seeder"


# The four agents the confirm needs (they gate S2→S3); the other two can lag behind the user.
SYNC_AGENTS = (AgentId.DOMAIN_SITE, AgentId.CLASSIFIER, AgentId.SIZE_ESTIMATOR, AgentId.ROLE_RESOLVER)
ASYNC_AGENTS = (AgentId.PROJECT_FINDER, AgentId.NETWORK_SEEDER)

# Provenance of a signal the prospect gave us (confirm chips, the role question, an inviter's word).
USER_SOURCE = "user"
SIGNAL_SOURCES = [*AgentId.choices, (USER_SOURCE, "Prospect (stated)")]


class EnrichmentStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PARTIAL = "partial", "Partial"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


TERMINAL_RUN_STATUSES = (EnrichmentStatus.PARTIAL, EnrichmentStatus.COMPLETE, EnrichmentStatus.FAILED)


class RunMode(models.TextChoices):
    SYNC_CRITICAL = "sync_critical", "Sync (critical path, cold)"
    ASYNC_PREFETCH = "async_prefetch", "Async prefetch (warm)"


class JobStatus(models.TextChoices):
    """One agent's progress on one run; the retry ladder lives on these rows."""

    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    RETRY_WAIT = "retry_wait", "Waiting to retry"
    ABANDONED = "abandoned", "Abandoned (ladder exhausted)"
    SKIPPED = "skipped", "Skipped (flag off / no consent)"


class PursuitSource(models.TextChoices):
    PERMIT = "permit", "Permit"
    PUBLIC_BID = "public_bid", "Public bid"
    NEWS = "news", "News"


class PursuitStatus(models.TextChoices):
    FOUND = "found", "Found"
    SCOPED = "scoped", "Scoped"
    WATCHING = "watching", "Watching"


class NetworkSource(models.TextChoices):
    CRM = "crm", "CRM records"
    BID_INVITE = "bid_invite", "Bid invite (inbox, with consent)"
