"""A customer-shareable, read-only link to a MAP (issue 20: the MAP as a shared plan, as Rocketlane/GUIDEcx offer).

The URL carries a signed token (django.core.signing, so a tampered token is refused and an old one expires);
the row is what a revocation switches off, and who shared what with whom stays on record.
"""

import uuid

from django.db import models

from gtmos.core import clock


class MapShareLink(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    map = models.ForeignKey("onboarding.MutualActionPlan", on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey("crm.Employee", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_opened_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"share link for MAP {self.map_id}"
