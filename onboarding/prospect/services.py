"""Writes behind the prospect pages. Every state change goes through ``onboarding.services.session``
(the one place transitions happen); these services add what the pages need around them: the capture
throttle, Sarah's takeoff record, the Org + User at S8, the subscription and card, the classic form's
answers, invites with their links, and the expansion check. Each is safe to call twice (double POSTs,
back/refresh): a repeat finds the work done and returns it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from enrichment import catalog
from enrichment.enums import LeadSource, PursuitStatus
from enrichment.models import Lead, Profile, Pursuit
from enrichment.providers.domains import email_domain
from enrichment.providers.takeoff import takeoff as takeoff_provider_run
from enrichment.services.leads import LeadError, lead_set_email
from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.core.commit import after_commit
from gtmos.crm.models import Account, Opportunity, Stage
from gtmos.crm.models.accounts import Segment
from gtmos.crm.services.deals import opportunity_close_won
from routing.enums import Warmth
from routing.models import RouterSettings, TradeConfig

from ..models import FallbackAnswers, OnboardingSession, OrgMember, SessionSettings, Subscription, Takeoff, TeamInvite
from ..models.session import SELF_SERVE_TAIL
from ..models.session import SessionState as S
from ..prospect_selectors import current_route
from ..services import session as flow
from ..services.session import SessionError
from .links import warm_link_path
from .notes import company_note_at_activation
from .payments import CardCaptured, PaymentError, payment_provider

# --- capture ------------------------------------------------------------------------------------------------


def capture_throttle_hit(*, client: str) -> bool:
    """Count one capture for this client in the current window; True while under PROSPECT_CAPTURE_LIMIT.
    One upsert, shared by every web process."""
    window = settings.PROSPECT_CAPTURE_WINDOW_SECONDS
    now = clock.now()
    start = now - timedelta(seconds=now.timestamp() % window)
    key = hashlib.sha256(f"capture:{client}".encode()).hexdigest()[:64]  # no raw IP stored
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO onboarding_capturethrottle (key, window_start, count) VALUES (%s, %s, 1) "
            "ON CONFLICT (key, window_start) DO UPDATE SET count = onboarding_capturethrottle.count + 1 "
            "RETURNING count",
            [key, start],
        )
        (count,) = cursor.fetchone()
    return count <= settings.PROSPECT_CAPTURE_LIMIT


# The sessions a second capture of the same email joins instead of starting another Lead: open, not yet an
# account (an activated one is signed into, never handed to whoever types its email).
REJOINABLE = (
    S.S1_AWAIT_EMAIL,
    S.S2_ENRICHING,
    S.S3_CONFIRM,
    S.S4_ROUTED,
    S.S5_VALUE,
    S.S6_NEXT_Q,
    S.S7_VALUE_PROOF,
    S.S8_ACTIVATE,
    S.FALLBACK_FORM,
)


def _open_session_for(email: str) -> OnboardingSession | None:
    """The prospect's open session, if this email already started one (back + resubmit, a second tab, a
    reload that issued a new form key). Serialised per email by an advisory lock held to the end of the
    caller's transaction, so two racing submits make one Lead."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 17))", [f"capture:{email}"])
    return (
        OnboardingSession.objects.select_related("lead")
        .filter(lead__email=email, lead__converted_at__isnull=True, user__isnull=True, state__in=REJOINABLE)
        .order_by("-created_at")
        .first()
    )


def prospect_capture(*, email: str, idempotency_key: str, source: str = LeadSource.SEARCH) -> OnboardingSession:
    """A cold visitor submits their email on a lander: lead.captured (S0 → S1) then email.submitted
    (S1 → S2, the swarm fans out). One prospect is one Lead (seed: idempotencyKey = (leadId, stage)): the form's
    key makes a double submit one Lead, and the same email submitted again (back + resubmit, a new tab) joins
    the open session it started. With the swarm off the session is already on the classic form; the email is
    kept for it."""
    email = email.strip().lower()
    with transaction.atomic():
        existing = _open_session_for(email)
        if existing is not None and existing.lead.idempotency_key != idempotency_key:
            return existing
        session = flow.session_start(source=source, idempotency_key=idempotency_key, warmth=Warmth.COLD)
        if session.state == S.S1_AWAIT_EMAIL:
            return flow.session_submit_email(session=session, email=email)
        if session.state == S.FALLBACK_FORM:
            lead_set_email(lead=session.lead, email=email)
        elif session.lead.email and session.lead.email != email:
            raise LeadError("email: this form was already sent with another address; reload the page")
    return session


