"""Records of the prospect pages (seed 002's self-serve tail and fallback): who the activated user is in
their Org, Sarah's takeoffs, the trial subscription, the classic form's answers and the capture throttle."""

import uuid

from django.conf import settings
from django.db import models

from gtmos.core import clock
from routing.enums import Persona, Surface


class OrgMember(models.Model):
    """Seed 002 ``User.role`` (Owner | Admin | Member) for the Org a Lead became at S8. The permission role
    is separate from the persona (DESIGN.md): the activating user is the Owner, whatever their persona;
    an invited teammate joins as a Member with the persona and surface the invite gave them."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_member")
    org = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(
        "onboarding.OnboardingSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    persona = models.CharField(max_length=12, choices=Persona.choices, blank=True)
    surface = models.CharField(max_length=14, choices=Surface.choices, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.persona or 'persona unknown'})"


class Takeoff(models.Model):
    """One of Sarah's takeoffs (S7 value proof, or the white-glove pre-run takeoff): the provider's result,
    stored as it came, with whether it was an offline estimate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        "onboarding.OnboardingSession", null=True, blank=True, on_delete=models.CASCADE, related_name="takeoffs"
    )
    pursuit = models.ForeignKey(
        "enrichment.Pursuit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pursuit_name = models.CharField(max_length=300)
    trade = models.CharField(max_length=40, blank=True)
    provider = models.CharField(max_length=40)
    offline = models.BooleanField()
    result = models.JSONField(help_text="TakeoffResult.as_dict()")
    # The white-glove pre-run takeoff (and any a rebuild superseded): Sarah ran it for the AE, not the prospect,
    # so it is never "the prospect's own takeoff" on their pages, though it hangs off the same session.
    pre_run = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Takeoff of {self.pursuit_name}"


class Subscription(models.Model):
    """Seed 002's real Subscription (Stripe, 21-day trial, plan_selection): one per Org, started at S9,
    card on file at S10. ``provider`` says which payment provider took the card (``demo``: no card at all)."""

    class Status(models.TextChoices):
        TRIALING = "trialing", "Trialing (no card)"
        CHECKOUT = "checkout", "Card checkout started"
        ACTIVE = "active", "Card on file"

    org = models.OneToOneField("crm.Account", on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(
        "onboarding.OnboardingSession", on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.CharField(max_length=40, default="self_serve")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRIALING)
    provider = models.CharField(max_length=20, blank=True)
    checkout_ref = models.CharField(
        max_length=200, blank=True, db_index=True, help_text="The provider's checkout session id."
    )
    customer_ref = models.CharField(max_length=200, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    trial_ends_on = models.DateField()
    card_captured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Subscription ({self.status})"


class FallbackAnswers(models.Model):
    """The classic form's answers (today's flow: organization type → service area → trades → market
    sectors → team invitations → activate), kept per session while the prospect walks it."""

    session = models.OneToOneField(
        "onboarding.OnboardingSession", on_delete=models.CASCADE, primary_key=True, related_name="fallback"
    )
    org_type = models.CharField(max_length=16, blank=True)
    service_area = models.JSONField(default=list, blank=True)
    trades = models.JSONField(default=list, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    invites_done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Classic form of {self.session_id}"


class CompanyNote(models.Model):
    """The company note a prospect edits in the workspace before S8 (there is no Org yet). At S8 it becomes
    the Org's ``context_notes`` (as the Lead's pursuits move to the Org); after S8 the Org's note is edited."""

    session = models.OneToOneField(
        "onboarding.OnboardingSession", on_delete=models.CASCADE, primary_key=True, related_name="company_note"
    )
    text = models.TextField(blank=True)
    edited_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Company note of {self.session_id}"


class CaptureThrottle(models.Model):
    """Email captures per client per window (against bots): one upserted counter row, shared by every web
    process, so the limit holds behind several gunicorn workers."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="capture_throttle_once")]
