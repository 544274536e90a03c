"""The MAP (the contract between selling and post-sales teams) and the onboarding plan it drives."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from gtmos.core import clock
from gtmos.core.fsm import StateMachineMixin

from .config import Milestone


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ..access import plan_q

        q = plan_q(user)
        return self if q is None else self.filter(q)  # plan_q joins nothing that repeats a plan


class MapQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ..access import plan_q

        q = plan_q(user, prefix="plan__")
        return self if q is None else self.filter(q)


class SignoffStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


def _not_overridden(map_: "MutualActionPlan") -> bool:
    return not map_.slm_override


class MutualActionPlan(StateMachineMixin, models.Model):
    """Seed 000's MutualActionPlan. Written by the selling team during the deal; post-sales sign-off
    is the comp gate. Sign-off locks the TTV target (later changes need SLM approval)."""

    opportunity = models.OneToOneField("crm.Opportunity", on_delete=models.CASCADE, related_name="map")
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="maps")
    selected_value_events = models.JSONField(
        default=list, blank=True, help_text='[{"value_event_id": 1, "target_date": "2026-04-01"}]'
    )
    technical_win_details = models.TextField(blank=True)
    selling_team_commitments = models.TextField(blank=True)
    customer_stakeholder_map = models.JSONField(
        default=list, blank=True, help_text='[{"contact_id": 5, "role": "technical_setup"}]'
    )
    implementation_sow = models.ForeignKey("crm.ImplementationSOW", null=True, blank=True, on_delete=models.SET_NULL)
    ttv_target_days = models.PositiveSmallIntegerField(null=True, blank=True)
    ttv_target_manual = models.BooleanField(
        default=False, help_text="Set by hand on the MAP; otherwise derived from value events or the segment default."
    )
    ttv_locked_at = models.DateTimeField(null=True, blank=True)

    postsales_signoff_status = FSMField(default=SignoffStatus.PENDING, choices=SignoffStatus.choices, protected=True)
    signoff_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signoff_timestamp = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    risk_notes = models.TextField(blank=True, help_text="Post-sales' documented risks on acceptance.")
    slm_override = models.BooleanField(default=False)
    slm_override_by = models.ForeignKey(
        "crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slm_override_at = models.DateTimeField(null=True, blank=True)
    slm_override_note = models.TextField(blank=True)
    targets_escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="Post-sales escalated unrealistic targets to the SLM."
    )
    targets_escalation_note = models.TextField(blank=True)
    comp_hold_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MapQuerySet.as_manager()

    class Meta:
        verbose_name = "mutual action plan (MAP)"
        indexes = [models.Index(fields=["postsales_signoff_status"])]

    def __str__(self) -> str:
        return f"MAP · {self.opportunity}"

    @property
    def signed_off(self) -> bool:
        return self.postsales_signoff_status == SignoffStatus.ACCEPTED or self.slm_override

    # Seed 000: a rejected deal "can proceed only with SLM override" — never by a later acceptance.
    @transition(field=postsales_signoff_status, source=SignoffStatus.PENDING, target=SignoffStatus.ACCEPTED)
    def accept(self, *, by, risk_notes: str = ""):
        """Post-sales accepts the handoff (with risk notes): lifts the comp hold, locks the TTV target."""
        now = clock.now()
        self.signoff_by, self.signoff_timestamp, self.risk_notes = by, now, risk_notes
        self.ttv_locked_at = self.ttv_locked_at or now

    @transition(field=postsales_signoff_status, source=SignoffStatus.PENDING, target=SignoffStatus.REJECTED)
    def reject(self, *, by, reason: str):
        """Post-sales rejects the deal handoff: hold on MAP sign-off, comp hold, SLM escalation."""
        self.signoff_by, self.signoff_timestamp, self.rejection_reason = by, clock.now(), reason

    @transition(
        field=postsales_signoff_status,
        source=SignoffStatus.REJECTED,
        target=SignoffStatus.REJECTED,
        conditions=[_not_overridden],
    )
    def override(self, *, slm, note: str):
        """The SLM approves proceeding despite the rejection (recorded with the SLM's name)."""
        now = clock.now()
        self.slm_override, self.slm_override_by, self.slm_override_at, self.slm_override_note = True, slm, now, note
        self.ttv_locked_at = self.ttv_locked_at or now


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft (pre-close)"
    ACTIVE = "active", "Active"
    COMPLETE = "complete", "Complete"


class OnboardingPlan(StateMachineMixin, models.Model):
    account = models.ForeignKey("crm.Account", on_delete=models.CASCADE, related_name="onboarding_plans")
    opportunity = models.OneToOneField("crm.Opportunity", on_delete=models.CASCADE, related_name="onboarding_plan")
    map = models.OneToOneField(MutualActionPlan, on_delete=models.PROTECT, related_name="plan")
    status = FSMField(default=PlanStatus.DRAFT, choices=PlanStatus.choices, protected=True)
    preboarded = models.BooleanField(default=False, help_text="Started pre-close (auto or by hand).")
    preboard_reason = models.CharField(max_length=200, blank=True)
    product_onboarding = models.BooleanField(
        default=False,
        help_text="A renewal or expansion's new product line (a SKU RevOps marked): the customer "
        "is not new, so the account stays out of onboarding mode.",
    )
    implementation_track = models.BooleanField(
        default=False, help_text="An SOW exists: the Implementation Engineer owns M1."
    )
    kickoff_brief = models.JSONField(default=dict, blank=True)
    contract_start_date = models.DateField(null=True, blank=True, help_text="The TTV clock starts here.")
    csm = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    ttv_completed_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "contract_start_date"])]

    def __str__(self) -> str:
        return f"Onboarding · {self.account}"

    @transition(field=status, source=PlanStatus.DRAFT, target=PlanStatus.ACTIVE)
    def activate(self, *, contract_start):
        """Post-close trigger (order signal): the draft becomes the active plan, work carried forward."""
        self.contract_start_date = contract_start
        self.activated_at = clock.now()

    @transition(field=status, source=PlanStatus.ACTIVE, target=PlanStatus.COMPLETE)
    def complete(self):
        """M7: the CSM formally closes onboarding. Only ever called from a CSM's explicit action."""
        self.completed_at = clock.now()


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"