# --- warm links from every source (PLG signup, referral, outbound reply, event contact, SDR) ----------------

WARM_SOURCES = tuple(s for s in LeadSource.values if s != LeadSource.PLG_INVITE)  # invites come from team_invite


class WarmLinkError(ValueError):
    """``field: message`` — the API answers 422 naming the field; the SDR page shows it on that field or row."""


def warm_link_issue(
    *, email: str, source: str, warmth: str = Warmth.WARM, name: str = "", title: str = "", base_url: str = ""
) -> tuple[OnboardingSession, str, bool]:
    """A warm Lead with a signed personalized link: identity known, the six agents prefetch at once
    (async_prefetch) so the visitor lands on a pre-filled workspace. One Lead per (source, email): issuing
    again returns a fresh link to the same Lead. Returns (session, link, created)."""
    email = (email or "").strip().lower()
    if not email_domain(email):
        raise WarmLinkError("email: enter an email address with a real domain")
    if source not in WARM_SOURCES:
        raise WarmLinkError(f"source: one of {', '.join(WARM_SOURCES)}")
    if warmth not in (Warmth.WARM, Warmth.WARMEST):
        raise WarmLinkError("warmth: warm (email + name) or warmest (+ role)")
    if warmth == Warmth.WARMEST and not title.strip():
        raise WarmLinkError("title: warmest means the role is known; give the title")
    key = f"warm:{source}:{email}"
    created = not Lead.objects.filter(idempotency_key=key).exists()
    session = flow.session_start(
        source=source,
        idempotency_key=key,
        warmth=warmth,
        email=email,
        name=name.strip()[:200],
        title=title.strip()[:200],
    )
    return session, base_url + warm_link_path(session.lead), created


