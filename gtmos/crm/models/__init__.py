"""The GTM records every domain reads, modelled from the seeds' tables."""

from .accounts import Account, Contact, OnboardingStatus, Segment
from .activity import ConvIntelligenceCall, DiscoveryBriefLog, OpportunityBriefLog, RepActivity
from .cadence import CadenceEventLog, CadenceType, TouchChannel
from .deals import ImplementationSOW, Opportunity, OpportunityStageChange, Product, Quote, QuoteLine, Stage
from .people import Employee, Role
from .quota import Quota, QuotaRetirementLedger, TerritoryDefinition
from .usage import UsageDaily, UsageEvent
from .views import SavedView

__all__ = [
    "Account",
    "CadenceEventLog",
    "CadenceType",
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
    "Quota",
    "QuotaRetirementLedger",
    "QuoteLine",
    "RepActivity",
    "SavedView",
    "Role",
    "Segment",
    "Stage",
    "TerritoryDefinition",
    "TouchChannel",
    "UsageDaily",
    "UsageEvent",
]
