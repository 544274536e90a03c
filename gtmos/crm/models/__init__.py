"""The GTM records every domain reads, modelled from the seeds' tables."""

from .accounts import Account, Contact, OnboardingStatus, Segment
from .activity import ConvIntelligenceCall, DiscoveryBriefLog, OpportunityBriefLog, RepActivity
from .deals import ImplementationSOW, Opportunity, OpportunityStageChange, Product, Quote, QuoteLine, Stage
from .people import Employee, Role
from .usage import UsageDaily, UsageEvent

__all__ = [
    "Account",
    "Contact",
    "ConvIntelligenceCall",
    "DiscoveryBriefLog",
    "Employee",
    "ImplementationSOW",
    "Opportunity",
    "OpportunityBriefLog",
    "OnboardingStatus",
    "OpportunityStageChange",
    "Product",
    "Quote",
    "QuoteLine",
    "RepActivity",
    "Role",
    "Segment",
    "Stage",
    "UsageDaily",
    "UsageEvent",
]