def warm_links_from_csv(*, text: str, base_url: str = "") -> tuple[list[tuple], list[str]]:
    """Issue a link per CSV row (email, name, title, source). Every row is checked first: a file with any bad row
    imports nothing and reports every bad row. Returns (issued rows (email, link, created), errors)."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        return [], ["the file needs a header row with at least an email column (email, name, title, source)"]
    rows, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        title = row.get("title", "")
        spec = {
            "email": row.get("email", "").lower(),
            "name": row.get("name", ""),
            "title": title,
            "source": row.get("source") or LeadSource.OUTBOUND,
            "warmth": Warmth.WARMEST if title else Warmth.WARM,
        }
        if not email_domain(spec["email"]):
            errors.append(f"row {number}: email: {spec['email'] or '(blank)'} is not an email with a real domain")
        elif spec["source"] not in WARM_SOURCES:
            errors.append(f"row {number}: source: {spec['source']!r} is not one of {', '.join(WARM_SOURCES)}")
        else:
            rows.append(spec)
    if not rows and not errors:
        errors.append("the file has no rows")
    if errors:
        return [], errors
    issued = []
    with transaction.atomic():
        for spec in rows:
            session, link, created = warm_link_issue(base_url=base_url, **spec)
            issued.append((session.lead.email, link, created))
    return issued, []


# --- S5–S7: the value loop ------------------------------------------------------------------------------------


def _owned_pursuit(session: OnboardingSession, pursuit_id) -> Pursuit:
    pursuit = Pursuit.objects.filter(pk=pursuit_id, lead_id=session.lead_id).first() if pursuit_id else None
    if pursuit is None:
        raise SessionError("pursuit: choose one of the projects on your board")
    return pursuit


def pursuit_watch(*, session: OnboardingSession, pursuit_id, watching: bool) -> Pursuit:
    """Board: a found pursuit moves to 'watching' (or back); a scoped one stays scoped."""
    pursuit = _owned_pursuit(session, pursuit_id)
    target = PursuitStatus.WATCHING if watching else PursuitStatus.FOUND
    Pursuit.objects.filter(pk=pursuit.pk).exclude(status=PursuitStatus.SCOPED).update(status=target)
    pursuit.refresh_from_db()
    return pursuit


def value_question_answer(
    *,
    session: OnboardingSession,
    pursuit_id=None,
    project_name: str = "",
    project_value: Decimal | None = None,
    actor=None,
) -> OnboardingSession:
    """The prospect saw the board (value.revealed, S5 → S6) and answered the router's next question by
    choosing the pursuit to scope, or naming one when the board is empty (next_question.asked, S6 → S7)."""
    payload: dict = {}
    if pursuit_id:
        payload["pursuit_id"] = str(_owned_pursuit(session, pursuit_id).pk)
    elif project_name.strip():
        payload["project"] = {
            "name": project_name.strip()[:300],
            "value": str(project_value) if project_value is not None else None,
        }
    else:
        raise SessionError("pursuit: choose a project on your board, or name one")
    with transaction.atomic():
        current = OnboardingSession.objects.select_for_update().get(pk=session.pk)
        if current.state == S.S5_VALUE:
            current = flow.session_reveal_value(session=current, actor=actor)
        if current.state == S.S6_NEXT_Q:
            current = flow.session_ask_next_question(session=current, actor=actor, payload=payload)
        return current


def value_question_choice(session: OnboardingSession) -> dict:
    """What the prospect chose at S6 (from the next_question.asked event), for the S7 page."""
    event = (
        Event.objects.filter(idempotency_key=catalog.key(session.lead_id, "S6", catalog.NEXT_QUESTION_ASKED))
        .only("payload")
        .first()
    )
    return dict(event.payload) if event is not None else {}


def trade_config_for(session: OnboardingSession) -> TradeConfig | None:
    decision = current_route(session)
    trade = decision.trade if decision is not None else ""
    return TradeConfig.objects.filter(trade=trade, active=True).first() if trade else None


@dataclass
class _NamedProject:
    id: str
    name: str
    value: Decimal | None


def takeoff_run(*, session: OnboardingSession, actor=None) -> Takeoff:
    """S7 value proof: Sarah's takeoff of the pursuit the prospect chose, through the takeoff provider;
    the chosen pursuit becomes 'scoped'; takeoff.completed (S7 → S8), the value moment. Run once."""
    with transaction.atomic():
        current = OnboardingSession.objects.select_for_update().get(pk=session.pk)
        done = Takeoff.objects.filter(session=current, pre_run=False).first()
        if done is not None:
            return done
        if current.state != S.S7_VALUE_PROOF:
            raise SessionError(f"cannot run the takeoff from {current.state}")
        choice = value_question_choice(current)
        pursuit = (
            Pursuit.objects.filter(pk=choice.get("pursuit_id"), lead_id=current.lead_id).first()
            if choice.get("pursuit_id")
            else None
        )
        if pursuit is not None:
            subject = pursuit
        else:
            project = choice.get("project") or {}
            raw = project.get("value")
            subject = _NamedProject(
                id="", name=project.get("name") or "Your next project", value=Decimal(raw) if raw else None
            )
        config = trade_config_for(current)
        result = takeoff_provider_run(subject, config)
        record = Takeoff.objects.create(
            session=current,
            pursuit=pursuit,
            pursuit_name=result.pursuit_name[:300],
            trade=result.trade,
            provider=result.provider,
            offline=result.offline,
            result=result.as_dict(),
        )
        if pursuit is not None:
            Pursuit.objects.filter(pk=pursuit.pk).update(status=PursuitStatus.SCOPED)
        flow.session_complete_takeoff(session=current, takeoff_id=str(record.pk), actor=actor)
    return record


# --- S8 activate, S9 trial ------------------------------------------------------------------------------------


class ActivationError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def _org_for(
    session: OnboardingSession, company: str, invite: TeamInvite | None, name: str = ""
) -> tuple[Account, str]:
    """The Org the lead becomes: an invitee joins the inviter's Org as a Member; anyone else founds one
    (a CRM Account, segment SMB — DESIGN.md) and owns it."""
    if invite is not None:
        inviter = OnboardingSession.objects.filter(pk=invite.session_id).only("org_id").first()
        if inviter is not None and inviter.org_id:
            account = Account.objects.select_for_update().get(pk=inviter.org_id)
            _invitee_note_append(session=session, account=account, name=name)
            return account, OrgMember.Role.MEMBER
    lead = session.lead
    org_type, trade = _classified(session)
    account = Account.objects.create(
        name=company[:200],
        domain=lead.domain,
        segment=Segment.SMB,
        region=", ".join(getattr(getattr(lead, "profile", None), "service_area", []) or [])[:100],
        org_type=org_type,
        trade=trade,
        context_notes=company_note_at_activation(session=session),
    )
    return account, OrgMember.Role.OWNER


def _invitee_note_append(*, session: OnboardingSession, account: Account, name: str = "") -> None:
    """An invitee who saved a company note before S8 joins an Org that has one: her note is appended to it,
    with a line saying who added it, rather than dropped (the Profile's pre-fill, never edited, is not)."""
    from ..models import CompanyNote

    draft = CompanyNote.objects.filter(session_id=session.pk).only("text").first()
    text = (draft.text if draft is not None else "").strip()
    if not text or text in (account.context_notes or ""):
        return
    lead = session.lead
    name = name or lead.name
    who = f"{name} ({lead.email})" if name else lead.email
    added = f"Added by {who} when they joined, {clock.today().isoformat()}:\n{text}"
    account.context_notes = f"{account.context_notes.rstrip()}\n\n{added}" if account.context_notes else added
    account.save(update_fields=["context_notes"])


def _classified(session: OnboardingSession) -> tuple[str, str]:
    """The org type and (subs only) trade the flow settled on: the router's decision when it routed the session,
    else the classic form's answers; never a value below θ."""
    decision = current_route(session)
    profile = Profile.objects.filter(lead_id=session.lead_id).only("org_type", "confidence").first()
    theta = float(RouterSettings.load().theta)
    org_type = profile.org_type if profile and (profile.confidence or {}).get("org_type", 0) >= theta else ""
    trade = decision.trade if decision is not None and decision.trade else ""
    answers = FallbackAnswers.objects.filter(session=session).first()
    if answers is not None and answers.org_type:
        org_type = answers.org_type  # what the prospect chose on the classic form
        if not trade and org_type == "sub_contractor" and len(answers.trades) == 1:
            trade = answers.trades[0]
    return org_type, trade if org_type == "sub_contractor" else ""


def prospect_activate(*, session: OnboardingSession, name: str, password: str, company: str = ""):
    """S8 activate: the Lead becomes an Org + User. The User's permission role is Owner (Member for an
    invitee joining the inviter's Org); the persona and surface are the router's, never a hard-coded
    "member". Then account.activated + trial.started (S8 → S9) and the trial subscription."""
    User = get_user_model()
    with transaction.atomic():
        current = OnboardingSession.objects.select_for_update().select_related("lead").get(pk=session.pk)
        if current.user_id is not None and current.state != S.S8_ACTIVATE:
            return current, current.user  # a double POST: already activated
        if current.state != S.S8_ACTIVATE:
            raise SessionError(f"cannot activate from {current.state}")
        lead = current.lead
        if not lead.email:
            raise ActivationError("email", "we need your email to create the account")
        if User.objects.filter(username__iexact=lead.email).exists():
            raise ActivationError("email", "an account already exists for this email — sign in instead")
        if len(password) < 10:
            raise ActivationError("password", "use at least 10 characters")
        invite = TeamInvite.objects.filter(invitee_lead=lead).first()
        profile = Profile.objects.filter(lead=lead).first()
        company = company.strip() or (profile.company if profile else "")
        if not company and invite is None:
            raise ActivationError("company", "enter your company's name")
        org, role = _org_for(current, company, invite, name=name.strip())
        full_name = name.strip() or lead.name
        first, _, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=lead.email, email=lead.email, password=password, first_name=first[:150], last_name=last[:150]
        )
        decision = current_route(current)
        persona = (decision.persona if decision else "") or (invite.role if invite else "")
        surface = (decision.primary_surface if decision else "") or (TeamInvite.surface_for(persona) if persona else "")
        OrgMember.objects.create(user=user, org=org, session=current, role=role, persona=persona, surface=surface)
        if invite is not None:
            TeamInvite.objects.filter(pk=invite.pk).update(status=TeamInvite.Status.ACCEPTED, accepted_at=clock.now())
        if full_name and not lead.name:
            Lead.objects.filter(pk=lead.pk).update(name=full_name[:200])
        current = flow.session_activate(session=current, user=user, org=org)
        if not Subscription.objects.filter(org=org).exclude(session=current).exists():
            # One subscription per Org (a unique key): an invitee joining the inviter's Org rides its trial —
            # creating a second one was an IntegrityError (a 500) at the invitee's activation.
            Subscription.objects.get_or_create(
                session=current, defaults={"org": org, "trial_ends_on": current.trial_ends_on}
            )
    if current.state in SELF_SERVE_TAIL:
        expansion_check(session=current)
    return current, user


