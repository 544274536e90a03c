from django import forms


class ModifyForm(forms.Form):
    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Recommendation the rep will see")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why you changed it")


class DismissForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why dismiss it",
        error_messages={"required": "Say why it is dismissed (the rep never sees this)."},
    )


class ResolveForm(forms.Form):
    improvement_detected = forms.BooleanField(required=False, label="The metric measurably improved")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How it was resolved",
        error_messages={"required": "Say how it was resolved."},
    )


class EscalateForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Context for the SLM",
        error_messages={"required": "Give the SLM the context for this request."},
    )
