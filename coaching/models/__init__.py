from .config import CoachingPlay, CoachingSettings, CriticalBound
from .log import ApprovalStatus, CoachingEscalation, RepCoachingLog
from .outputs import DailyFlag, Digest, RepMetricSnapshot
from .skills import RepSkillAssessmentLog, SkillDimension

__all__ = [
    "ApprovalStatus",
    "CoachingEscalation",
    "CoachingPlay",
    "CoachingSettings",
    "CriticalBound",
    "DailyFlag",
    "Digest",
    "RepCoachingLog",
    "RepMetricSnapshot",
    "RepSkillAssessmentLog",
    "SkillDimension",
]
