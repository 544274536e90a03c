"""Customer onboarding (seed 000 AGT-601, seed 003 handoff, seed 004 plans)."""

from .comms import CommunicationTemplate, ScheduledMessage
from .config import Milestone as MilestoneCode
from .config import OnboardingMilestoneConfig, OnboardingSettings, ProductValueEvent
from .handoff import CSHandoff, SuccessTask
from .log import Escalation, OnboardingLog
from .plan import MilestoneItem, MutualActionPlan, OnboardingPlan, TTVChangeRequest

__all__ = [
    "CSHandoff",
    "CommunicationTemplate",
    "Escalation",
    "MilestoneCode",
    "MilestoneItem",
    "MutualActionPlan",
    "OnboardingLog",
    "OnboardingMilestoneConfig",
    "OnboardingPlan",
    "OnboardingSettings",
    "ProductValueEvent",
    "ScheduledMessage",
    "SuccessTask",
    "TTVChangeRequest",
]