# --- S10: the card --------------------------------------------------------------------------------------------


def card_checkout_start(*, session: OnboardingSession, success_url: str, cancel_url: str):
    """The post-wow card ask: open a checkout with the configured payment provider."""
    subscription = Subscription.objects.select_related("session__lead").get(session=session)
    if subscription.status == Subscription.Status.ACTIVE:
        return None
    provider = payment_provider()
    checkout = provider.checkout_start(
        subscription=subscription, email=session.lead.email or "", success_url=success_url, cancel_url=cancel_url
    )
    Subscription.objects.filter(pk=subscription.pk).update(
        status=Subscription.Status.CHECKOUT, provider=provider.name, checkout_ref=checkout.ref
    )
    return checkout


def card_capture(
    *, subscription: Subscription, provider: str, brand: str = "", last4: str = "", customer_ref: str = "", actor=None
) -> OnboardingSession:
    """card.captured (S9 → S10, only after the value moment): the card is on file; the self-serve order
    signal closes a won Opportunity on the Org so post-close onboarding and health cover it (DESIGN.md)."""
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        session = OnboardingSession.objects.get(pk=sub.session_id)
        if sub.status == Subscription.Status.ACTIVE and session.state == S.S10_CLOSED_WON:
            return session
        Subscription.objects.filter(pk=sub.pk).update(
            status=Subscription.Status.ACTIVE,
            provider=provider,
            card_brand=brand[:20],
            card_last4=last4[-4:],
            customer_ref=customer_ref[:200] or sub.customer_ref,
            card_captured_at=clock.now(),
        )
        session = flow.session_capture_card(session=session, actor=actor)
        # The order signal starts post-close onboarding (plan, MAP, milestones, kickoff: most of the work of
        # this request), which the prospect's next page does not show: a task after commit does it, and the
        # minute sweep (self_serve_close_won_sweep) backs up a publish lost between commit and broker.
        from .. import tasks

        after_commit(
            tasks.self_serve_close_won.delay, session_id=str(session.pk), actor_id=getattr(actor, "pk", None)
        )  # broker down: the sweep
    return session


