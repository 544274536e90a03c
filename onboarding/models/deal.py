import uuid

from django.db import models

from gtmos.core import clock

MEDDPICC_CELLS = ("metrics", "economic_buyer", "decision_criteria", "decision_process", "paper_process",
                  "identify_pain", "champion", "competition")


def meddpicc_blank() -> dict:
    """The Zwick MEDDPICC scorecard: each cell seeded by research (amber), confirmed by the AE (green)."""
    return {cell: {"value": "", "status": "red", "confirmed": False} for cell in MEDDPICC_CELLS}


class Deal(models.Model):
    """Seed 002 Deal / BattlePack — white-glove only. The battle pack (dossier, drafted outreach, MEDDPICC
    seeded by research, Sarah's pre-run takeoff) is prepared at W5; the AE reviews before anything is sent.
    The white-glove issue fills it in and opens the CRM Opportunity."""

    class Stage(models.TextChoices):
        BATTLEPACK = "battlepack", "Battle pack"
        OUTREACH = "outreach", "Outreach"
        DISCOVERY = "discovery", "Discovery"
        DEMO = "demo", "Demo"
        SEAT = "seat", "Seat"
        CLOSED_WON = "closed_won", "Closed won"
        CLOSED_LOST = "closed_lost", "Closed lost"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField("onboarding.OnboardingSession", on_delete=models.CASCADE, related_name="deal")
    org = models.ForeignKey("crm.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opportunity = models.ForeignKey("crm.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.BATTLEPACK)
    meddpicc = models.JSONField(default=meddpicc_blank)
    dossier = models.JSONField(default=dict, blank=True)
    drafted_outreach = models.TextField(blank=True)
    pre_run_takeoff_id = models.UUIDField(null=True, blank=True, help_text="Sarah, on their real pursuit.")
    ae_owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sdr = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    battlepack_ready_at = models.DateTimeField(null=True, blank=True)
    ae_reviewed_at = models.DateTimeField(null=True, blank=True)
    contract_signed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Deal {str(self.id)[:8]} ({self.stage})"

    def meddpicc_confirmed(self, cell: str) -> bool:
        return bool((self.meddpicc or {}).get(cell, {}).get("confirmed"))
