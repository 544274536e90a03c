"""The ingest API (/api/v1/): CRMs, the usage feed and call recorders push GTM records here.

Every write needs a bearer token (one per integration) and an Idempotency-Key header. Bad payloads get a
4xx whose ``errors`` name each bad field.
"""

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, transaction
from django.http import JsonResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, ValidationError

from enrichment.services import datasets as enrichment_datasets
from gtmos.comp.services import comp_plan_upsert
from gtmos.crm import services
from gtmos.crm.models import Opportunity
from gtmos.health.services import inputs as health_inputs

from . import schemas
from .auth import IntegrationBearer
from .idempotency import idempotent
from .merge import SPECS, key_id, merge, resolve_references
from .merge_columns import merge_columns

api = NinjaAPI(
    title="GTM OS ingest API",
    version="1",
    description=__doc__,
    auth=IntegrationBearer(),
    urls_namespace="api-v1",
)
WRITE_RESPONSES = {
    200: schemas.UpsertOut,
    201: schemas.UpsertOut,
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    409: schemas.ErrorOut,
    413: schemas.ErrorOut,
    422: schemas.ErrorOut,
}
# The header the ``idempotent`` wrapper requires, published on every write (the wrapper answers 400 without
# it, before the body is read): printable ASCII, no blank at either end (the server strips it), 1–200 long.
IDEMPOTENCY_HEADER = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "description": "One key per logical write: a replay with the same body returns the first answer and "
            "writes nothing; the same key with another body is a 409.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]([ -~]*[!-~])?$"},
        }
    ]
}


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {
            "field": _field_of(e.get("loc", ())),
            "message": e.get("msg", "invalid"),
            "code": "rule" if e.get("type") == "rule" else "invalid",
        }
        for e in exc.errors
    ]
    names = ", ".join(sorted({e["field"] for e in errors}))
    return JsonResponse({"detail": f"invalid payload: {names}", "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse(
        {
            "detail": f"the body is over the upload limit of {limit} bytes",
            "errors": [{"field": "body", "message": f"at most {limit} bytes", "code": "too_large"}],
        },
        status=413,
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return JsonResponse(
        {"detail": "a valid integration token is required (Authorization: Bearer …)", "errors": []},
        status=401,
    )


def _invalid(field: str, message: str, code: str = "invalid") -> JsonResponse:
    return JsonResponse(
        {"detail": f"invalid payload: {field}", "errors": [{"field": field, "message": message, "code": code}]},
        status=422,
    )


def _missing(missing: services.ReferenceNotFound) -> JsonResponse:
    return _invalid(missing.field, f"no record matches {missing.value!r}", "missing_reference")


def _conflict(error: IntegrityError, fields) -> JsonResponse:
    """A unique key another record holds (an employee's external_id under another email): 422 on the field
    the constraint is named after."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    named = sorted((f for f in fields if f in constraint), key=len, reverse=True)
    field = named[0] if named else "body"
    return _invalid(field, "another record already has this value", "conflict")


def _write(service, payload, **extra):
    """Call a service; map a missing reference, a rule violation or a unique key held by another record to a
    422 naming the field. The savepoint keeps the request's transaction usable after a database error."""
    values = payload.dict()
    try:
        with transaction.atomic():
            obj, created = service(**values, **extra)
    except services.ReferenceNotFound as missing:
        return _missing(missing)
    except IntegrityError as error:
        return _conflict(error, values)
    except DataError:  # a value the schema let through but the column cannot hold: still the client's input
        return _invalid("body", "a value is out of range for its field")
    except ValueError as broken:
        field, _, message = str(broken).partition(": ")
        return _invalid(field if message else "body", message or field, "rule")
    return (201 if created else 200), {
        "id": obj.pk,
        "external_id": getattr(obj, "external_id", None),
        "created": created,
    }


def _merge_write(spec, payload):
    """A one-row feeding write through the set-based merge (issue 21: 200 feeding writes/s): references in one
    plain read each, the service's rules, one ``INSERT … ON CONFLICT`` — the same row, the same 422s (a missing
    reference, a broken rule, a key another record holds) as the row-by-row service, at a third of its CPU."""
    values = payload.dict()
    found = resolve_references(spec, [(0, values)])
    if found:
        refs = {ref.field for ref in spec.references}
        errors = [
            {
                "field": field,
                "message": message,
                "code": "missing_reference" if field in refs and message.startswith("no record matches") else "rule",
            }
            for _, field, message in found
        ]
        names = ", ".join(e["field"] for e in errors)
        return JsonResponse({"detail": f"invalid payload: {names}", "errors": errors}, status=422)
    try:
        # No savepoint (two round trips a write): an error here is answered with a 422, and the idempotency
        # wrapper rolls the whole request's transaction back on any error answer.
        with transaction.atomic(savepoint=False):
            merged = merge(spec, [values])
    except IntegrityError as error:
        return _conflict(error, values)
    except DataError:
        return _invalid("body", "a value is out of range for its field")
    created = bool(merged.created_ids)
    return (201 if created else 200), {
        "id": merged.created_ids[0] if created else key_id(spec, spec.values(values)),
        "external_id": values.get("external_id"),
        "created": created,
    }


router = Router(tags=["ingest"])


def _upsert_endpoint(path: str, schema, service, summary: str, *, with_actor: bool = False, spec=None) -> None:
    """Register ``POST path``: validate with ``schema``, upsert with ``service`` (or, for a feeding table with a
    set-based ``spec``, through the merge), idempotently."""

    @router.post(
        path,
        response=WRITE_RESPONSES,
        summary=summary,
        operation_id=f"upsert_{path.strip('/')}",
        openapi_extra=IDEMPOTENCY_HEADER,
    )
    @idempotent
    def endpoint(request, payload: schema):
        if spec is not None:
            return _merge_write(spec, payload)
        extra = {"actor_label": request.auth.name} if with_actor else {}
        return _write(service, payload, **extra)


_upsert_endpoint("/employees", schemas.EmployeeIn, services.employee_upsert, "Create or update an employee")
_upsert_endpoint(
    "/accounts", schemas.AccountIn, services.account_upsert, "Create or update an account", with_actor=True
)
_upsert_endpoint(
    "/contacts", schemas.ContactIn, services.contact_upsert, "Create or update a contact", spec=SPECS["contacts"]
)
_upsert_endpoint(
    "/opportunities",
    schemas.OpportunityIn,
    services.opportunity_upsert,
    "Create or update an opportunity (a stage given here is a stage change)",
    with_actor=True,
)
_upsert_endpoint("/products", schemas.ProductIn, services.product_upsert, "Create or update a SKU")
_upsert_endpoint("/quotes", schemas.QuoteIn, services.quote_upsert, "Create or update a quote and its lines")
_upsert_endpoint("/calls", schemas.CallIn, services.call_upsert, "Record a scored call")
_upsert_endpoint("/activities", schemas.ActivityIn, services.activity_upsert, "Record a rep activity")
_upsert_endpoint(
    "/territories", schemas.TerritoryIn, services.territory_upsert, "Create or update a territory (keyed by name)"
)
_upsert_endpoint("/quotas", schemas.QuotaIn, services.quota_upsert, "Create or update a rep's quota for a period")
_upsert_endpoint(
    "/quota-ledger",
    schemas.QuotaLedgerIn,
    services.quota_ledger_upsert,
    "Record a quota's closed, committed and rep commit as of a date",
)
_upsert_endpoint(
    "/comp-plans", schemas.CompPlanIn, comp_plan_upsert, "Create or update a comp plan's activity expectations"
)
_upsert_endpoint(
    "/cadence-events",
    schemas.CadenceEventIn,
    services.cadence_event_upsert,
    "Record an SDR cadence touch and its outcome",
)
_upsert_endpoint(
    "/surveys",
    schemas.SurveyResponseIn,
    health_inputs.survey_response_upsert,
    "Record an NPS or CSAT survey response",
    spec=SPECS["surveys"],
)
_upsert_endpoint(
    "/tickets",
    schemas.SupportTicketIn,
    health_inputs.support_ticket_upsert,
    "Create or update a support ticket",
    spec=SPECS["tickets"],
)
_upsert_endpoint(
    "/qbrs", schemas.QBRIn, health_inputs.qbr_upsert, "Create or update a quarterly business review", spec=SPECS["qbrs"]
)
_upsert_endpoint(
    "/expansions",
    schemas.ExpansionIn,
    health_inputs.expansion_upsert,
    "Create or update an expansion play",
    spec=SPECS["expansions"],
)
_upsert_endpoint(
    "/advocacy",
    schemas.AdvocacyIn,
    health_inputs.advocacy_upsert,
    "Record a referral, case study, reference call, review or testimonial",
    spec=SPECS["advocacy"],
)

_upsert_endpoint(
    "/firmographics",
    schemas.FirmographicIn,
    enrichment_datasets.firmographic_upsert,
    "Create or update a company in the firmographics table (enrichment)",
)
_upsert_endpoint(
    "/project-records",
    schemas.ProjectRecordIn,
    enrichment_datasets.project_record_upsert,
    "Create or update a permit, public bid or news item (enrichment)",
)
_upsert_endpoint(
    "/bid-invites",
    schemas.BidInviteIn,
    enrichment_datasets.bid_invite_upsert,
    "Record a bid invite seen in a consenting prospect's inbox (enrichment)",
)


@router.post("/opportunities/{external_id}/stage", response=WRITE_RESPONSES, openapi_extra=IDEMPOTENCY_HEADER)
@idempotent
def post_stage_change(request, external_id: str, payload: schemas.StageChangeIn):
    opportunity = Opportunity.objects.filter(external_id=external_id).first()
    if opportunity is None:
        return _invalid("external_id", f"no opportunity matches {external_id!r}", "missing_reference")
    if payload.stage == "closed_won":
        return _invalid("stage", "closed won is the order signal: POST /api/v1/orders", "rule")
    try:
        changed = services.opportunity_set_stage(
            opportunity=opportunity,
            stage=payload.stage,
            lost_reason=payload.lost_reason,
            changed_at=payload.changed_at,
            actor_label=request.auth.name,
        )
    except ValueError as broken:
        field, _, message = str(broken).partition(": ")
        return _invalid(field, message, "rule")
    return 200, {"id": opportunity.pk, "external_id": external_id, "created": False, "changed": changed}


@router.post("/orders", response=WRITE_RESPONSES, openapi_extra=IDEMPOTENCY_HEADER)
@idempotent
def post_order(request, payload: schemas.OrderIn):
    """The closed-won order signal: closes the deal and starts post-close onboarding."""
    opportunity = Opportunity.objects.filter(external_id=payload.opportunity_external_id).first()
    if opportunity is None:
        return _invalid(
            "opportunity_external_id",
            f"no opportunity matches {payload.opportunity_external_id!r}",
            "missing_reference",
        )
    if opportunity.stage == "closed_lost":
        return _invalid("opportunity_external_id", "the opportunity is closed lost", "rule")
    services.opportunity_close_won(
        opportunity=opportunity,
        contract_start_date=payload.contract_start_date,
        closed_at=payload.closed_at,
        actor_label=request.auth.name,
    )
    return 200, {"id": opportunity.pk, "external_id": opportunity.external_id, "created": False}


@router.post(
    "/usage",
    response={200: schemas.UsageOut, **{code: schemas.ErrorOut for code in (400, 401, 409, 413, 422)}},
    openapi_extra=IDEMPOTENCY_HEADER,
)
@idempotent
def post_usage(request, payload: schemas.UsageBatchIn):
    """A batch of daily usage rows and named product events; all or nothing."""
    from django.conf import settings

    if len(payload.days) + len(payload.events) > settings.INGEST_MAX_BATCH:
        return _invalid("days", f"at most {settings.INGEST_MAX_BATCH} rows per batch", "rule")
    # One statement per table (issue 21): the batch as arrays, the references joined, the set-based merge.
    # Read straight off the validated rows, one list per field: no per-row dict (5,000 of them were a
    # tenth of the request's CPU, with the garbage collector's passes over them).
    batches = [("days", SPECS["usage"], payload.days), ("events", SPECS["usage_events"], payload.events)]
    missing, written = [], 0
    for name, spec, rows in batches:
        if not rows:
            continue
        fields = type(rows[0]).model_fields
        columns = {field: [getattr(row, field) for row in rows] for field in fields}
        unresolved, merged = merge_columns(spec, columns)
        missing.extend(
            {"field": f"{name}[{i}].{field}", "message": message, "code": "missing_reference"}
            for i, field, message in unresolved
        )
        written += merged
    if missing:  # every bad row named, nothing written (a table merged before the other's miss rolls back)
        transaction.set_rollback(True)
        names = ", ".join(e["field"] for e in missing[:20])
        return JsonResponse({"detail": f"invalid payload: {names}", "errors": missing}, status=422)
    return 200, {"rows": written}


from onboarding.prospect.api import register as _register_warm_leads  # noqa: E402 (seed 002 warm links)

_register_warm_leads(router, _invalid, IDEMPOTENCY_HEADER)
api.add_router("/", router)
