import uuid

from django.db import models

from gtmos.core import clock
from routing.enums import Persona


class TeamInvite(models.Model):
    """Seed 002 TeamInvite (extends the real TeamInvite{email, role}): the role is the invitee's, never a
    hard-coded "member", and the surface follows it — field roles go to Field Ops, everyone else to chat.
    Each invite spawns a warm Lead of its own."""

    class Surface(models.TextChoices):
        CHAT = "chat", "Chat"
        FIELD_OPS = "field_ops", "Field Ops"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("onboarding.OnboardingSession", on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(blank=True, help_text="Blanked when the invitee's Lead is deleted.")
    role = models.CharField(max_length=12, choices=Persona.choices)
    surface = models.CharField(max_length=10, choices=Surface.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    invitee_lead = models.OneToOneField(
        "enrichment.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="invite"
    )
    created_at = models.DateTimeField(default=clock.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"], condition=~models.Q(email=""), name="invite_once_per_session_email"
            )
        ]

    def __str__(self) -> str:
        return f"Invite ({self.role} → {self.surface}, {self.status})"

    @staticmethod
    def surface_for(role: str) -> str:
        return TeamInvite.Surface.FIELD_OPS if role == Persona.FIELD else TeamInvite.Surface.CHAT
