"""``POST /api/v1/leads``: a warm Lead from any source (PLG signup, referral, outbound reply, event contact) →
a signed personalized link; the prefetch starts at once. Registered on the ingest API (bearer token,
Idempotency-Key header, 422 naming the field)."""

from datetime import timedelta

from django.conf import settings
from ninja import Schema

from gtmos.core import clock
from gtmos.ingest.idempotency import idempotent


class LeadIn(Schema):
    email: str
    source: str
    warmth: str = "warm"
    name: str = ""
    title: str = ""


class LeadOut(Schema):
    lead_id: str
    session_id: str
    link: str
    expires_at: str
    created: bool


def register(router, invalid) -> None:
    @router.post(
        "/leads",
        response={200: LeadOut, 201: LeadOut, 401: dict, 409: dict, 422: dict},
        summary="Create a warm lead and get its personalized link",
        operation_id="warm_lead_create",
    )
    @idempotent
    def lead_create(request, payload: LeadIn):
        from .services import WarmLinkError, warm_link_issue

        try:
            session, link, created = warm_link_issue(base_url=request.build_absolute_uri("/")[:-1], **payload.dict())
        except WarmLinkError as exc:
            field, _, message = str(exc).partition(": ")
            return invalid(field, message)
        expires = clock.now() + timedelta(days=settings.PROSPECT_WARM_LINK_MAX_AGE_DAYS)
        return (201 if created else 200), {
            "lead_id": str(session.lead_id),
            "session_id": str(session.pk),
            "link": link,
            "expires_at": expires.isoformat(),
            "created": created,
        }