def self_serve_close_won(*, session_id, actor=None) -> bool:
    """The self-serve order signal for an S10 session: a won Opportunity on its Org, so post-close onboarding,
    comp and health cover the account (DESIGN.md). Idempotent: True only for the call that closed it."""
    with transaction.atomic():
        session = OnboardingSession.objects.filter(pk=session_id, state=S.S10_CLOSED_WON).first()
        if session is None or session.org_id is None:
            return False
        opportunity, _ = Opportunity.objects.get_or_create(
            external_id=_self_serve_opportunity_ref(session.pk),
            defaults={
                "account_id": session.org_id,
                "name": "Self-serve subscription",
                "stage": Stage.PROPOSAL,
                "acv": _acv_for(session),
                "close_date": clock.today(),
            },
        )
        return opportunity_close_won(opportunity=opportunity, actor=actor, actor_label="self-serve card")


def self_serve_close_won_sweep(*, now=None) -> int:
    """Backstop for the task above: S10 sessions whose card was captured in the last week (and over a minute
    ago, so the task had its chance) without a won Opportunity get one. Two queries when nothing is missing."""
    now = now or clock.now()
    recent = Subscription.objects.filter(
        status=Subscription.Status.ACTIVE,
        session__state=S.S10_CLOSED_WON,
        card_captured_at__gte=now - timedelta(days=7),
        card_captured_at__lt=now - timedelta(minutes=1),
    )
    session_ids = list(recent.values_list("session_id", flat=True)[:1000])
    refs = {_self_serve_opportunity_ref(pk): pk for pk in session_ids}
    closed = set(
        Opportunity.objects.filter(external_id__in=refs, stage=Stage.CLOSED_WON).values_list("external_id", flat=True)
    )
    return sum(self_serve_close_won(session_id=pk) for ref, pk in refs.items() if ref not in closed)


