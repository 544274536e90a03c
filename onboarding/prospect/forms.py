"""The prospect pages' forms: clear field errors, nothing asked that the Profile holds at ≥ θ."""

from __future__ import annotations

from django import forms

from enrichment.enums import LeadSource
from enrichment.providers.domains import email_domain
from routing.enums import OrgType, Persona, ProfileField as F, SizeBand
from routing.models import TradeConfig
from routing.questions import ROLE_QUESTION

MARKET_SECTORS = (
    ("commercial", "Commercial"), ("healthcare", "Healthcare"), ("education", "Education"),
    ("industrial", "Industrial"), ("multifamily", "Multifamily residential"), ("hospitality", "Hospitality"),
    ("government", "Government / public"), ("infrastructure", "Civil / infrastructure"),
)
ORG_TYPES = ((OrgType.CONTRACTOR, "General contractor"), (OrgType.SUB_CONTRACTOR, "Subcontractor"),
             (OrgType.CONSUMER, "Homeowner"))
SIZE_BANDS = ((SizeBand.MICRO, "Under $2M a year"), (SizeBand.SMALL, "$2M–$10M"), (SizeBand.MID, "$10M–$100M+"),
              (SizeBand.LARGE, "$100M–$500M+"), (SizeBand.ENTERPRISE, "Larger than that"))
PERSONAS = tuple((p.value, p.label) for p in Persona)
SOURCES = frozenset(LeadSource.values)


def _trade_choices():
    return [("", "Choose your trade")] + list(TradeConfig.objects.filter(active=True).values_list("trade", "label"))


class EmailCaptureForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True,
                                                            "placeholder": "you@yourcompany.com"}))
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by simple bots.
    website = forms.CharField(required=False, label="Leave this empty",
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email_domain(email):
            raise forms.ValidationError("Enter an email address with a real domain, like you@yourcompany.com.")
        return email


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()][:20]


class ConfirmForm(forms.Form):
    """Only the fields the router asks (below θ); the role question when the role is unknown."""

    def __init__(self, *args, asks: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.asks = asks
        if F.COMPANY in asks:
            self.fields[F.COMPANY] = forms.CharField(label="Company name", max_length=200)
        if F.ORG_TYPE in asks:
            self.fields[F.ORG_TYPE] = forms.ChoiceField(label="What kind of company is it?", choices=ORG_TYPES,
                                                        widget=forms.RadioSelect)
        if F.SIZE_BAND in asks:
            self.fields[F.SIZE_BAND] = forms.ChoiceField(label="Annual revenue", choices=SIZE_BANDS,
                                                         widget=forms.RadioSelect)
        if F.ROLE in asks or F.PERSONA in asks:
            self.fields["role"] = forms.ChoiceField(label=ROLE_QUESTION, choices=PERSONAS, widget=forms.RadioSelect)
        if F.TRADE in asks:
            self.fields[F.TRADE] = forms.ChoiceField(label="Your trade", choices=_trade_choices())
        if F.SERVICE_AREA in asks:
            self.fields[F.SERVICE_AREA] = forms.CharField(
                label="Where do you work?", help_text="Cities or states, separated by commas (e.g. Austin TX, Dallas TX).",
                max_length=300)
        if F.SECTORS in asks:
            self.fields[F.SECTORS] = forms.MultipleChoiceField(label="Market sectors", choices=MARKET_SECTORS,
                                                               widget=forms.CheckboxSelectMultiple)

    def answers(self) -> dict:
        data = dict(self.cleaned_data)
        if "role" in data:
            role = data.pop("role")
            data[F.PERSONA] = role
            if F.ROLE in self.asks:
                data[F.ROLE] = role
        if F.SERVICE_AREA in data:
            data[F.SERVICE_AREA] = _list(data[F.SERVICE_AREA])
        if F.SECTORS in data:
            data[F.SECTORS] = list(data[F.SECTORS])
        return data


class QuestionForm(forms.Form):
    """The router's next question, answered by choosing the pursuit (or naming a project on an empty board)."""

    pursuit = forms.UUIDField(required=False, widget=forms.HiddenInput)
    project_name = forms.CharField(required=False, max_length=300, label="Project name")
    project_value = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=0,
                                       label="Estimated project value ($)")

    def clean(self):
        data = super().clean()
        if not data.get("pursuit") and not (data.get("project_name") or "").strip():
            raise forms.ValidationError("Choose a project on your board, or name the one you're pricing next.")
        return data


class ActivateForm(forms.Form):
    def __init__(self, *args, ask_name: bool, ask_company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_name:
            self.fields["name"] = forms.CharField(label="Your name", max_length=200,
                                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))
        if ask_company:
            self.fields["company"] = forms.CharField(label="Company name", max_length=200,
                                                     widget=forms.TextInput(attrs={"autocomplete": "organization"}))
        self.fields["password"] = forms.CharField(
            label="Choose a password", min_length=10, max_length=128, help_text="At least 10 characters.",
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class DemoCardForm(forms.Form):
    number = forms.CharField(label="Test card number", max_length=23,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class InviteForm(forms.Form):
    email = forms.EmailField(label="Teammate's email", max_length=254)
    role = forms.ChoiceField(label="Their role", choices=PERSONAS, help_text="Field roles go to Field Ops.")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email_domain(email):
            raise forms.ValidationError("Enter an email address with a real domain.")
        return email


class OrgTypeStep(forms.Form):
    org_type = forms.ChoiceField(label="Organization type", choices=ORG_TYPES[:2], widget=forms.RadioSelect)


class ServiceAreaStep(forms.Form):
    service_area = forms.CharField(label="Service area", max_length=300,
                                   help_text="Cities or states, separated by commas.")

    def clean_service_area(self):
        return _list(self.cleaned_data["service_area"])


class TradesStep(forms.Form):
    trades = forms.MultipleChoiceField(label="Trades you self-perform or bid", required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].choices = _trade_choices()[1:]


class SectorsStep(forms.Form):
    sectors = forms.MultipleChoiceField(label="Market sectors", choices=MARKET_SECTORS,
                                        widget=forms.CheckboxSelectMultiple)
