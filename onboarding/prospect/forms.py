"""The prospect pages' forms: clear field errors, nothing asked that the Profile holds at ≥ θ."""

from __future__ import annotations

from django import forms

from enrichment.enums import LeadSource
from enrichment.providers.domains import email_domain
from routing.enums import OrgType, Persona, SizeBand
from routing.enums import ProfileField as F
from routing.models import TradeConfig
from routing.questions import ROLE_QUESTION

MARKET_SECTORS = (
    ("commercial", "Commercial"),
    ("healthcare", "Healthcare"),
    ("education", "Education"),
    ("industrial", "Industrial"),
    ("multifamily", "Multifamily residential"),
    ("hospitality", "Hospitality"),
    ("government", "Government / public"),
    ("infrastructure", "Civil / infrastructure"),
)
ORG_TYPES = (
    (OrgType.CONTRACTOR, "General contractor"),
    (OrgType.SUB_CONTRACTOR, "Subcontractor"),
    (OrgType.CONSUMER, "Homeowner"),
)
SIZE_BANDS = (
    (SizeBand.MICRO, "Under $2M a year"),
    (SizeBand.SMALL, "$2M–$10M"),
    (SizeBand.MID, "$10M–$100M+"),
    (SizeBand.LARGE, "$100M–$500M+"),
    (SizeBand.ENTERPRISE, "Larger than that"),
)
PERSONAS = tuple((p.value, p.label) for p in Persona)
SOURCES = frozenset(LeadSource.values)


def _trade_choices():
    return [("", "Choose your trade")] + list(TradeConfig.objects.filter(active=True).values_list("trade", "label"))


class EmailCaptureForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "placeholder": "you@yourcompany.com"}
        ),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by simple bots.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email_domain(email):
            raise forms.ValidationError("Enter an email address with a real domain, like you@yourcompany.com.")
        return email


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()][:20]


def _places(text: str) -> list[str]:
    """A correction of the service area: places may contain commas ("Austin, TX"), so semicolons separate."""
    return [part.strip() for part in text.replace("\n", ";").split(";") if part.strip()][:20]


def _sector_choices(shown=()) -> list[tuple[str, str]]:
    """The market sectors, plus any the classifier found that the classic list lacks (so a chip can be kept)."""
    keys = {key for key, _ in MARKET_SECTORS}
    extra = [(str(v), str(v).replace("_", " ").capitalize()) for v in shown or () if str(v) not in keys]
    return [*MARKET_SECTORS, *extra]


# One correction control per chip (DESIGN: "a wrong pre-fill is worse than a blank" — every chip can be fixed).
# Role and persona are one control: the four personas, like the role question.
FIX_OF_CHIP = {
    F.COMPANY: F.COMPANY,
    F.WEBSITE: F.WEBSITE,
    F.HQ: F.HQ,
    F.ORG_TYPE: F.ORG_TYPE,
    F.SIZE_BAND: F.SIZE_BAND,
    F.ROLE: "role",
    F.PERSONA: "role",
    F.TRADE: F.TRADE,
    F.SERVICE_AREA: F.SERVICE_AREA,
    F.SECTORS: F.SECTORS,
}


def _fix_field(name: str, shown):
    if name == F.COMPANY:
        return forms.CharField(label="Company name", max_length=200, required=False)
    if name == F.WEBSITE:
        return forms.CharField(label="Website", max_length=300, required=False)
    if name == F.HQ:
        return forms.CharField(label="Headquarters", max_length=200, required=False)
    if name == F.ORG_TYPE:
        return forms.ChoiceField(
            label="What kind of company is it?", choices=ORG_TYPES, required=False, widget=forms.RadioSelect
        )
    if name == F.SIZE_BAND:
        return forms.ChoiceField(label="Annual revenue", choices=SIZE_BANDS, required=False, widget=forms.RadioSelect)
    if name == "role":
        return forms.ChoiceField(label="Your role", choices=PERSONAS, required=False, widget=forms.RadioSelect)
    if name == F.TRADE:
        return forms.ChoiceField(label="Your trade", choices=_trade_choices(), required=False)
    if name == F.SERVICE_AREA:
        return forms.CharField(
            label="Where do you work?",
            max_length=300,
            required=False,
            help_text="Separate places with a semicolon (e.g. Austin, TX; Dallas, TX).",
        )
    return forms.MultipleChoiceField(
        label="Market sectors", choices=_sector_choices(shown), required=False, widget=forms.CheckboxSelectMultiple
    )


