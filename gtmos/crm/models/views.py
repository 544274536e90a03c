from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A user's named filters + sort on one list page (issue 20 item 3). Private: only its owner lists, applies or
    deletes it. ``query`` is the page's canonical query string, kept to the page's known parameters (see
    gtmos/crm/lists.py), so a saved view is a plain link and never smuggles in anything else."""

    class Page(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        OPPORTUNITIES = "opportunities", "Opportunities"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField(max_length=20, choices=Page.choices)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"], name="crm_saved_view_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.page})"
