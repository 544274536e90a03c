"""Payload schemas shared by the JSON API and the CSV import, so both reject the same bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from gtmos.crm.models import (
    CadenceType,
    Contact,
    ConvIntelligenceCall,
    Opportunity,
    Quote,
    RepActivity,
    Role,
    Segment,
    Stage,
    TouchChannel,
)
from gtmos.health.models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse

SegmentValue = Literal[tuple(Segment.values)]  # type: ignore[valid-type]
RoleValue = Literal[tuple(Role.values)]  # type: ignore[valid-type]
StageValue = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
ExternalId = Field(min_length=1, max_length=64)
# Every constraint the server enforces is in the published schema (issue 21), so a client generated from
# /api/v1/openapi.json cannot send what the server refuses for a reason the schema does not say.
INT_MAX = 2_147_483_647  # PostgreSQL integer: a larger count was a NumericValueOutOfRange 500
NO_NUL = "^[^\\x00]*$"  # PostgreSQL text cannot hold NUL


def _decimal(max_digits: int, decimal_places: int, *, le: int | None = None):
    """A non-negative decimal as the column holds it, described exactly: a JSON integer or a decimal string
    with at most ``max_digits`` digits, ``decimal_places`` of them after the point."""
    whole = max_digits - decimal_places
    fraction = rf"(\.[0-9]{{1,{decimal_places}}})?" if decimal_places else ""
    pattern = rf"^[0-9]{{1,{whole}}}{fraction}$"
    if le is not None:  # e.g. a percentage: 0–99.99 or exactly 100
        pattern = rf"^([0-9]{{1,{len(str(le)) - 1}}}{fraction}|{le}(\.0{{1,{decimal_places}}})?)$"
    top = le if le is not None else 10**whole - 1
    return Annotated[
        Decimal,
        Field(ge=0, le=le, max_digits=max_digits, decimal_places=decimal_places),
        WithJsonSchema(
            {"anyOf": [{"type": "integer", "minimum": 0, "maximum": top}, {"type": "string", "pattern": pattern}]}
        ),
    ]


MoneyValue = _decimal(14, 2)
PriceValue = _decimal(12, 2)
PercentValue = _decimal(5, 2, le=100)
WholeAmount = _decimal(16, 0)


def _iso_text(value):
    """Dates and times come as ISO 8601 text: pydantic's lax mode read the integer 0 as 1970-01-01."""
    if isinstance(value, (int, float)):  # bool too: an int
        raise ValueError("give an ISO 8601 string (YYYY-MM-DD, or with a time)")
    return value


# Times from year 1900: a moment in year 1 with a positive UTC offset is year 0 in UTC, which PostgreSQL stores
# and Python cannot read back (a fuzzed quote made every later read of the deal fail). Said in the schema too.
FIRST_YEAR = 1900
_FROM_1900 = "^(19|[2-9][0-9])[0-9][0-9]-"


def _from_first_year(value: dt.datetime) -> dt.datetime:
    if value.year < FIRST_YEAR:
        raise ValueError(f"give a time from the year {FIRST_YEAR} on")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_text)]
DateTime = Annotated[
    dt.datetime,
    BeforeValidator(_iso_text),
    AfterValidator(_from_first_year),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _FROM_1900}),
]


def _email(value: str) -> str:
    """Django's own email rule, so the API accepts exactly what the models' EmailFields accept."""
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("enter a valid email address") from None
    return value.lower()


EmailStr = Annotated[
    str, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email", "maxLength": 254})
]
OptionalEmail = EmailStr | None


def _described(schema: dict) -> None:
    """The published schema says what every field of an ingest payload must be: text without NUL, and a
    reference (``*_external_id``, an employee's email) must name an existing record."""
    for name, prop in schema.get("properties", {}).items():
        for branch in prop.get("anyOf", [prop]):
            if (
                branch.get("type") == "string"
                and "pattern" not in branch
                and "format" not in branch
                and "enum" not in branch
                and "const" not in branch
            ):
                branch["pattern"] = NO_NUL
            if branch.get("type") == "array" and branch.get("items", {}).get("type") == "string":
                branch["items"].setdefault("pattern", NO_NUL)
        if name.endswith("_external_id") or (name.endswith("_email") and name != "lead_email"):
            prop.setdefault(
                "description", "must name an existing record; otherwise 422 with this field and code missing_reference"
            )