def _initial(name: str, shown):
    if name == F.SERVICE_AREA:
        return "; ".join(map(str, shown or []))
    if name == F.SECTORS:
        return [str(v) for v in shown or []]
    return shown


class ConfirmForm(forms.Form):
    """The fields the router asks (below θ), the role question when the role is unknown, and a correction
    control for every chip it asserts (``fix_<field>``, pre-set to the chip's value: unchanged is no change).
    Choosing "Homeowner" makes every B2B question optional: the homeowner leaves the funnel."""

    def __init__(self, *args, asks: tuple[str, ...] = (), shown: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks = asks
        self.shown = shown or {}
        if F.COMPANY in asks:
            self.fields[F.COMPANY] = forms.CharField(label="Company name", max_length=200)
        if F.ORG_TYPE in asks:
            self.fields[F.ORG_TYPE] = forms.ChoiceField(
                label="What kind of company is it?", choices=ORG_TYPES, widget=forms.RadioSelect
            )
        if F.SIZE_BAND in asks:
            self.fields[F.SIZE_BAND] = forms.ChoiceField(
                label="Annual revenue", choices=SIZE_BANDS, widget=forms.RadioSelect
            )
        if F.ROLE in asks or F.PERSONA in asks:
            self.fields["role"] = forms.ChoiceField(label=ROLE_QUESTION, choices=PERSONAS, widget=forms.RadioSelect)
        if F.TRADE in asks:
            self.fields[F.TRADE] = forms.ChoiceField(label="Your trade", choices=_trade_choices())
        if F.SERVICE_AREA in asks:
            self.fields[F.SERVICE_AREA] = forms.CharField(
                label="Where do you work?",
                help_text="Cities or states, separated by commas (e.g. Austin TX, Dallas TX).",
                max_length=300,
            )
        if F.SECTORS in asks:
            self.fields[F.SECTORS] = forms.MultipleChoiceField(
                label="Market sectors", choices=MARKET_SECTORS, widget=forms.CheckboxSelectMultiple
            )
        for chip, value in self.shown.items():
            name = FIX_OF_CHIP.get(chip)
            if name is None or f"fix_{name}" in self.fields or name in self.fields:
                continue  # asked already (a known title with an unknown persona: the role question covers it)
            self.fields[f"fix_{name}"] = _fix_field(name, value)
            # The role control offers the personas: it starts at the persona, not the title ("Estimator").
            self.initial[f"fix_{name}"] = self.shown.get(F.PERSONA) if name == "role" else _initial(name, value)
        if self.is_bound and OrgType.CONSUMER in (self.data.get(F.ORG_TYPE), self.data.get(f"fix_{F.ORG_TYPE}")):
            for name, field in self.fields.items():
                if name != F.ORG_TYPE:
                    field.required = False

    def ask_fields(self):
        return [self[name] for name in self.fields if not name.startswith("fix_")]

    def fix_field(self, chip: str):
        name = FIX_OF_CHIP.get(chip)
        return self[f"fix_{name}"] if name and f"fix_{name}" in self.fields else None

    def answers(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("fix_")}
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

    def corrections(self) -> dict:
        """What the prospect set on the chips (the service keeps only what differs from the chip)."""
        data = {}
        for key, value in self.cleaned_data.items():
            if not key.startswith("fix_") or value in (None, "", []):
                continue
            name = key[4:]
            if name == "role":
                data[F.PERSONA] = value
                data[F.ROLE] = value
            elif name == F.SERVICE_AREA:
                data[name] = _places(value)
            elif name == F.SECTORS:
                data[name] = list(value)
            else:
                data[name] = value.strip() if isinstance(value, str) else value
        return data


class QuestionForm(forms.Form):
    """The router's next question, answered by choosing the pursuit (or naming a project on an empty board)."""

    pursuit = forms.UUIDField(required=False, widget=forms.HiddenInput)
    project_name = forms.CharField(required=False, max_length=300, label="Project name")
    project_value = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=0, label="Estimated project value ($)"
    )

    def clean(self):
        data = super().clean()
        if not data.get("pursuit") and not (data.get("project_name") or "").strip():
            raise forms.ValidationError("Choose a project on your board, or name the one you're pricing next.")
        return data


