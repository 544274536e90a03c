from django.db import models

from gtmos.core import clock


class Profile(models.Model):
    """Seed 002 Profile: a read-only projection of a lead's signals, refreshed whenever a signal is written.
    Per field: the winning value, its confidence and its provenance. Never edited by hand — the prospect's
    answers are signals too (``agent = user``)."""

    lead = models.OneToOneField("enrichment.Lead", on_delete=models.CASCADE, primary_key=True, related_name="profile")
    company = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=300, blank=True)
    hq = models.CharField(max_length=200, blank=True)
    identity = models.CharField(max_length=12, blank=True)
    org_type = models.CharField(max_length=16, blank=True)
    size_band = models.CharField(max_length=12, blank=True)
    revenue_est = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    acv_est = models.DecimalField(max_digits=14, decimal_places=0, null=True, blank=True)
    role = models.CharField(max_length=200, blank=True)
    persona = models.CharField(max_length=12, blank=True)
    trade = models.CharField(max_length=40, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    service_area = models.JSONField(default=list, blank=True)
    project_mix = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=dict, blank=True, help_text="field → winning value (JSON form).")
    confidence = models.JSONField(default=dict, blank=True, help_text="field → confidence.")
    provenance = models.JSONField(default=dict, blank=True, help_text="field → {agent, signal}.")
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Profile of {self.lead_id}"