class In(Schema):
    """An ingest payload: the API's body and a CSV row."""

    model_config = ConfigDict(json_schema_extra=_described)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        # Ninja's root validator wraps the input in a DjangoGetter (for ORM objects); a payload is a plain
        # dict, and skipping the wrapper halves the cost of validating a million CSV rows (issue 21).
        return handler(values if type(values) is dict else DjangoGetter(values, cls, info.context))

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL refuses NUL in text; caught here the error names the field, not the body.
        if type(value) is str:
            bad = "\x00" in value
        elif type(value) is list:
            bad = any(isinstance(text, str) and "\x00" in text for text in value)
        else:
            return value
        if bad:
            raise ValueError("text cannot contain a NUL character")
        return value


def _field_errors(schema, problems: list[tuple[str, str, object]]):
    """Raise the cross-field rule violations of a ``model_validator`` against the fields to blame.

    A plain ``ValueError`` there lands on the whole body; a ``ValidationError`` keeps each ``loc``, so
    the API's 422 and the CSV report name the field, as they do for single-field constraints.
    """
    if problems:
        raise ValidationError.from_exception_data(
            schema.__name__,
            [
                InitErrorDetails(type=PydanticCustomError("rule", message), loc=(name,), input=value)
                for name, message, value in problems
            ],
        )


class EmployeeIn(In):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: RoleValue
    external_id: str | None = Field(default=None, max_length=64)
    manager_email: OptionalEmail = None
    slm_email: OptionalEmail = None
    segment: SegmentValue | Literal[""] = ""
    territory: str = Field(default="", max_length=100)


class AccountIn(In):
    external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    segment: SegmentValue
    domain: str = Field(default="", max_length=253)
    vertical: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    owner_email: OptionalEmail = None
    am_email: OptionalEmail = None
    csm_email: OptionalEmail = None
    contract_start_date: Date | None = None
    renewal_date: Date | None = None
    contracted_seats: int = Field(default=0, ge=0, le=INT_MAX)
    contracted_consumption_units: int = Field(default=0, ge=0, le=INT_MAX)
    arr: MoneyValue = Decimal(0)
    is_customer: bool = False


class ContactIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | Literal[""] = ""
    title: str = Field(default="", max_length=200)
    buying_role: Literal[tuple(Contact.BuyingRole.values)] = "other"  # type: ignore[valid-type]
    is_executive_sponsor: bool = False
    last_engaged_at: DateTime | None = None


class OpportunityIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    type: Literal[tuple(Opportunity.Type.values)] = "new"  # type: ignore[valid-type]
    stage: StageValue = "prospecting"
    acv: MoneyValue = Decimal(0)
    sam_value: MoneyValue = Decimal(0)
    deal_health_score: int | None = Field(default=None, ge=0, le=100)
    deal_risk_flags: list[str] = []
    close_date: Date | None = None
    owner_email: OptionalEmail = None
    se_email: OptionalEmail = None
    am_email: OptionalEmail = None
    csm_email: OptionalEmail = None
    sdr_email: OptionalEmail = None


class StageChangeIn(In):
    stage: StageValue
    lost_reason: str = Field(default="", max_length=200)
    changed_at: DateTime | None = None


class OrderIn(In):
    """The closed-won order signal."""

    opportunity_external_id: str = ExternalId
    contract_start_date: Date | None = None
    closed_at: DateTime | None = None


class ProductIn(In):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    is_api_consumption: bool = False
    is_implementation_service: bool = False
    list_price: PriceValue = Decimal(0)
    active: bool = True


class QuoteLineIn(In):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(default=1, ge=1, le=INT_MAX)
    unit_price: PriceValue = Decimal(0)
    discount_pct: PercentValue = Decimal(0)


class QuoteLineRowIn(QuoteLineIn):
    """A quote line as a CSV row names its quote."""

    quote_external_id: str = ExternalId


