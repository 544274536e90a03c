"""Seed 002's enums that the router reads or writes. The router is the lowest layer of the prospect flow
(enrichment feeds it, onboarding drives it), so the shared vocabulary lives here and imports nothing else.
"""

from django.db import models


class OrgType(models.TextChoices):
    """REAL enum (account-profiles.ts). ``platform`` exists in the app but never comes out of enrichment."""

    CONTRACTOR = "contractor", "General contractor"
    SUB_CONTRACTOR = "sub_contractor", "Subcontractor"
    CONSUMER = "consumer", "Homeowner / consumer"
    PLATFORM = "platform", "Platform"


class BusinessType(models.TextChoices):
    """REAL (onboarding-store.ts): the onboarding-facing label of OrgType."""

    GENERAL_CONTRACTOR = "general_contractor", "General contractor"
    SUB_CONTRACTOR = "sub_contractor", "Subcontractor"
    HOMEOWNER = "homeowner", "Homeowner"


BUSINESS_TYPE_OF = {
    OrgType.CONTRACTOR: BusinessType.GENERAL_CONTRACTOR,
    OrgType.SUB_CONTRACTOR: BusinessType.SUB_CONTRACTOR,
    OrgType.CONSUMER: BusinessType.HOMEOWNER,
}


class Warmth(models.TextChoices):
    COLD = "cold", "Cold (anonymous)"
    WARM = "warm", "Warm (email + name)"
    WARMEST = "warmest", "Warmest (+ role)"


WARMTH_RANK = {Warmth.COLD: 0, Warmth.WARM: 1, Warmth.WARMEST: 2}


class Track(models.TextChoices):
    SELF_SERVE = "self_serve", "Self-serve"
    WG_MID = "wg_mid", "White-glove (mid)"
    WG_ENTERPRISE = "wg_enterprise", "White-glove (enterprise)"


class Persona(models.TextChoices):
    """field → Field Ops, not chat."""

    ESTIMATOR = "estimator", "Estimator"
    OWNER_EXEC = "owner_exec", "Owner / executive"
    PM = "pm", "Project manager"
    FIELD = "field", "Field"


class CloseMotion(models.TextChoices):
    IN_FLOW_CARD = "in_flow_card", "In-flow card"
    AE_MEDDPICC = "ae_meddpicc", "AE + MEDDPICC"


class Surface(models.TextChoices):
    """REAL surfaces of the app."""

    JOBS = "jobs", "Jobs"
    CHAT = "chat", "Chat"
    SARAH = "sarah", "Sarah"
    COMPANY_BRAIN = "company_brain", "Company Brain"
    FIELD_OPS = "field_ops", "Field Ops"
    ANALYTICS = "analytics", "Analytics"
    NETWORK = "network", "Network"


class SizeBand(models.TextChoices):
    """Thresholds differ GC vs sub (RouterSettings)."""

    MICRO = "micro", "Micro"
    SMALL = "small", "Small"
    MID = "mid", "Mid"
    LARGE = "large", "Large"
    ENTERPRISE = "enterprise", "Enterprise"


class TakeoffFamily(models.TextChoices):
    """The 34 trades collapse into six takeoff recipes."""

    COUNT = "count", "Count"
    AREA = "area", "Area"
    LINEAR = "linear", "Linear"
    VOLUME = "volume", "Volume"
    WEIGHT = "weight", "Weight"
    SYSTEMS = "systems", "Systems"


class Identity(models.TextChoices):
    """What the email's domain says about who is behind it (G1)."""

    WORK = "work", "Work domain"
    FREE_MAIL = "free_mail", "Free-mail domain"
    DISPOSABLE = "disposable", "Disposable domain"


class ProfileField(models.TextChoices):
    """Seed 002's ProfileField (company|orgType|sizeBand|revenue|acv|role|trade|sectors|serviceArea) plus the
    other outputs the swarm table lists (website, HQ, persona, project mix) and G1's identity."""

    IDENTITY = "identity", "Identity"
    COMPANY = "company", "Company"
    WEBSITE = "website", "Website"
    HQ = "hq", "HQ"
    ORG_TYPE = "org_type", "Org type"
    SIZE_BAND = "size_band", "Size band"
    REVENUE = "revenue", "Revenue estimate"
    ACV = "acv", "ACV estimate"
    ROLE = "role", "Role"
    PERSONA = "persona", "Persona"
    TRADE = "trade", "Trade"
    SECTORS = "sectors", "Sectors"
    SERVICE_AREA = "service_area", "Service area"
    PROJECT_MIX = "project_mix", "Project mix"
