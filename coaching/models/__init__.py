from .config import CoachingPlay, CoachingSettings
from .log import ApprovalStatus, CoachingEscalation, RepCoachingLog
from .outputs import DailyFlag, Digest, RepMetricSnapshot
from .skills import RepSkillAssessmentLog, SkillDimension

__all__ = [
    "ApprovalStatus", "CoachingEscalation", "CoachingPlay", "CoachingSettings", "DailyFlag", "Digest",
    "RepCoachingLog", "RepMetricSnapshot", "RepSkillAssessmentLog", "SkillDimension",
]
