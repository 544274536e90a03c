"""Customer onboarding (seed 000 AGT-601, seed 003 handoff, seed 004 plans) and the prospect session (seed 002)."""

from .comms import CommunicationTemplate, ScheduledMessage
from .config import Milestone as MilestoneCode
from .config import OnboardingMilestoneConfig, OnboardingSettings, ProductValueEvent
from .deal import Deal
from .handoff import CSHandoff, SuccessTask
from .invite import TeamInvite
from .log import Escalation, OnboardingLog
from .outbound import OutboundEmail
from .plan import MilestoneItem, MutualActionPlan, OnboardingPlan, TTVChangeRequest
from .prospect import CaptureThrottle, CompanyNote, FallbackAnswers, OrgMember, Subscription, Takeoff
from .session import OnboardingSession, RouteDecision, SessionSettings, SessionState
from .share import MapShareLink
from .training import EscalationProcedure, TrainingSession, TrainingStatus

__all__ = [
    "CSHandoff",
    "CaptureThrottle",
    "CompanyNote",
    "FallbackAnswers",
    "OrgMember",
    "OutboundEmail",
    "Subscription",
    "Takeoff",
    "CommunicationTemplate",
    "Deal",
    "Escalation",
    "EscalationProcedure",
    "MapShareLink",
    "MilestoneCode",
    "MilestoneItem",
    "MutualActionPlan",
    "OnboardingLog",
    "OnboardingMilestoneConfig",
    "OnboardingPlan",
    "OnboardingSession",
    "OnboardingSettings",
    "ProductValueEvent",
    "RouteDecision",
    "ScheduledMessage",
    "SessionSettings",
    "SessionState",
    "SuccessTask",
    "TeamInvite",
    "TrainingSession",
    "TrainingStatus",
    "TTVChangeRequest",
]
