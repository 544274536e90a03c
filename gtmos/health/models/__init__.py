"""Customer health (the AGT-501 role, seeds 000 and 004): inputs, the daily log, churn risk, playbooks."""

from .config import HealthSettings
from .inputs import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse
from .intraday import HealthDirtyWrite, HealthRescore
from .log import AT_RISK_TIERS, RISK_ORDER, CustomerHealthLog, HealthOverride, LifecycleSegment, Tier
from .playbook import Playbook, PlaybookStep
from .risk import OPEN_STAGES, ChurnRiskLog, RetentionNote, RetentionTask, RiskStage

__all__ = [
    "AT_RISK_TIERS",
    "OPEN_STAGES",
    "RISK_ORDER",
    "AdvocacyRecord",
    "ChurnRiskLog",
    "CustomerHealthLog",
    "ExpansionLog",
    "HealthDirtyWrite",
    "HealthOverride",
    "HealthRescore",
    "HealthSettings",
    "LifecycleSegment",
    "Playbook",
    "PlaybookStep",
    "QBRLog",
    "RetentionNote",
    "RetentionTask",
    "RiskStage",
    "SupportTicket",
    "SurveyResponse",
    "Tier",
]
