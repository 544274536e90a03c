from django.db import models
from django.db.models import Q

from ..querysets import AccountChildQuerySet, AccountQuerySet


class Segment(models.TextChoices):
    # Values match seed 000's JSON keys ({smb:30, mm:60, ent:90}).
    SMB = "smb", "SMB"
    MM = "mm", "Mid-Market"
    ENTERPRISE = "ent", "Enterprise"


class OnboardingStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PRE_CLOSE = "pre_close", "Pre-close"
    ACTIVE = "active", "Active"
    COMPLETE = "complete", "Complete"


class Account(models.Model):
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    segment = models.CharField(max_length=5, choices=Segment.choices, db_index=True)
    vertical = models.CharField(max_length=100, blank=True)
    # Seed 002 Org.orgType (contractor | sub_contractor | consumer | platform) and, for subs, the trade: what the
    # prospect flow classified, carried onto the Account at S8 so RevOps and the AccountProfile features see it.
    # db_default: bulk loaders that COPY explicit columns (the demo seeder) need not name them.
    org_type = models.CharField(max_length=16, blank=True, default="", db_default="")
    trade = models.CharField(max_length=40, blank=True, default="", db_default="")
    # Seed 002 ``context_notes`` (Company Brain, "auto pre-fill from enrichment"): the company note the prospect
    # keeps in the workspace. Written at S8 from the note they saved (or the Profile's pre-fill), edited after.
    context_notes = models.TextField(blank=True, default="", db_default="")
    region = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        "crm.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        help_text="Account owner (usually the AE).",
    )
    am = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="am_accounts")
    csm = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="csm_accounts"
    )
    contract_start_date = models.DateField(null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True, db_index=True)
    contracted_seats = models.PositiveIntegerField(default=0)
    contracted_consumption_units = models.PositiveBigIntegerField(default=0)
    arr = models.DecimalField("ARR", max_digits=14, decimal_places=2, default=0)
    is_customer = models.BooleanField(default=False, db_index=True)
    churned_on = models.DateField(null=True, blank=True)

    # Seed 000 "Accounts extensions". The MAP link is the reverse side of MutualActionPlan.account
    # (onboarding depends on crm, never the other way), so ``map_id`` is not a column here.
    onboarding_status = models.CharField(
        max_length=12, choices=OnboardingStatus.choices, default=OnboardingStatus.NOT_STARTED, db_index=True
    )
    onboarding_start_date = models.DateField(null=True, blank=True, help_text="Contract start / close date.")
    onboarding_complete_date = models.DateField(null=True, blank=True, help_text="Date the CSM closed M7.")
    ttv_achieved_days = models.PositiveIntegerField(null=True, blank=True)
    ttv_target_days = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(arr__gte=0), name="account_arr_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    class BuyingRole(models.TextChoices):
        ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
        CHAMPION = "champion", "Champion"
        TECHNICAL_BUYER = "technical_buyer", "Technical buyer"
        END_USER = "end_user", "End user"
        INFLUENCER = "influencer", "Influencer"
        BLOCKER = "blocker", "Blocker"
        OTHER = "other", "Other"

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    buying_role = models.CharField(max_length=20, choices=BuyingRole.choices, default=BuyingRole.OTHER)
    is_executive_sponsor = models.BooleanField(default=False)
    last_engaged_at = models.DateTimeField(null=True, blank=True)

    objects = AccountChildQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["account", "is_executive_sponsor"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.account}"
