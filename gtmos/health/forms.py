from django import forms

from .models import LifecycleSegment, RiskStage, Tier

STAGE_MOVES = [(RiskStage.PLAN_IN_PLACE, "Plan in place"), (RiskStage.RECOVERED, "Recovered"), (RiskStage.LOST, "Lost")]


class BookFilterForm(forms.Form):
    """The book's filters; unknown values fall back to "all" rather than erroring on a hand-edited URL."""

    q = forms.CharField(required=False, label="Search")
    tier = forms.ChoiceField(required=False, choices=[("", "All tiers"), *Tier.choices])
    segment = forms.ChoiceField(required=False, choices=[("", "All segments"), *LifecycleSegment.choices])
    onboarding = forms.ChoiceField(required=False, choices=[("", "All"), ("yes", "In onboarding"), ("no", "Live")])
    renewal_within = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Renewal",
        choices=[("", "Any time"), ("30", "Within 30 days"), ("90", "Within 90 days"), ("180", "Within 180 days")],
    )
    rep = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Rep")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("risk", "Risk (worst first)"),
            ("trend", "Trend (biggest drops first)"),
            ("renewal", "Renewal date"),
            ("score", "Score (best first)"),
            ("arr", "ARR"),
            ("name", "Name"),
        ],
    )

    def __init__(self, *args, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].choices = [("", "Everyone"), *[(r.pk, r.name) for r in reps]]

    def filters(self) -> dict:
        """The valid filters; a bad value drops only its own field, never the others."""
        if not self.is_bound:
            return {"sort": "risk"}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        data.setdefault("sort", "risk")
        return data


class OverrideForm(forms.Form):
    score = forms.IntegerField(min_value=0, max_value=100, help_text="0–100; the computed score stays on record.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="What the data misses. Shown with the score.",
    )
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Leave blank for the default period."
    )


class RiskMoveForm(forms.Form):
    to = forms.ChoiceField(choices=STAGE_MOVES, label="Move to")

    def __init__(self, *args, stage: str = RiskStage.AT_RISK, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the moves the case can make from where it is (plan in place cannot go back to plan in place).
        self.fields["to"].choices = [
            (v, label)
            for v, label in STAGE_MOVES
            if not (stage == RiskStage.PLAN_IN_PLACE and v == RiskStage.PLAN_IN_PLACE)
        ]

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    objective = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        label="Retention plan objective",
        help_text="Needed to move to plan in place.",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("to") == RiskStage.PLAN_IN_PLACE
            and not (data.get("objective") or "").strip()
            and not self.initial.get("objective")
        ):
            self.add_error("objective", "Write the retention plan's objective before moving to plan in place.")
        return data


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(max_length=1000, label="Outcome")


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label="Log a note")
