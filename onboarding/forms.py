from django import forms
from django.db.models import Q

from gtmos.crm.models import Employee, QuoteLine, Role

from .models import ProductValueEvent
from .services.activity import ACTIVITY_ENTRY
from .services.map_signoff import MAP_EDITORS, SELLING_TEAM

STAKEHOLDER_ROLES = [
    ("", "—"),
    ("technical_setup", "Technical setup (M1)"),
    ("training", "Training (M2/M3)"),
    ("executive_sponsor", "Executive sponsor (M5)"),
    ("stakeholder", "Stakeholder"),
]


class MapForm(forms.Form):
    """The MAP editor: value events with target dates, win details, commitments, stakeholders, SOW."""

    technical_win_details = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    selling_team_commitments = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    ttv_target_days = forms.IntegerField(
        min_value=1,
        max_value=730,
        required=False,
        help_text="Derived from the earliest value event's target date (or the segment default) "
        "unless you change it here.",
    )

    change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why the signed value events or dates must change",
        help_text="Signed off: a change goes to the SLM for approval.",
    )

    def __init__(self, *args, map_, contacts, editor_role: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.map = map_
        self.signed = map_.signed_off
        chosen = {e.get("value_event_id"): e.get("target_date") for e in map_.selected_value_events or []}
        # Seed 000: the selling team selects from the value events of the products on the deal (and keeps any
        # already selected); a deal with no quote lines yet sees the whole menu.
        events = ProductValueEvent.objects.filter(active=True).select_related("product")
        products = QuoteLine.objects.filter(quote__opportunity_id=map_.opportunity_id).values("product_id")
        if products.exists():
            events = events.filter(Q(product_id__in=products) | Q(pk__in=list(chosen)))
        self.value_events = list(events)
        for event in self.value_events:
            self.fields[f"ve_{event.pk}"] = forms.BooleanField(
                required=False, initial=event.pk in chosen, label=str(event)
            )
            self.fields[f"ve_{event.pk}_date"] = forms.DateField(
                required=False,
                initial=chosen.get(event.pk),
                widget=forms.DateInput(attrs={"type": "date"}),
                label=f"Target date for {event.event_name}",
            )
        roles = {s.get("contact_id"): s.get("role") for s in map_.customer_stakeholder_map or []}
        self.contacts = list(contacts)
        for contact in self.contacts:
            self.fields[f"sh_{contact.pk}"] = forms.ChoiceField(
                choices=STAKEHOLDER_ROLES, required=False, initial=roles.get(contact.pk, ""), label=contact.name
            )
        self.initial.setdefault("technical_win_details", map_.technical_win_details)
        self.initial.setdefault("selling_team_commitments", map_.selling_team_commitments)
        self.initial.setdefault("ttv_target_days", map_.ttv_target_days)
        if map_.ttv_locked_at:
            self.fields["ttv_target_days"].disabled = True
            self.fields["ttv_target_days"].help_text = "Locked by sign-off: changes need SLM approval."
        # Seed 000: the selling team writes the MAP; sign-off locks what was signed.
        selling = editor_role in SELLING_TEAM
        for name in ("technical_win_details", "selling_team_commitments"):
            self.fields[name].disabled = self.signed or not selling
        for event in self.value_events:
            for name in (f"ve_{event.pk}", f"ve_{event.pk}_date"):
                self.fields[name].disabled = not (selling or (self.signed and editor_role in MAP_EDITORS))
        if not self.signed:
            del self.fields["change_reason"]

    def clean(self):
        data = super().clean()
        for event in self.value_events:
            if data.get(f"ve_{event.pk}") and not data.get(f"ve_{event.pk}_date"):
                self.add_error(f"ve_{event.pk}_date", "Pick a target date for each selected value event.")
        if self.signed and not self.errors and not (data.get("change_reason") or "").strip():
            chosen = sorted((e["value_event_id"], e["target_date"]) for e in self.selected_value_events())
            signed = sorted(
                (e.get("value_event_id"), e.get("target_date")) for e in self.map.selected_value_events or []
            )
            if chosen != signed:
                self.add_error("change_reason", "Say why the signed value events or dates must change.")
        return data

    def value_event_rows(self):
        return [(self[f"ve_{e.pk}"], self[f"ve_{e.pk}_date"], e) for e in self.value_events]

    def stakeholder_rows(self):
        return [(self[f"sh_{c.pk}"], c) for c in self.contacts]

    def selected_value_events(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {"value_event_id": e.pk, "target_date": d[f"ve_{e.pk}_date"].isoformat()}
            for e in self.value_events
            if d.get(f"ve_{e.pk}")
        ]

    def stakeholder_map(self) -> list[dict]:
        return [
            {"contact_id": c.pk, "role": self.cleaned_data[f"sh_{c.pk}"]}
            for c in self.contacts
            if self.cleaned_data.get(f"sh_{c.pk}")
        ]


class AcceptForm(forms.Form):
    risk_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Document the risks you accept (objections, commitments, gaps).",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Required: why post-sales rejects.")


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneForm(forms.Form):
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Attendance log or assessment result (required for M3).",
    )
    completed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k.replace("_", " ").capitalize()) for k in ACTIVITY_ENTRY])
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date")


