from django.db import models

from gtmos.core import clock


class CSHandoff(models.Model):
    """Seed 003's onboarding-to-customer-success handoff record, filed at M7."""

    class Warmth(models.TextChoices):
        COLD = "cold", "Cold"
        WARM = "warm", "Warm"
        STRONG = "strong", "Strong"

    plan = models.OneToOneField("onboarding.OnboardingPlan", on_delete=models.CASCADE, related_name="handoff")
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="cs_handoffs")
    delivery_date = models.DateField(help_text="Onboarding delivery date.")
    findings_document = models.CharField(max_length=300, blank=True, help_text="Path or link.")
    key_outcomes = models.TextField(help_text="What the customer received — top 3 outcomes.")
    satisfaction_signal = models.TextField(help_text="CX score, verbal feedback, any complaints.")
    relationship_warmth = models.CharField(max_length=6, choices=Warmth.choices)
    warmth_assessed_by = models.ForeignKey(
        "crm.Employee",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The AM or an executive (seed 003: CRO assessment).",
    )
    expansion_signals = models.TextField(blank=True)
    referral_potential = models.BooleanField()
    referral_basis = models.TextField()
    agreed_follow_up = models.TextField(blank=True)
    filed_by = models.ForeignKey("crm.Employee", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=clock.now)
    acknowledged_by = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    cs_owner = models.ForeignKey(
        "crm.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who owns the customer-success phase and must acknowledge.",
    )

    class Meta:
        verbose_name = "CS handoff"


class SuccessTask(models.Model):
    """The customer-success phase's first steps (seed 003 §4)."""

    class Kind(models.TextChoices):
        CHECK_IN_30 = "check_in_30", "30-day check-in"
        RENEWAL_EXPANSION_REVIEW = "renewal_expansion_review", "Renewal / expansion review"

    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="success_tasks")
    handoff = models.ForeignKey(CSHandoff, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(
        blank=True, default="", help_text="What was done (the check-in held, the review's outcome)."
    )
    reminded_due_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handoff", "kind"], name="success_task_once")]
