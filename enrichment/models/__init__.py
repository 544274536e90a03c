"""Seed 002's enrichment records: Lead, EnrichmentRun (+ one AgentJob per agent), EnrichmentSignal, Profile,
Pursuit and network links, and the local datasets the offline providers read."""

from .lead import Lead
from .profile import Profile
from .reference import BidInvite, Firmographic, ProjectRecord, RemoteQuota, SiteSnapshot
from .results import NetworkLink, Pursuit
from .run import AgentJob, EnrichmentRun
from .signal import EnrichmentSignal

__all__ = [
    "AgentJob",
    "BidInvite",
    "EnrichmentRun",
    "EnrichmentSignal",
    "Firmographic",
    "Lead",
    "NetworkLink",
    "ProjectRecord",
    "Profile",
    "Pursuit",
    "RemoteQuota",
    "SiteSnapshot",
]
