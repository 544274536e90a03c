"""Seed 002's OnboardingSession: the prospect-flow state machine (one per lead), its settings and the
router's persisted decisions.

Transitions follow the seed's transition table row by row; each docstring names the seed event it handles.
Guards are named pure functions of the session and the context the calling service computed
(``session.context``: the router's decision, the thresholds) — so a guard never queries or writes.
Concurrency: FSM state + an optimistic ``version`` lock. Every save of a loaded session checks that neither
the state nor the version changed since it was read, else ``ConcurrentTransition``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, ConcurrentTransition, FSMField, transition

from gtmos.core import clock
from gtmos.core.fsm import StateMachineMixin
from routing.enums import WARMTH_RANK, CloseMotion, Persona, Surface, Track, Warmth


class SessionState(models.TextChoices):
    S0_ENTRY = "S0_ENTRY", "S0 · Entry"
    S1_AWAIT_EMAIL = "S1_AWAIT_EMAIL", "S1 · Await email"
    S2_ENRICHING = "S2_ENRICHING", "S2 · Enriching"
    S3_CONFIRM = "S3_CONFIRM", "S3 · Confirm"
    S4_ROUTED = "S4_ROUTED", "S4 · Routed"
    S5_VALUE = "S5_VALUE", "S5 · Value"
    S6_NEXT_Q = "S6_NEXT_Q", "S6 · Next question"
    S7_VALUE_PROOF = "S7_VALUE_PROOF", "S7 · Value proof (Sarah)"
    S8_ACTIVATE = "S8_ACTIVATE", "S8 · Activate"
    S9_TRIAL = "S9_TRIAL", "S9 · Trial"
    S10_CLOSED_WON = "S10_CLOSED_WON", "S10 · Closed won (card on file)"
    W5_BATTLEPACK = "W5_BATTLEPACK", "W5 · Battle pack"
    W6_OUTREACH = "W6_OUTREACH", "W6 · Outreach"
    W7_DISCOVERY = "W7_DISCOVERY", "W7 · Discovery"
    W8_DEMO = "W8_DEMO", "W8 · Demo"
    W9_SEAT = "W9_SEAT", "W9 · Seat"
    W10_CLOSED_WON = "W10_CLOSED_WON", "W10 · Closed won (MEDDPICC)"
    FALLBACK_FORM = "FALLBACK_FORM", "Fallback form (today's 6-step flow)"
    DISQUALIFIED = "DISQUALIFIED", "Disqualified (homeowner product)"
    ABANDONED = "ABANDONED", "Abandoned (re-engage queue)"
    LOST = "LOST", "Lost"


S = SessionState
TERMINAL_STATES = (S.S10_CLOSED_WON, S.W10_CLOSED_WON, S.DISQUALIFIED, S.ABANDONED, S.LOST)
ACTIVE_STATES = tuple(s for s in S.values if s not in TERMINAL_STATES)
SELF_SERVE_TAIL = (S.S5_VALUE, S.S6_NEXT_Q, S.S7_VALUE_PROOF, S.S8_ACTIVATE, S.S9_TRIAL)
WHITE_GLOVE_OPEN = (S.W5_BATTLEPACK, S.W6_OUTREACH, S.W7_DISCOVERY, S.W8_DEMO, S.W9_SEAT)
# States that still depend on the swarm: the kill switch drops these to FALLBACK_FORM. Later states already
# hold what the swarm gave them and no longer need it.
SWARM_DEPENDENT = (S.S0_ENTRY, S.S1_AWAIT_EMAIL, S.S2_ENRICHING, S.S3_CONFIRM, S.S4_ROUTED)
# The kill switch drops every open self-serve session to FALLBACK_FORM on its next request (seed: "A global
# SWARM_ENABLED kill drops the whole flow to FALLBACK_FORM … Onboarding never hard-depends on greenfield"): the
# workspace and trial are the swarm's surfaces too. White-glove sessions are a person's work and stay.
KILL_SWITCH_STATES = (*SWARM_DEPENDENT, *SELF_SERVE_TAIL)


class SessionSettings(models.Model):
    """RevOps' numbers for the prospect flow (DESIGN.md defaults). One row (pk=1)."""

    session_ttl_days = models.PositiveSmallIntegerField(default=14, help_text="Idle this long → ABANDONED.")
    expansion_seats = models.PositiveIntegerField(default=25, help_text="Self-serve → white-glove at ≥ seats.")
    expansion_acv = models.DecimalField(
        max_digits=14, decimal_places=0, default=Decimal("25000"), help_text="… or at ACV ≥ this."
    )
    lead_retention_days = models.PositiveSmallIntegerField(
        default=180, help_text="Unconverted leads' personal data is deleted after this many days."
    )
    trial_days = models.PositiveSmallIntegerField(default=21)

    class Meta:
        verbose_name = verbose_name_plural = "prospect session settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="session_settings_singleton")]

    def __str__(self) -> str:
        return "Prospect session settings"

    @classmethod
    def load(cls) -> SessionSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