class QuoteIn(In):
    external_id: str = ExternalId
    opportunity_external_id: str = ExternalId
    created_at: DateTime
    status: Literal[tuple(Quote.Status.values)] = "draft"  # type: ignore[valid-type]
    term_months: int = Field(default=12, ge=1, le=120)
    discount_pct: PercentValue = Decimal(0)
    term_exception: bool = False
    configuration_notes: str = ""
    lines: list[QuoteLineIn] | None = None


class CallIn(In):
    external_id: str = ExternalId
    owner_email: EmailStr
    occurred_at: DateTime
    account_external_id: str | None = None
    opportunity_external_id: str | None = None
    call_type: Literal[tuple(ConvIntelligenceCall.CallType.values)] = "other"  # type: ignore[valid-type]
    duration_seconds: int = Field(default=0, ge=0, le=INT_MAX)
    objections: list[str] = []
    competitor_mentions: list[str] = []
    next_steps: list[str] = []
    demoed: list[str] = []
    sentiment: float | None = Field(default=None, ge=-1, le=1)
    talk_ratio: float | None = Field(default=None, ge=0, le=1)
    question_count: int = Field(default=0, ge=0, le=INT_MAX)
    question_depth: float | None = Field(default=None, ge=0, le=1)
    qualification_coverage: float | None = Field(default=None, ge=0, le=1)
    quality_score: int | None = Field(default=None, ge=0, le=100)
    summary: str = ""


class UsageDayIn(In):
    account_external_id: str = ExternalId
    day: Date
    active_seats: int = Field(default=0, ge=0, le=INT_MAX)
    consumption_units: int = Field(default=0, ge=0, le=INT_MAX)
    logins: int = Field(default=0, ge=0, le=INT_MAX)


class UsageEventIn(In):
    account_external_id: str = ExternalId
    day: Date
    event_name: str = Field(min_length=1, max_length=100)
    count: int = Field(default=1, ge=0, le=INT_MAX)


class UsageBatchIn(In):
    days: list[UsageDayIn] = []
    events: list[UsageEventIn] = []


class ActivityIn(In):
    external_id: str = ExternalId
    rep_email: EmailStr
    activity_date: Date
    activity_type: Literal[tuple(RepActivity.ActivityType.values)]  # type: ignore[valid-type]
    account_external_id: str | None = None
    contact_external_id: str | None = None
    notes: str = ""


# Rep-performance records (seed 001): territories, quotas, the quota ledger, comp plans, cadence touches.

PeriodLabel = Field(min_length=1, max_length=20)


def _period_ordered(schema):
    if schema.period_end <= schema.period_start:
        _field_errors(type(schema), [("period_end", "the period must end after it starts", str(schema.period_end))])
    return schema


class TerritoryIn(In):
    name: str = Field(min_length=1, max_length=100)
    segment: Literal[(*Segment.values, "")] = ""  # type: ignore[valid-type]
    region: str = Field(default="", max_length=100)
    owner_email: OptionalEmail = None
    is_active: bool = True


class QuotaIn(In):
    rep_email: EmailStr
    period: str = PeriodLabel
    period_start: Date
    period_end: Date
    amount: MoneyValue = Decimal(0)
    segment: Literal[(*Segment.values, "")] | None = None  # type: ignore[valid-type]  # None: the rep's
    territory: str | None = Field(default=None, max_length=100)

    _ordered = model_validator(mode="after")(_period_ordered)


class QuotaLedgerIn(In):
    rep_email: EmailStr
    period: str = PeriodLabel
    as_of_date: Date
    closed_amount: MoneyValue = Decimal(0)
    committed_amount: MoneyValue = Decimal(0)
    rep_commit: MoneyValue | None = None


class CompPlanIn(In):
    period: str = PeriodLabel
    period_start: Date
    period_end: Date
    employee_email: OptionalEmail = None
    role: Literal[(*Role.values, "")] = ""  # type: ignore[valid-type]
    segment: Literal[(*Segment.values, "")] = ""  # type: ignore[valid-type]
    touches_per_week: int | None = Field(default=None, ge=0, le=INT_MAX)
    calls_per_week: int | None = Field(default=None, ge=0, le=INT_MAX)
    meetings_per_month: int | None = Field(default=None, ge=0, le=INT_MAX)

    @model_validator(mode="after")
    def _for_employee_or_role(self):
        _period_ordered(self)
        if self.employee_email and (self.role or self.segment):
            _field_errors(type(self), [("role", "a plan is for one employee or for a role, not both", self.role)])
        if not self.employee_email and not self.role:
            _field_errors(type(self), [("role", "name the employee_email or the role the plan is for", "")])
        return self