class CompanyNoteForm(forms.Form):
    """The workspace's company note (Company Brain): free text, blank allowed (the prospect may clear a wrong
    pre-fill), at most PROSPECT_COMPANY_NOTE_MAX_CHARS characters."""

    note = forms.CharField(required=False, label="Company note", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.max_chars = getattr(settings, "PROSPECT_COMPANY_NOTE_MAX_CHARS", 4000)
        self.fields["note"].widget.attrs["maxlength"] = self.max_chars

    def clean_note(self):
        note = self.cleaned_data["note"]
        if len(note) > self.max_chars:
            raise forms.ValidationError(
                f"Keep the note under {self.max_chars:,} characters (it has {len(note):,}); "
                "details beyond that belong in a job or a file."
            )
        return note


class ActivateForm(forms.Form):
    def __init__(self, *args, ask_name: bool, ask_company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_name:
            self.fields["name"] = forms.CharField(
                label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
            )
        if ask_company:
            self.fields["company"] = forms.CharField(
                label="Company name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
            )
        self.fields["password"] = forms.CharField(
            label="Choose a password",
            min_length=10,
            max_length=128,
            help_text="At least 10 characters.",
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )


class DemoCardForm(forms.Form):
    number = forms.CharField(
        label="Test card number",
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


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
    service_area = forms.CharField(
        label="Service area", max_length=300, help_text="Cities or states, separated by commas."
    )

    def clean_service_area(self):
        return _list(self.cleaned_data["service_area"])


class TradesStep(forms.Form):
    trades = forms.MultipleChoiceField(
        label="Trades you self-perform or bid", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trades"].choices = _trade_choices()[1:]


class SectorsStep(forms.Form):
    sectors = forms.MultipleChoiceField(
        label="Market sectors", choices=MARKET_SECTORS, widget=forms.CheckboxSelectMultiple
    )


WARM_SOURCE_CHOICES = [(s.value, s.label) for s in LeadSource if s != LeadSource.PLG_INVITE]


class WarmLinkForm(forms.Form):
    """An SDR issues one personalized link."""

    email = forms.EmailField(label="Prospect's email", max_length=254)
    name = forms.CharField(label="Name", max_length=200, required=False)
    title = forms.CharField(
        label="Title",
        max_length=200,
        required=False,
        help_text="Known role (e.g. Chief Estimator): makes the lead warmest, so no role question.",
    )
    source = forms.ChoiceField(label="Source", choices=WARM_SOURCE_CHOICES)


class WarmLinkCsvForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: email, name, title, source (one lead per row).")


class InboxConsentForm(forms.Form):
    """The inbox opt-in: an unticked box the prospect ticks themself (never pre-ticked, never implied by a
    button), and the version of the text the page showed (the grant is recorded against it)."""

    agree = forms.BooleanField(
        required=True,
        label="I agree: read the invitations to bid in my inbox, as described above",
        error_messages={"required": "Tick the box to agree, or leave this page: nothing is read without it."},
    )
    version = forms.CharField(max_length=40, widget=forms.HiddenInput)