def _self_serve_opportunity_ref(session_id) -> str:
    return f"self-serve:{session_id}"


def card_capture_demo(*, session: OnboardingSession, number: str, actor=None) -> OnboardingSession:
    """The offline demo provider's checkout: a test card number only; nothing is charged."""
    from .payments import DemoPaymentProvider

    brand, last4 = DemoPaymentProvider.card_check(number)
    subscription = Subscription.objects.get(session=session)
    return card_capture(subscription=subscription, provider="demo", brand=f"{brand} (demo)", last4=last4, actor=actor)


def stripe_webhook_handle(*, payload: bytes, signature_header: str) -> str:
    """A Stripe webhook: verified first (SignatureError otherwise), each Stripe event acted on once."""
    from .payments import StripePaymentProvider

    event: CardCaptured | None = StripePaymentProvider().webhook_verify(
        payload=payload, signature_header=signature_header
    )
    if event is None:
        return "ignored"
    subscription = Subscription.objects.filter(checkout_ref=event.checkout_ref).first() if event.checkout_ref else None
    if subscription is None and event.client_reference.isdigit():
        subscription = Subscription.objects.filter(pk=int(event.client_reference)).first()
    if subscription is None:
        raise PaymentError("no subscription for this checkout")
    already = subscription.status == Subscription.Status.ACTIVE
    event_record(
        type="payment.webhook_received",
        subject=subscription.session,
        actor_type="integration",
        actor_label="stripe",
        idempotency_key=f"stripe:{event.event_id}",
        payload={"stripe_event": event.event_id, "type": "checkout.session.completed"},
    )
    card_capture(
        subscription=subscription,
        provider="stripe",
        brand=event.brand,
        last4=event.last4,
        customer_ref=event.customer_ref,
    )  # idempotent: a redelivered event changes nothing
    return "duplicate" if already else "captured"


def _acv_for(session: OnboardingSession) -> Decimal:
    seats = 1 + TeamInvite.objects.filter(session=session).count()
    return Decimal(seats * settings.SWARM_SEAT_PRICE)


# --- team invites, expansion ------------------------------------------------------------------------------------


def invite_send(
    *, session: OnboardingSession, email: str, role: str, actor=None, base_url: str = ""
) -> tuple[TeamInvite, str]:
    """team.invited with the invitee's role and surface (field → Field Ops); the invite's warm Lead gets its
    own personalized link, emailed after commit and shown to the inviter. Then the expansion check."""
    before = TeamInvite.objects.filter(session=session, email=email.strip().lower()).exists()
    invite = flow.team_invite(session=session, email=email, role=role, actor=actor)
    link = base_url + warm_link_path(invite.invitee_lead) if invite.invitee_lead_id else ""
    if link and not before:  # committed by now (team_invite is atomic); a repeat sends nothing
        from ..services.outbound import outbound_deliver, outbound_queue

        inviter = session.lead.name or session.lead.email or "A teammate"
        email = outbound_queue(
            key=f"invite:{invite.pk}",
            kind="invite",
            to=invite.email,
            invite=invite,
            subject="You're invited to GTM OS",
            body=f"{inviter} invited you to their workspace. Your personal link: {link}",
        )
        outbound_deliver(email_id=email.pk)  # a failure goes on the retry ladder (the minute sweep), not lost
    current = OnboardingSession.objects.get(pk=session.pk)
    if current.state in SELF_SERVE_TAIL:
        expansion_check(session=current)
    return invite, link


