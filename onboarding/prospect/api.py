"""``POST /api/v1/leads``: a warm Lead from any source (PLG signup, referral, outbound reply, event contact) →
a signed personalized link; the prefetch starts at once. Registered on the ingest API (bearer token,
Idempotency-Key header, 422 naming the field)."""

from datetime import timedelta
from typing import Literal

from django.conf import settings
from ninja import Field, Schema

from gtmos.core import clock
from gtmos.ingest.idempotency import idempotent
from gtmos.ingest.schemas import EmailStr, ErrorOut, In

from .services import WARM_SOURCES


class LeadIn(In):
    email: EmailStr = Field(description="The prospect's work email; its domain must be a registrable one.")
    source: Literal[WARM_SOURCES]
    warmth: Literal["warm", "warmest"] = Field(default="warm", description="warmest: the role is known (title)")
    name: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=200, description="required when warmth is warmest")


class LeadOut(Schema):
    lead_id: str
    session_id: str
    link: str
    expires_at: str
    created: bool


def register(router, invalid, idempotency_header: dict) -> None:
    @router.post(
        "/leads",
        response={
            200: LeadOut,
            201: LeadOut,
            400: ErrorOut,
            401: ErrorOut,
            409: ErrorOut,
            413: ErrorOut,
            422: ErrorOut,
        },
        openapi_extra=idempotency_header,
        summary="Create a warm lead and get its personalized link",
        operation_id="warm_lead_create",
    )
    @idempotent
    def lead_create(request, payload: LeadIn):
        from .services import WarmLinkError, warm_link_issue

        try:
            session, link, created = warm_link_issue(base_url=request.build_absolute_uri("/")[:-1], **payload.dict())
        except WarmLinkError as exc:
            # What the schema cannot say (a registrable domain; warmest needs the title) is a rule of the service.
            field, _, message = str(exc).partition(": ")
            return invalid(field, message, "rule")
        expires = clock.now() + timedelta(days=settings.PROSPECT_WARM_LINK_MAX_AGE_DAYS)
        return (201 if created else 200), {
            "lead_id": str(session.lead_id),
            "session_id": str(session.pk),
            "link": link,
            "expires_at": expires.isoformat(),
            "created": created,
        }