class CadenceEventIn(In):
    external_id: str = ExternalId
    sdr_email: EmailStr
    occurred_at: DateTime
    cadence_type: Literal[tuple(CadenceType.values)]  # type: ignore[valid-type]
    cadence_id: str = Field(min_length=1, max_length=64)
    cadence_name: str = Field(default="", max_length=200)
    step: int = Field(ge=1, le=100)
    channel: Literal[tuple(TouchChannel.values)]  # type: ignore[valid-type]
    lead_id: uuid.UUID | None = None
    lead_email: OptionalEmail = None
    account_external_id: str | None = Field(default=None, max_length=64)
    contact_external_id: str | None = Field(default=None, max_length=64)
    opportunity_external_id: str | None = Field(default=None, max_length=64)
    responded: bool = False
    responded_at: DateTime | None = None
    meeting_booked: bool = False
    meeting_accepted: bool = False
    risk_flags: list[str] = []

    @model_validator(mode="after")
    def _outcome_funnel(self):
        # Nested like the table's check constraints: response ⊇ meeting booked ⊇ accepted / opportunity.
        problems = []
        if self.responded_at is not None and not self.responded:
            problems.append(
                ("responded_at", "only a touch that got a response has a response time", str(self.responded_at))
            )
        elif self.responded_at is not None and self.responded_at < self.occurred_at:
            problems.append(("responded_at", "a response cannot come before the touch", str(self.responded_at)))
        if self.meeting_booked and not self.responded:
            problems.append(("meeting_booked", "a booked meeting is a response: set responded", True))
        if self.meeting_accepted and not self.meeting_booked:
            problems.append(("meeting_accepted", "only a booked meeting can be accepted", True))
        if self.opportunity_external_id and not self.meeting_booked:
            problems.append(
                (
                    "opportunity_external_id",
                    "only a booked meeting converts into an opportunity",
                    self.opportunity_external_id,
                )
            )
        if self.lead_id and self.lead_email:
            problems.append(("lead_email", "give the lead_id or the lead_email, not both", self.lead_email))
        if not (
            self.lead_id
            or self.lead_email
            or self.contact_external_id
            or self.account_external_id
            or self.opportunity_external_id
        ):
            problems.append(
                ("lead_id", "name the prospect: lead_id, lead_email, contact_external_id or account_external_id", None)
            )
        _field_errors(type(self), problems)
        return self


# Customer-health inputs (gtmos.health): survey, ticket, QBR, expansion and advocacy feeds.


class SurveyResponseIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    contact_external_id: str | None = Field(default=None, max_length=64)
    kind: Literal[tuple(SurveyResponse.Kind.values)]  # type: ignore[valid-type]
    score: int = Field(ge=0, le=10)
    responded_on: Date
    comment: str = ""

    @model_validator(mode="after")
    def _score_on_the_kind_s_scale(self):
        if self.kind == SurveyResponse.Kind.CSAT and not 1 <= self.score <= 5:
            _field_errors(type(self), [("score", "a CSAT score is 1–5", self.score)])
        return self


class SupportTicketIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    subject: str = Field(default="", max_length=300)
    priority: Literal[tuple(SupportTicket.Priority.values)] = "normal"  # type: ignore[valid-type]
    status: Literal[tuple(SupportTicket.Status.values)] = "open"  # type: ignore[valid-type]
    opened_on: Date
    closed_on: Date | None = None

    @model_validator(mode="after")
    def _closed_after_opened(self):
        if self.closed_on is not None and self.closed_on < self.opened_on:
            _field_errors(type(self), [("closed_on", "a ticket cannot close before it opened", str(self.closed_on))])
        return self


class QBRIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    owner_email: OptionalEmail = None
    scheduled_for: Date
    status: Literal[tuple(QBRLog.Status.values)] = "scheduled"  # type: ignore[valid-type]
    completed_on: Date | None = None
    # One Literal (not ``… | Literal[""]``) so a bad value is one error named ``outcome``, not one per branch.
    outcome: Literal[(*QBRLog.Outcome.values, "")] = ""  # type: ignore[valid-type]
    exec_sponsor_attended: bool = False
    notes: str = ""

    @model_validator(mode="after")
    def _completion_fits_the_status(self):
        completed = self.status == QBRLog.Status.COMPLETED
        problems = []
        if completed and self.completed_on is None:
            problems.append(("completed_on", "a completed QBR needs the date it was held", None))
        if not completed and self.completed_on is not None:
            problems.append(("completed_on", f"a {self.status} QBR has no completion date", str(self.completed_on)))
        if not completed and self.outcome:
            problems.append(
                ("outcome", f"only a completed QBR has an outcome (this one is {self.status})", self.outcome)
            )
        _field_errors(type(self), problems)
        return self


class ExpansionIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    play: str = Field(min_length=1, max_length=100)
    status: Literal[tuple(ExpansionLog.Status.values)] = "open"  # type: ignore[valid-type]
    opened_on: Date
    closed_on: Date | None = None
    amount: MoneyValue = Decimal(0)
    reason: str = ""

    @model_validator(mode="after")
    def _closing_fits_the_status(self):
        # Health scoring counts a won or lost play by its closed_on, so those need one; an open play has none.
        closed = self.closed_on
        if closed is None and self.status in (ExpansionLog.Status.WON, ExpansionLog.Status.LOST):
            _field_errors(type(self), [("closed_on", f"a {self.status} play needs the date it closed", None)])
        if closed is not None and self.status == ExpansionLog.Status.OPEN:
            _field_errors(type(self), [("closed_on", "an open play has no closed_on", str(closed))])
        if closed is not None and closed < self.opened_on:
            _field_errors(type(self), [("closed_on", "a play cannot close before it opened", str(closed))])
        return self


class AdvocacyIn(In):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    kind: Literal[tuple(AdvocacyRecord.Kind.values)]  # type: ignore[valid-type]
    occurred_on: Date
    notes: str = ""


# --- Enrichment datasets (seed 002): what the offline agents read ---------------------------------------

OrgTypeValue = Literal["", "contractor", "sub_contractor", "consumer", "platform"]
StateCode = Field(default="", max_length=2)


class FirmographicIn(In):
    domain: str = Field(min_length=3, max_length=253)
    company: str = Field(min_length=1, max_length=200)
    org_type: OrgTypeValue = ""
    trade: str = Field(default="", max_length=40)
    employees: int | None = Field(default=None, ge=0, le=INT_MAX)
    revenue: WholeAmount | None = None
    bonding_capacity: WholeAmount | None = None
    hq_city: str = Field(default="", max_length=100)
    hq_state: str = StateCode
    source: str = Field(default="", max_length=100)
    as_of: Date | None = None


class ProjectRecordIn(In):
    external_id: str = Field(min_length=1, max_length=100)
    source: Literal["permit", "public_bid", "news"]
    name: str = Field(min_length=1, max_length=300)
    company: str = Field(default="", max_length=200)
    company_domain: str = Field(default="", max_length=253)
    trades: list[str] = []
    city: str = Field(default="", max_length=100)
    state: str = StateCode
    value: WholeAmount | None = None
    bid_date: Date | None = None
    published_on: Date | None = None
    url: str = Field(default="", max_length=200)


class BidInviteIn(In):
    external_id: str = Field(min_length=1, max_length=100)
    recipient_domain: str = Field(min_length=3, max_length=253)
    sender_company: str = Field(min_length=1, max_length=200)
    sender_domain: str = Field(default="", max_length=253)
    sender_org_type: OrgTypeValue = ""
    project_name: str = Field(default="", max_length=300)
    trade: str = Field(default="", max_length=40)
    received_on: Date | None = None


class UpsertOut(Schema):
    id: int
    external_id: str | None
    created: bool


class UsageOut(Schema):
    rows: int


class ErrorItem(Schema):
    field: str
    message: str
    code: Literal["invalid", "rule", "missing_reference", "conflict", "too_large"] = "invalid"


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