def invite_email_retry(*, session: OnboardingSession, invite_id) -> str:
    """The inviter's "send again" for an invite email the retry ladder gave up on: one more attempt, now.
    Returns the attempt's outcome ("sent", "abandoned", or "skipped" when it was not abandoned)."""
    from ..models import OutboundEmail
    from ..services.outbound import outbound_deliver, outbound_retry_now

    email = OutboundEmail.objects.filter(
        invite__session=session, invite_id=invite_id, kind="invite", status=OutboundEmail.Status.ABANDONED
    ).first()
    if email is None:
        return "skipped"
    outbound_retry_now(email=email)
    return outbound_deliver(email_id=email.pk)


def expansion_check(*, session: OnboardingSession) -> OnboardingSession:
    """expansion.detected: seats (the user plus teammates invited) at or over RevOps' threshold, or an ACV known
    at ≥ θ from a source of its own (a quote, a stated contract value) at or over it, hands a self-serve account
    to white-glove with the reason recorded. Seats × price is not a second test of seats (it crossed $25k at 14
    seats), and an ACV below θ or derived from headcount is not evidence."""
    limits = SessionSettings.load()
    seats = 1 + TeamInvite.objects.filter(session=session).count()
    acv = known_acv(lead_id=session.lead_id)
    if session.state in SELF_SERVE_TAIL and (
        seats >= limits.expansion_seats or acv is not None and acv >= limits.expansion_acv
    ):
        return flow.session_detect_expansion(
            session=session, seats=seats, acv=acv if acv is not None else Decimal(seats * settings.SWARM_SEAT_PRICE)
        )
    return session


def known_acv(*, lead_id) -> Decimal | None:
    """The lead's ACV if known at ≥ θ and not derived from other fields, else None."""
    profile = Profile.objects.filter(lead_id=lead_id).only("acv_est", "confidence", "provenance").first()
    if profile is None or profile.acv_est is None:
        return None
    if (profile.confidence or {}).get("acv", 0) < float(RouterSettings.load().theta):
        return None
    if (profile.provenance or {}).get("acv", {}).get("derived"):
        return None
    return Decimal(profile.acv_est)


# --- the classic form (FALLBACK_FORM) -------------------------------------------------------------------------

FALLBACK_STEPS = ("organization_type", "service_area", "trades", "market_sectors", "invitations")


def fallback_answers(session: OnboardingSession) -> FallbackAnswers:
    answers, _ = FallbackAnswers.objects.get_or_create(session=session)
    return answers


def fallback_save(*, session: OnboardingSession, step: str, values: dict) -> FallbackAnswers:
    """Save one step of the classic form (any order, any number of times: back and forward are free)."""
    if session.state != S.FALLBACK_FORM:
        raise SessionError(f"the classic form is closed ({session.state})")
    answers = fallback_answers(session)
    field = {
        "organization_type": "org_type",
        "service_area": "service_area",
        "trades": "trades",
        "market_sectors": "sectors",
        "invitations": "invites_done",
    }[step]
    setattr(answers, field, values[field])
    answers.updated_at = clock.now()
    answers.save()
    return answers


def fallback_complete(*, session: OnboardingSession, actor=None) -> OnboardingSession:
    """Manual steps done: today's flow → S8 activate. Needs the organization type at least (the steps skipped
    because the Profile knows a field take their answer from it)."""
    answers = flow.fallback_answers_from_profile(session=session)
    if not answers.org_type:
        raise SessionError("organization_type: choose your organization type first")
    return flow.session_complete_fallback_form(session=session, actor=actor)
