"""Payload schemas shared by the JSON API and the CSV import, so both reject the same bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from gtmos.crm.models import (
    CadenceType, Contact, ConvIntelligenceCall, Opportunity, Quote, RepActivity, Role, Segment, Stage, TouchChannel,
)
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
    question_depth: float | None = Field(default=None, ge=0, le=1)
    qualification_coverage: float | None = Field(default=None, ge=0, le=1)
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


# Rep-performance records (seed 001): territories, quotas, the quota ledger, comp plans, cadence touches.

PeriodLabel = Field(min_length=1, max_length=20)


def _period_ordered(schema):
    if schema.period_end <= schema.period_start:
        _field_errors(type(schema), [("period_end", "the period must end after it starts", str(schema.period_end))])
    return schema


class TerritoryIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    segment: Literal[(*Segment.values, "")] = ""  # type: ignore[valid-type]
    region: str = Field(default="", max_length=100)
    owner_email: OptionalEmail = None
    is_active: bool = True


class QuotaIn(Schema):
    rep_email: EmailStr
    period: str = PeriodLabel
    period_start: dt.date
    period_end: dt.date
    amount: Decimal = Money
    segment: Literal[(*Segment.values, "")] | None = None  # type: ignore[valid-type]  # None: the rep's
    territory: str | None = Field(default=None, max_length=100)

    _ordered = model_validator(mode="after")(_period_ordered)


class QuotaLedgerIn(Schema):
    rep_email: EmailStr
    period: str = PeriodLabel
    as_of_date: dt.date
    closed_amount: Decimal = Money
    committed_amount: Decimal = Money
    rep_commit: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class CompPlanIn(Schema):
    period: str = PeriodLabel
    period_start: dt.date
    period_end: dt.date
    employee_email: OptionalEmail = None
    role: Literal[(*Role.values, "")] = ""  # type: ignore[valid-type]
    segment: Literal[(*Segment.values, "")] = ""  # type: ignore[valid-type]
    touches_per_week: int | None = Field(default=None, ge=0)
    calls_per_week: int | None = Field(default=None, ge=0)
    meetings_per_month: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _for_employee_or_role(self):
        _period_ordered(self)
        if self.employee_email and (self.role or self.segment):
            _field_errors(type(self), [("role", "a plan is for one employee or for a role, not both", self.role)])
        if not self.employee_email and not self.role:
            _field_errors(type(self), [("role", "name the employee_email or the role the plan is for", "")])
        return self


class CadenceEventIn(Schema):
    external_id: str = ExternalId
    sdr_email: EmailStr
    occurred_at: dt.datetime
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
    responded_at: dt.datetime | None = None
    meeting_booked: bool = False
    meeting_accepted: bool = False
    risk_flags: list[str] = []

    @model_validator(mode="after")
    def _outcome_funnel(self):
        # Nested like the table's check constraints: response ⊇ meeting booked ⊇ accepted / opportunity.
        problems = []
        if self.responded_at is not None and not self.responded:
            problems.append(("responded_at", "only a touch that got a response has a response time",
                             str(self.responded_at)))
        elif self.responded_at is not None and self.responded_at < self.occurred_at:
            problems.append(("responded_at", "a response cannot come before the touch", str(self.responded_at)))
        if self.meeting_booked and not self.responded:
            problems.append(("meeting_booked", "a booked meeting is a response: set responded", True))
        if self.meeting_accepted and not self.meeting_booked:
            problems.append(("meeting_accepted", "only a booked meeting can be accepted", True))
        if self.opportunity_external_id and not self.meeting_booked:
            problems.append(("opportunity_external_id", "only a booked meeting converts into an opportunity",
                             self.opportunity_external_id))
        if self.lead_id and self.lead_email:
            problems.append(("lead_email", "give the lead_id or the lead_email, not both", self.lead_email))
        if not (self.lead_id or self.lead_email or self.contact_external_id or self.account_external_id
                or self.opportunity_external_id):
            problems.append(("lead_id", "name the prospect: lead_id, lead_email, contact_external_id or "
                                        "account_external_id", None))
        _field_errors(type(self), problems)
        return self


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


# --- Enrichment datasets (seed 002): what the offline agents read ---------------------------------------

OrgTypeValue = Literal["", "contractor", "sub_contractor", "consumer", "platform"]
StateCode = Field(default="", max_length=2)
Amount = Field(default=None, ge=0, max_digits=16, decimal_places=0)


class FirmographicIn(Schema):
    domain: str = Field(min_length=3, max_length=253)
    company: str = Field(min_length=1, max_length=200)
    org_type: OrgTypeValue = ""
    trade: str = Field(default="", max_length=40)
    employees: int | None = Field(default=None, ge=0)
    revenue: Decimal | None = Amount
    bonding_capacity: Decimal | None = Amount
    hq_city: str = Field(default="", max_length=100)
    hq_state: str = StateCode
    source: str = Field(default="", max_length=100)
    as_of: dt.date | None = None


class ProjectRecordIn(Schema):
    external_id: str = Field(min_length=1, max_length=100)
    source: Literal["permit", "public_bid", "news"]
    name: str = Field(min_length=1, max_length=300)
    company: str = Field(default="", max_length=200)
    company_domain: str = Field(default="", max_length=253)
    trades: list[str] = []
    city: str = Field(default="", max_length=100)
    state: str = StateCode
    value: Decimal | None = Amount
    bid_date: dt.date | None = None
    published_on: dt.date | None = None
    url: str = Field(default="", max_length=200)


class BidInviteIn(Schema):
    external_id: str = Field(min_length=1, max_length=100)
    recipient_domain: str = Field(min_length=3, max_length=253)
    sender_company: str = Field(min_length=1, max_length=200)
    sender_domain: str = Field(default="", max_length=253)
    sender_org_type: OrgTypeValue = ""
    project_name: str = Field(default="", max_length=300)
    trade: str = Field(default="", max_length=40)
    received_on: dt.date | None = None


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
