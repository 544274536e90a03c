"""Seed 002's Deal / BattlePack (white-glove only) and RevOps' numbers for the white-glove track.

The session (``OnboardingSession``) is the state machine; the Deal holds what the W-steps produce — the
battle pack (dossier, Sarah's pre-run takeoff on the prospect's real pursuit, drafted outreach, MEDDPICC
seeded from research), the AE's review, the meeting, the demo's technical win, the selling team's
commitments and the signed contract — and links the session to the CRM Opportunity opened at W5.
"""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q

from gtmos.core import clock
from gtmos.core.memo import RequestMemoSingleton

MEDDPICC_CELLS = (
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "identify_pain",
    "champion",
    "competition",
)
MEDDPICC_LABELS = {
    "metrics": "Metrics",
    "economic_buyer": "Economic buyer",
    "decision_criteria": "Decision criteria",
    "decision_process": "Decision process",
    "paper_process": "Paper process",
    "identify_pain": "Identify pain",
    "champion": "Champion",
    "competition": "Competition",
}


def meddpicc_blank() -> dict:
    """The Zwick MEDDPICC scorecard: each cell seeded by research (amber), confirmed by the AE (green);
    a cell research found nothing for stays red."""
    return {
        cell: {"value": "", "evidence": [], "confidence": 0.0, "status": "red", "confirmed": False}
        for cell in MEDDPICC_CELLS
    }


class DealQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The deal's AE and SDR, everyone up their manager chain, their SLM; RevOps and executives see all."""
        from gtmos.crm.access import sees_everything, team_ids

        if sees_everything(user):
            return self
        ids = team_ids(user)
        if not ids:
            return self.none()
        return self.filter(Q(ae_owner_id__any_of=ids) | Q(sdr_id__any_of=ids))  # gtmos/core/lookups.py


class Deal(models.Model):
    """Seed 002 Deal / BattlePack — white-glove only. The battle pack is prepared at W5; the AE reviews
    before anything is sent. ``stage`` mirrors the session's W-state for the pipeline pages."""

    class Stage(models.TextChoices):
        BATTLEPACK = "battlepack", "W5 · Battle pack"
        OUTREACH = "outreach", "W6 · Outreach"
        DISCOVERY = "discovery", "W7 · Discovery"
        DEMO = "demo", "W8 · Demo"
        SEAT = "seat", "W9 · Seat"
        CLOSED_WON = "closed_won", "W10 · Closed won"
        CLOSED_LOST = "closed_lost", "Closed lost"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField("onboarding.OnboardingSession", on_delete=models.CASCADE, related_name="deal")
    org = models.ForeignKey("crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opportunity = models.ForeignKey(
        "crm.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.BATTLEPACK)
    step_entered_at = models.DateTimeField(default=clock.now, help_text="When the deal entered its W-step.")
    meddpicc = models.JSONField(default=meddpicc_blank)
    dossier = models.JSONField(default=dict, blank=True)
    pursuit = models.ForeignKey(
        "enrichment.Pursuit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The prospect's real pursuit: takeoff and demo.",
    )
    takeoff = models.JSONField(default=dict, blank=True, help_text="Sarah's pre-run takeoff (provider result).")
    outreach_subject = models.CharField(max_length=200, blank=True)
    drafted_outreach = models.TextField(blank=True)
    pre_run_takeoff = models.ForeignKey(
        "onboarding.Takeoff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Sarah's pre-run takeoff of their real pursuit (the record the AE opens).",
    )
    security_review = models.JSONField(
        default=dict,
        blank=True,
        help_text="Seed 002 Phase 4 security-review path: required (with the rule and evidence), started, completed.",
    )
    ae_owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sdr = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    battlepack_ready_at = models.DateTimeField(null=True, blank=True)
    ae_reviewed_at = models.DateTimeField(null=True, blank=True)
    ae_reviewed_draft = models.CharField(
        max_length=64, blank=True, help_text="Hash of the subject + draft the AE reviewed: an edit voids it."
    )
    outreach_sent_at = models.DateTimeField(null=True, blank=True)
    meeting_at = models.DateTimeField(null=True, blank=True, help_text="The booked insight call.")
    demo_delivered_at = models.DateTimeField(null=True, blank=True)
    technical_win = models.JSONField(
        default=dict, blank=True, help_text="demoed / validated / objections, recorded at demo.delivered."
    )
    commitments = models.JSONField(default=list, blank=True, help_text="What the selling team promised.")
    contract_sent_at = models.DateTimeField(null=True, blank=True)
    contract_signed_at = models.DateTimeField(null=True, blank=True)
    seats = models.PositiveIntegerField(default=0, help_text="Seats on the signed contract.")
    lost_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = DealQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["ae_owner", "stage"], name="deal_ae_stage"),
            models.Index(fields=["sdr", "stage"], name="deal_sdr_stage"),
        ]

    def __str__(self) -> str:
        return f"Deal {str(self.id)[:8]} ({self.stage})"

    @property
    def company(self) -> str:
        return (self.dossier or {}).get("company", {}).get("name") or "Unnamed prospect"

    def meddpicc_confirmed(self, cell: str) -> bool:
        return bool((self.meddpicc or {}).get(cell, {}).get("confirmed"))

    @property
    def amber_cells(self) -> list[str]:
        return [c for c in MEDDPICC_CELLS if (self.meddpicc or {}).get(c, {}).get("status") == "amber"]


class WhiteGloveSettings(RequestMemoSingleton, models.Model):
    """RevOps' numbers for the white-glove track where the seeds are silent (README configuration). One row."""

    acv_default_mid = models.DecimalField(
        max_digits=14,
        decimal_places=0,
        default=Decimal("60000"),
        help_text="ACV estimate for a wg_mid deal when the size estimator gave none.",
    )
    acv_default_enterprise = models.DecimalField(
        max_digits=14,
        decimal_places=0,
        default=Decimal("200000"),
        help_text="ACV estimate for a wg_enterprise deal when the size estimator gave none.",
    )
    expected_cycle_days = models.PositiveSmallIntegerField(
        default=90, help_text="Expected close date = W5 + this many days (the opportunity's close date)."
    )
    amber_health_weight = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text="Deal health: a confirmed MEDDPICC cell counts 1, an amber (research-seeded) cell this much.",
    )
    amber_min_confidence = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text="Research below this confidence does not seed a cell: it stays red.",
    )
    stale_step_days = models.PositiveSmallIntegerField(
        default=14, help_text="Pipeline pages flag a deal this long in one W-step."
    )

    class Meta:
        verbose_name = verbose_name_plural = "white-glove settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="whiteglove_settings_singleton")]

    def __str__(self) -> str:
        return "White-glove settings"

    @classmethod
    def _load(cls) -> "WhiteGloveSettings":  # load(): once per GET request (gtmos/core/memo.py)
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