class HandoffForm(forms.Form):
    """Seed 003's handoff format."""

    delivery_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    findings_document = forms.CharField(required=False, max_length=300)
    key_outcomes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Top 3 outcomes.")
    satisfaction_signal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="CX score, verbal feedback, any complaints."
    )
    relationship_warmth = forms.ChoiceField(choices=[("cold", "Cold"), ("warm", "Warm"), ("strong", "Strong")])
    warmth_assessed_by = forms.ModelChoiceField(
        queryset=Employee.objects.none(), help_text="The AM or an executive assesses warmth."
    )
    expansion_signals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    referral_potential = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")
    referral_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    agreed_follow_up = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    cs_owner = forms.ModelChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        label="CS owner",
        help_text="Owner of the customer-success phase (defaults to the AM).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warmth_assessed_by"].queryset = Employee.objects.filter(
            role__in=[Role.AM, Role.EXECUTIVE], is_active=True
        ).order_by("name")
        self.fields["cs_owner"].queryset = Employee.objects.filter(
            role__in=[Role.AM, Role.CSM], is_active=True
        ).order_by("name")


class TTVRequestForm(forms.Form):
    requested_days = forms.IntegerField(min_value=1, max_value=730)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class MessageForm(forms.Form):
    template = forms.ModelChoiceField(queryset=None)
    contact = forms.ModelChoiceField(queryset=None)
    send_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: send now. A later date schedules it.",
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import CommunicationTemplate

        self.fields["template"].queryset = CommunicationTemplate.objects.filter(active=True)
        self.fields["contact"].queryset = plan.account.contacts.exclude(email="").order_by(
            "-is_executive_sponsor", "name"
        )


class TrainingScheduleForm(forms.Form):
    """Seed 004's training schedule: a session with its date and the customer's contacts invited."""

    title = forms.CharField(max_length=200, initial="Admin training")
    audience = forms.ChoiceField(choices=[])
    scheduled_for = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        label="Date and time",
    )
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60, label="Length (minutes)")
    invitees = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Invite (the customer's contacts)",
        error_messages={"required": "Invite at least one of the customer's contacts."},
    )

    def __init__(self, *args, plan, **kwargs):
        from .models import TrainingSession

        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = TrainingSession.Audience.choices
        self.fields["invitees"].queryset = plan.account.contacts.order_by("name")
        # The MAP names who is trained (stakeholder role "training", M2/M3): they are invited by default.
        trainees = [s.get("contact_id") for s in plan.map.customer_stakeholder_map or [] if s.get("role") == "training"]
        if not self.is_bound and trainees:
            self.initial["invitees"] = trainees


class TrainingRecordForm(forms.Form):
    """Who attended, on which day; optionally the session delivers its milestone (M2 or M3)."""

    attendees = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Who attended",
        error_messages={"required": "Tick who attended (cancel the session if nobody came)."},
    )
    held_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Held on")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What was covered")
    complete_milestone = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = session.plan.account.contacts.order_by("name")
        if not self.is_bound:
            self.initial["attendees"] = list(session.invitees.values_list("pk", flat=True))
            self.initial["held_on"] = session.scheduled_for.date()
        code = session.milestone_code
        if code:
            self.fields["complete_milestone"].label = f"This session delivers {code}: mark it complete"
        else:
            del self.fields["complete_milestone"]


class TrainingCancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is cancelled")