# --- guards: named pure functions of the session and the context its service computed ---------------------


def is_cold(s: OnboardingSession) -> bool:
    return s.warmth == Warmth.COLD


def is_warm(s: OnboardingSession) -> bool:
    return WARMTH_RANK.get(s.warmth, 0) >= WARMTH_RANK[Warmth.WARM]


def _decision(s: OnboardingSession):
    return s.context.get("decision")


def gating_fields_confident(s: OnboardingSession) -> bool:
    """enrichment.complete: conf ≥ θ on every gating field (the router asks nothing)."""
    d = _decision(s)
    return d is not None and not d.asks


def some_gating_field_low(s: OnboardingSession) -> bool:
    """enrichment.partial: some fields low-confidence; the confirm asks only those."""
    d = _decision(s)
    return d is not None and bool(d.asks)


def role_known(s: OnboardingSession) -> bool:
    """The role was known at ≥ θ before the confirm (one tap, or the warm system pass)."""
    return bool(s.context.get("role_known")) and not s.context.get("role_answered", False)


def role_known_or_homeowner(s: OnboardingSession) -> bool:
    """onboarding.confirmed: the role was known — or the prospect is a homeowner, who is asked no B2B role
    (seed: orgType == consumer → DISQUALIFIED, route to the homeowner product)."""
    return role_known(s) or (routed_consumer(s) and not s.context.get("role_answered", False))


def role_was_unknown(s: OnboardingSession) -> bool:
    """The role was unknown and the prospect answered the role question."""
    return bool(s.context.get("role_answered"))


def routed_self_serve(s: OnboardingSession) -> bool:
    d = _decision(s)
    return d is not None and not d.disqualified and d.track == Track.SELF_SERVE


def routed_white_glove(s: OnboardingSession) -> bool:
    d = _decision(s)
    return d is not None and not d.disqualified and d.track in (Track.WG_MID, Track.WG_ENTERPRISE)


def routed_consumer(s: OnboardingSession) -> bool:
    d = _decision(s)
    return d is not None and d.disqualified


def post_wow(s: OnboardingSession) -> bool:
    """The card ask comes after the value moment (Sarah's takeoff), never before."""
    return s.value_proven_at is not None


def expansion_crossed(s: OnboardingSession) -> bool:
    seats, acv = s.context.get("seats", 0), s.context.get("acv", Decimal(0))
    limits = s.context.get("limits")
    return limits is not None and (seats >= limits.expansion_seats or acv >= limits.expansion_acv)


def ae_reviewed(s: OnboardingSession) -> bool:
    """A human stakes credibility on white-glove outreach: the AE reviews before it is sent."""
    deal = s.context.get("deal")
    return deal is not None and deal.ae_reviewed_at is not None


def champion_and_eb_confirmed(s: OnboardingSession) -> bool:
    deal = s.context.get("deal")
    return deal is not None and deal.meddpicc_confirmed("champion") and deal.meddpicc_confirmed("economic_buyer")


def contract_signed(s: OnboardingSession) -> bool:
    deal = s.context.get("deal")
    return deal is not None and deal.contract_signed_at is not None