def has_required_evidence(item: "MilestoneItem") -> bool:
    """M3 (and any milestone so configured) needs an attendance log or assessment result."""
    return not item.evidence_required or bool(item.evidence.strip())


class MilestoneItem(StateMachineMixin, models.Model):
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField(max_length=2, choices=Milestone.choices)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_role = models.CharField(max_length=20)
    day_offset = models.PositiveSmallIntegerField(help_text="Scaled day from contract start.")
    target_date = models.DateField(null=True, blank=True)
    status = FSMField(default=MilestoneStatus.PENDING, choices=MilestoneStatus.choices, protected=True)
    evidence_required = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)
    scheduled_items = models.JSONField(default=list, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detected_by = models.CharField(max_length=20, blank=True, help_text="usage_feed or csm")
    flagged_at = models.DateTimeField(null=True, blank=True, help_text="M5: flagged at 50% of the TTV window.")

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="milestone_once_per_plan")]
        indexes = [models.Index(fields=["code", "status"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.plan.account}"

    @property
    def is_done(self) -> bool:
        return self.status == MilestoneStatus.DONE

    @transition(
        field=status, source=MilestoneStatus.PENDING, target=MilestoneStatus.DONE, conditions=[has_required_evidence]
    )
    def complete(self, *, on, by=None, detected_by: str = "csm"):
        """milestone_complete: written to OnboardingLog by the service that calls this."""
        self.completed_on, self.completed_by, self.detected_by = on, by, detected_by


class TTVChangeRequest(models.Model):
    """After sign-off what was signed is locked: a change to the TTV target or to the selected value events
    and their target dates needs the SLM's approval (seed 000: "post-sign-off changes require SLM approval")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    map = models.ForeignKey(MutualActionPlan, on_delete=models.CASCADE, related_name="ttv_change_requests")
    requested_by = models.ForeignKey("crm.Employee", on_delete=models.PROTECT, related_name="+")
    current_days = models.PositiveSmallIntegerField()
    requested_days = models.PositiveSmallIntegerField()
    current_value_events = models.JSONField(null=True, blank=True)
    requested_value_events = models.JSONField(
        null=True, blank=True, help_text="Null: the value events stay as signed; else the new selection and dates."
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("crm.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
