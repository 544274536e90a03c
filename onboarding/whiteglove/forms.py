from django import forms

from ..models.deal import MEDDPICC_CELLS, MEDDPICC_LABELS


class OutreachForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 12}))


class MeetingForm(forms.Form):
    meeting_at = forms.DateTimeField(
        label="Insight call at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class CellForm(forms.Form):
    cell = forms.ChoiceField(choices=[(c, MEDDPICC_LABELS[c]) for c in MEDDPICC_CELLS], widget=forms.HiddenInput)
    value = forms.CharField(max_length=300, required=False)
    title = forms.CharField(max_length=200, required=False, label="Title (people)")
    note = forms.CharField(max_length=300, required=False, label="What the customer said")
    confirm = forms.BooleanField(required=False, label="Confirmed by the customer")


class DemoForm(forms.Form):
    demoed = forms.CharField(label="What was demoed", widget=forms.Textarea(attrs={"rows": 3}))
    validated = forms.CharField(
        label="What was technically validated", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    objections = forms.CharField(
        label="Unresolved objections", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(label="Commitment", max_length=500)


class CloseWonForm(forms.Form):
    seats = forms.IntegerField(label="Seats on the signed contract", min_value=1)


class LostForm(forms.Form):
    reason = forms.CharField(label="Why was it lost?", max_length=200)


class SecurityReviewForm(forms.Form):
    outcome = forms.CharField(
        label="What their security team accepted",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. questionnaire returned, SOC 2 report reviewed, approved by their IT on a date.",
    )