def idle_past_ttl(s: OnboardingSession) -> bool:
    cutoff = s.context.get("idle_cutoff")
    return cutoff is not None and s.last_event_at is not None and s.last_event_at < cutoff


class SessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=ACTIVE_STATES)


class OnboardingSession(StateMachineMixin, models.Model):
    """Seed 002 OnboardingSession — the FSM instance, one per lead; replaces the front end's OnboardingStep
    store. Forms and pages never assign ``state``: they call the service that fires the matching transition."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.OneToOneField("enrichment.Lead", on_delete=models.CASCADE, related_name="session")
    org = models.ForeignKey(
        "crm.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The Org the lead became at S8 (a CRM Account, segment SMB).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = FSMField(default=S.S0_ENTRY, choices=S.choices, protected=True, max_length=20)
    route = models.ForeignKey(
        "RouteDecision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The current decision (the newest row), read with the session by the pages.",
    )
    warmth = models.CharField(max_length=8, choices=Warmth.choices, default=Warmth.COLD)
    track = models.CharField(max_length=14, choices=Track.choices, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Optimistic lock: bumped by every save.")
    last_event = models.ForeignKey(
        "audit.Event", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    last_event_at = models.DateTimeField(default=clock.now, help_text="Idle clock for the TTL sweep.")
    state_before = models.CharField(max_length=20, blank=True, help_text="Where it was before FALLBACK/ABANDONED/LOST.")
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why it fell back, was disqualified, handed off or lost."
    )
    value_proven_at = models.DateTimeField(null=True, blank=True, help_text="S7: Sarah's takeoff completed.")
    activated_at = models.DateTimeField(null=True, blank=True)
    trial_ends_on = models.DateField(null=True, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["state", "last_event_at"], name="session_state_idle"),
        ]

    def __str__(self) -> str:
        return f"Session {str(self.id)[:8]} {self.state}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.context: dict = {}

    # --- optimistic version lock (the seed's ``version``) on top of the FSM state check --------------------
    def _update_initial_state(self) -> None:
        if {"state", "version"} & self.get_deferred_fields():
            # Loaded with .only() (e.g. by the deletion collector): reading the fields here would reload the
            # row, which builds a new instance, which comes back here. Such a copy is never saved.
            self._loaded_version = None
            return
        super()._update_initial_state()
        self._loaded_version = self.version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, *args, **kwargs):
        updated = super()._do_update(
            base_qs.filter(version=self._loaded_version),
            using,
            pk_val,
            values,
            update_fields,
            forced_update,
            *args,
            **kwargs,
        )
        # The mixin only notices a changed state; a changed version (same state) must not fall through to
        # Django's "no row updated → INSERT".
        if not updated and type(self)._base_manager.using(using).filter(pk=pk_val).exists():
            raise ConcurrentTransition("the session changed since it was read (version lock)")
        return updated

    def save(self, *args, **kwargs):
        if not self._state.adding and self._loaded_version is None:
            raise ValueError("a session loaded without its state and version cannot be saved")
        if not self._state.adding:
            self.version = self._loaded_version + 1
            if kwargs.get("update_fields") is None:
                # ``route`` moves only with a new decision (services/session.py:_persist, its own UPDATE): a
                # transition's save of a session read before an async agent's recompute must not move it back.
                kwargs["update_fields"] = _SAVED_FIELDS
        try:
            super().save(*args, **kwargs)
        except Exception:
            self.version = self._loaded_version
            raise

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    # --- shared front end ------------------------------------------------------------------------------------
    @transition(field=state, source=S.S0_ENTRY, target=S.S1_AWAIT_EMAIL, conditions=[is_cold])
    def capture(self):
        """lead.captured (warmth == cold): S0 → S1, ask for the email."""

    @transition(field=state, source=S.S0_ENTRY, target=S.S2_ENRICHING, conditions=[is_warm])
    def identify(self):
        """lead.identified (warmth ≥ warm): S0 → S2, enrichment was prefetched before arrival."""

    @transition(field=state, source=S.S1_AWAIT_EMAIL, target=S.S2_ENRICHING)
    def submit_email(self):
        """email.submitted: S1 → S2, the four sync agents fan out."""

    @transition(field=state, source=S.S2_ENRICHING, target=S.S3_CONFIRM, conditions=[gating_fields_confident])
    def enrichment_complete(self):
        """enrichment.complete (conf ≥ θ on all gating fields): S2 → S3."""

    @transition(field=state, source=S.S2_ENRICHING, target=S.S3_CONFIRM, conditions=[some_gating_field_low])
    def enrichment_partial(self):
        """enrichment.partial (some fields low-confidence): S2 → S3, ask only those."""

    @transition(field=state, source=S.S2_ENRICHING, target=S.FALLBACK_FORM)
    def enrichment_fail(self, *, reason: str):
        """enrichment.failed (every sync agent failed, retries exhausted, or killed): S2 → FALLBACK_FORM."""
        self.state_before, self.reason = S.S2_ENRICHING, reason[:200]

    @transition(field=state, source=list(KILL_SWITCH_STATES), target=S.FALLBACK_FORM)
    def fall_back(self, *, reason: str):
        """Kill switch / all flags off (seed: "disable swarm → graceful manual fallback"): → FALLBACK_FORM."""
        self.state_before, self.reason = self.state, reason[:200]

    @transition(field=state, source=S.FALLBACK_FORM, target=RETURN_VALUE(S.S8_ACTIVATE, S.S9_TRIAL))
    def complete_fallback_form(self):
        """Manual steps done: today's 6-step flow (organization_type → … → invitations) → activate; a session
        that had activated before the kill switch dropped it goes back to its trial."""
        return S.S9_TRIAL if self.activated_at is not None else S.S8_ACTIVATE

    @transition(field=state, source=S.S3_CONFIRM, target=S.S4_ROUTED, conditions=[role_known_or_homeowner])
    def confirm(self):
        """onboarding.confirmed (role known, or a homeowner): S3 → S4 — one tap, or a system pass for warm leads."""

    @transition(field=state, source=S.S3_CONFIRM, target=S.S4_ROUTED, conditions=[role_was_unknown])
    def capture_role(self):
        """onboarding.role_captured (role was unknown, now answered): S3 → S4."""

    @transition(field=state, source=S.S4_ROUTED, target=S.S5_VALUE, conditions=[routed_self_serve])
    def route_self_serve(self):
        """route.decided (track == self_serve): S4 → S5."""
        self.track = Track.SELF_SERVE

    @transition(field=state, source=S.S4_ROUTED, target=S.W5_BATTLEPACK, conditions=[routed_white_glove])
    def route_white_glove(self):
        """route.decided (track == wg_*): S4 → W5."""
        self.track = self.context["decision"].track

    @transition(field=state, source=S.S4_ROUTED, target=S.DISQUALIFIED, conditions=[routed_consumer])
    def disqualify(self):
        """route.decided (orgType == consumer): S4 → DISQUALIFIED, route to the homeowner product."""
        self.reason = self.context["decision"].disqualify_reason

    # --- self-serve tail -------------------------------------------------------------------------------------
    @transition(field=state, source=S.S5_VALUE, target=S.S6_NEXT_Q)
    def reveal_value(self):
        """value.revealed: S5 → S6 (the workspace, seeded with pursuits and network, has been shown)."""

    @transition(field=state, source=S.S6_NEXT_Q, target=S.S7_VALUE_PROOF)
    def ask_next_question(self):
        """next_question.asked: S6 → S7 (the router's role-conditioned question)."""

    @transition(field=state, source=S.S7_VALUE_PROOF, target=S.S8_ACTIVATE)
    def complete_takeoff(self):
        """takeoff.completed: S7 → S8 — Sarah scoped a real pursuit: the value moment."""
        self.value_proven_at = clock.now()

    @transition(field=state, source=S.S8_ACTIVATE, target=S.S9_TRIAL)
    def activate(self, *, trial_days: int):
        """account.activated (+ trial.started): S8 → S9, the Lead became an Org + User; 21-day trial."""
        import datetime as dt

        self.activated_at = clock.now()
        self.trial_ends_on = clock.today() + dt.timedelta(days=trial_days)

    @transition(field=state, source=S.S9_TRIAL, target=S.S10_CLOSED_WON, conditions=[post_wow])
    def capture_card(self):
        """card.captured (post-wow trigger): S9 → S10."""

    @transition(field=state, source=list(SELF_SERVE_TAIL), target=S.W5_BATTLEPACK, conditions=[expansion_crossed])
    def hand_off(self, *, reason: str):
        """expansion.detected (seats/ACV cross the threshold): S5..S9 → W5 (session.handed_off)."""
        self.state_before, self.reason, self.handed_off_at = self.state, reason[:200], clock.now()
        self.track = self.context.get("track") or Track.WG_MID

    # --- white-glove tail (DESIGN.md: each W step on its own event) -------------------------------------------
    @transition(field=state, source=S.W5_BATTLEPACK, target=S.W6_OUTREACH, conditions=[ae_reviewed])
    def send_outreach(self):
        """outreach.sent (after AE review): W5 → W6."""

    @transition(field=state, source=S.W6_OUTREACH, target=S.W7_DISCOVERY)
    def book_meeting(self):
        """meeting.booked: W6 → W7."""

    @transition(field=state, source=S.W7_DISCOVERY, target=S.W8_DEMO, conditions=[champion_and_eb_confirmed])
    def qualify(self):
        """meddpicc.qualified (champion + EB confirmed): W7 → W8."""

    @transition(field=state, source=S.W8_DEMO, target=S.W9_SEAT)
    def deliver_demo(self):
        """demo.delivered: W8 → W9."""

    @transition(field=state, source=S.W9_SEAT, target=S.W10_CLOSED_WON, conditions=[contract_signed])
    def close_won(self):
        """deal.closed_won (contract signed): W9 → W10."""

    @transition(field=state, source=list(WHITE_GLOVE_OPEN), target=S.LOST)
    def close_lost(self, *, reason: str):
        """deal.closed_lost (with a reason): any open W state → LOST."""
        self.state_before, self.reason = self.state, reason[:200]

    # --- any active state --------------------------------------------------------------------------------------
    @transition(field=state, source=list(ACTIVE_STATES), target=S.ABANDONED, conditions=[idle_past_ttl])
    def time_out(self):
        """session.timeout (no event for longer than the TTL): → ABANDONED, into the re-engage queue."""
        self.state_before = self.state


_SAVED_FIELDS = [f.name for f in OnboardingSession._meta.concrete_fields if not f.primary_key and f.name != "route"]


class RouteDecision(models.Model):
    """Seed 002 RouteDecision: the pure router's output, persisted with its gateTrace (the auditable why).
    Recomputed when a profile field crosses θ; the newest row is the session's current decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(OnboardingSession, on_delete=models.CASCADE, related_name="route_decisions")
    track = models.CharField(max_length=14, choices=Track.choices, blank=True)
    persona = models.CharField(max_length=12, choices=Persona.choices, blank=True)
    primary_surface = models.CharField(max_length=14, choices=Surface.choices, blank=True)
    close_motion = models.CharField(max_length=14, choices=CloseMotion.choices, blank=True)
    next_question = models.TextField(blank=True)
    size_band = models.CharField(max_length=12, blank=True)
    trade = models.CharField(max_length=40, blank=True)
    disqualified = models.BooleanField(default=False)
    asks = models.JSONField(default=list, blank=True)
    gate_trace = models.JSONField(default=list)
    decision = models.JSONField(default=dict, help_text="The whole decision, as the router returned it.")
    fingerprint = models.CharField(max_length=64, help_text="Hash of the decision: unchanged → no new row.")
    decided_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        get_latest_by = "decided_at"

    def __str__(self) -> str:
        return f"{self.track or 'disqualified'} / {self.persona or '?'} → {self.primary_surface or '-'}"
