"""Payload schemas shared by the JSON API and the CSV import, so both reject the same bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from gtmos.crm.models import Contact, ConvIntelligenceCall, Opportunity, Quote, RepActivity, Role, Segment, Stage
from gtmos.health.models import AdvocacyRecord, ExpansionLog, QBRLog, SupportTicket, SurveyResponse

SegmentValue = Literal[tuple(Segment.values)]  # type: ignore[valid-type]
RoleValue = Literal[tuple(Role.values)]  # type: ignore[valid-type]
StageValue = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
Money = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
ExternalId = Field(min_length=1, max_length=64)


def _email(value: str) -> str:
    """Django's own email rule, so the API accepts exactly what the models' EmailFields accept."""
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("enter a valid email address") from None
    return value.lower()


EmailStr = Annotated[str, AfterValidator(_email)]
OptionalEmail = EmailStr | None


def _field_errors(schema, problems: list[tuple[str, str, object]]):
    """Raise the cross-field rule violations of a ``model_validator`` against the fields to blame.

    A plain ``ValueError`` there lands on the whole body; a ``ValidationError`` keeps each ``loc``, so
    the API's 422 and the CSV report name the field, as they do for single-field constraints.
    """
    if problems:
        raise ValidationError.from_exception_data(schema.__name__, [
            InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(name,), input=value)
            for name, message, value in problems
        ])


class EmployeeIn(Schema):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: RoleValue
    external_id: str | None = Field(default=None, max_length=64)
    manager_email: OptionalEmail = None
    slm_email: OptionalEmail = None
    segment: SegmentValue | Literal[""] = ""
    territory: str = Field(default="", max_length=100)


class AccountIn(Schema):
    external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    segment: SegmentValue
    domain: str = Field(default="", max_length=253)
    vertical: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    owner_email: OptionalEmail = None
    am_email: OptionalEmail = None
    csm_email: OptionalEmail = None
    contract_start_date: dt.date | None = None
    renewal_date: dt.date | None = None
    contracted_seats: int = Field(default=0, ge=0)
    contracted_consumption_units: int = Field(default=0, ge=0)
    arr: Decimal = Money
    is_customer: bool = False


class ContactIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | Literal[""] = ""
    title: str = Field(default="", max_length=200)
    buying_role: Literal[tuple(Contact.BuyingRole.values)] = "other"  # type: ignore[valid-type]
    is_executive_sponsor: bool = False
    last_engaged_at: dt.datetime | None = None


class OpportunityIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=200)
    type: Literal[tuple(Opportunity.Type.values)] = "new"  # type: ignore[valid-type]
    stage: StageValue = "prospecting"
    acv: Decimal = Money
    sam_value: Decimal = Money
    deal_health_score: int | None = Field(default=None, ge=0, le=100)
    deal_risk_flags: list[str] = []
    close_date: dt.date | None = None
    owner_email: OptionalEmail = None
    se_email: OptionalEmail = None
    am_email: OptionalEmail = None
    csm_email: OptionalEmail = None
    sdr_email: OptionalEmail = None


class StageChangeIn(Schema):
    stage: StageValue
    lost_reason: str = Field(default="", max_length=200)
    changed_at: dt.datetime | None = None


class OrderIn(Schema):
    """The closed-won order signal."""

    opportunity_external_id: str = ExternalId
    contract_start_date: dt.date | None = None
    closed_at: dt.datetime | None = None


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    is_api_consumption: bool = False
    is_implementation_service: bool = False
    list_price: Decimal = Money
    active: bool = True


class QuoteLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(default=1, ge=1)
    unit_price: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    discount_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)


class QuoteLineRowIn(QuoteLineIn):
    """A quote line as a CSV row names its quote."""

    quote_external_id: str = ExternalId


class QuoteIn(Schema):
    external_id: str = ExternalId
    opportunity_external_id: str = ExternalId
    created_at: dt.datetime
    status: Literal[tuple(Quote.Status.values)] = "draft"  # type: ignore[valid-type]
    term_months: int = Field(default=12, ge=1, le=120)
    discount_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    term_exception: bool = False
    configuration_notes: str = ""
    lines: list[QuoteLineIn] | None = None


class CallIn(Schema):
    external_id: str = ExternalId
    owner_email: EmailStr
    occurred_at: dt.datetime
    account_external_id: str | None = None
    opportunity_external_id: str | None = None
    call_type: Literal[tuple(ConvIntelligenceCall.CallType.values)] = "other"  # type: ignore[valid-type]
    duration_seconds: int = Field(default=0, ge=0)
    objections: list[str] = []
    competitor_mentions: list[str] = []
    next_steps: list[str] = []
    demoed: list[str] = []
    sentiment: float | None = Field(default=None, ge=-1, le=1)
    talk_ratio: float | None = Field(default=None, ge=0, le=1)
    question_count: int = Field(default=0, ge=0)
    quality_score: int | None = Field(default=None, ge=0, le=100)
    summary: str = ""


class UsageDayIn(Schema):
    account_external_id: str = ExternalId
    day: dt.date
    active_seats: int = Field(default=0, ge=0)
    consumption_units: int = Field(default=0, ge=0)
    logins: int = Field(default=0, ge=0)


class UsageEventIn(Schema):
    account_external_id: str = ExternalId
    day: dt.date
    event_name: str = Field(min_length=1, max_length=100)
    count: int = Field(default=1, ge=0)


class UsageBatchIn(Schema):
    days: list[UsageDayIn] = []
    events: list[UsageEventIn] = []


class ActivityIn(Schema):
    external_id: str = ExternalId
    rep_email: EmailStr
    activity_date: dt.date
    activity_type: Literal[tuple(RepActivity.ActivityType.values)]  # type: ignore[valid-type]
    account_external_id: str | None = None
    contact_external_id: str | None = None
    notes: str = ""


# Customer-health inputs (gtmos.health): survey, ticket, QBR, expansion and advocacy feeds.


class SurveyResponseIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    contact_external_id: str | None = Field(default=None, max_length=64)
    kind: Literal[tuple(SurveyResponse.Kind.values)]  # type: ignore[valid-type]
    score: int = Field(ge=0, le=10)
    responded_on: dt.date
    comment: str = ""

    @model_validator(mode="after")
    def _score_on_the_kind_s_scale(self):
        if self.kind == SurveyResponse.Kind.CSAT and not 1 <= self.score <= 5:
            _field_errors(type(self), [("score", "a CSAT score is 1–5", self.score)])
        return self


class SupportTicketIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    subject: str = Field(default="", max_length=300)
    priority: Literal[tuple(SupportTicket.Priority.values)] = "normal"  # type: ignore[valid-type]
    status: Literal[tuple(SupportTicket.Status.values)] = "open"  # type: ignore[valid-type]
    opened_on: dt.date
    closed_on: dt.date | None = None

    @model_validator(mode="after")
    def _closed_after_opened(self):
        if self.closed_on is not None and self.closed_on < self.opened_on:
            _field_errors(type(self), [("closed_on", "a ticket cannot close before it opened", str(self.closed_on))])
        return self


class QBRIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    owner_email: OptionalEmail = None
    scheduled_for: dt.date
    status: Literal[tuple(QBRLog.Status.values)] = "scheduled"  # type: ignore[valid-type]
    completed_on: dt.date | None = None
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
            problems.append(("outcome", f"only a completed QBR has an outcome (this one is {self.status})",
                             self.outcome))
        _field_errors(type(self), problems)
        return self


class ExpansionIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    play: str = Field(min_length=1, max_length=100)
    status: Literal[tuple(ExpansionLog.Status.values)] = "open"  # type: ignore[valid-type]
    opened_on: dt.date
    closed_on: dt.date | None = None
    amount: Decimal = Money
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


class AdvocacyIn(Schema):
    external_id: str = ExternalId
    account_external_id: str = ExternalId
    kind: Literal[tuple(AdvocacyRecord.Kind.values)]  # type: ignore[valid-type]
    occurred_on: dt.date
    notes: str = ""


class UpsertOut(Schema):
    id: int
    external_id: str | None
    created: bool


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []
