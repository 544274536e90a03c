"""The prospect pages (seed 002 flows) and the sales / RevOps pages that watch them.

Every page loads its session through ``access.session_for`` (404 for anyone but the browser that started it
or the user it became). GETs never transition; each POST calls one service, which is safe to repeat, then
redirects to wherever the session now is (so back, refresh and double POSTs land on the right page)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrichment.enums import LeadSource
from enrichment.models import Profile
from enrichment.services.leads import LeadError
from enrichment.services.profile import decision_for
from gtmos.core import clock
from routing.enums import ProfileField as F
from routing.enums import Surface
from routing.models import RouterSettings, TradeConfig

from ..models import OnboardingSession, SessionSettings, Subscription
from ..models.session import SessionState as S
from ..prospect_selectors import current_route
from ..services import session as flow
from ..services.session import SessionError
from . import access, forms, notes, selectors, services, surfaces
from .links import LinkExpired, LinkInvalid, warm_link_lead
from .payments import PaymentError, SignatureError, payment_provider

WHITE_GLOVE_STATES = (S.W5_BATTLEPACK, S.W6_OUTREACH, S.W7_DISCOVERY, S.W8_DEMO, S.W9_SEAT, S.W10_CLOSED_WON, S.LOST)
PAGE_OF_STATE = {
    S.S0_ENTRY: "enriching",
    S.S1_AWAIT_EMAIL: "email",
    S.S2_ENRICHING: "enriching",
    S.S3_CONFIRM: "confirm",
    S.S4_ROUTED: "enriching",
    S.S5_VALUE: "workspace",
    S.S6_NEXT_Q: "workspace",
    S.S7_VALUE_PROOF: "workspace",
    S.S8_ACTIVATE: "activate",
    S.S9_TRIAL: "trial",
    S.S10_CLOSED_WON: "trial",
    S.FALLBACK_FORM: "fallback",
    S.DISQUALIFIED: "homeowner",
    S.ABANDONED: "abandoned",
    **{s: "specialist" for s in WHITE_GLOVE_STATES},
}


def _page(session: OnboardingSession) -> str:
    return reverse(f"prospect:{PAGE_OF_STATE[session.state]}", args=[session.pk])


def _to_current(session: OnboardingSession) -> HttpResponseRedirect:
    return redirect(_page(session))


def _fresh(session: OnboardingSession) -> OnboardingSession:
    return OnboardingSession.objects.select_related("lead").get(pk=session.pk)


def _on_page(request, pk, *pages: str) -> tuple[OnboardingSession, HttpResponseRedirect | None]:
    """The session, and a redirect if it is no longer (or not yet) on one of ``pages`` — a back button or an
    old tab lands where the session is now, and nothing is replayed."""
    session = flow.session_kill_switch_check(session=access.session_for(request, pk))
    if PAGE_OF_STATE[session.state] not in pages:
        return session, _to_current(session)
    return session, None


def _data(request):
    """The POST data of a POST (even an empty one, so a blank submit shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def _profile(session) -> Profile | None:
    """The lead's Profile, loaded with the session (select_related); None before enrichment wrote one."""
    return getattr(session.lead, "profile", None)


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


# --- landers and capture ----------------------------------------------------------------------------------------


def _lander(request, trade: TradeConfig | None, form=None, status=200):
    form = form or forms.EmailCaptureForm(initial={"key": uuid.uuid4().hex})
    source = request.GET.get("src", "")
    return render(
        request,
        "prospect/lander.html",
        {
            "trade": trade,
            "title": trade.lander_title if trade else "General Contractor OS",
            "form": form,
            "source": source if source in forms.SOURCES else "",
        },
        status=status,
    )


@require_GET
def lander_gc(request):
    return _lander(request, None)


@require_GET
def lander_trade(request, trade: str):
    config = TradeConfig.objects.filter(lander=f"/{trade}", active=True).first()
    if config is None:
        raise Http404("No such trade")
    return _lander(request, config)


@require_http_methods(["GET", "POST"])
def capture(request):
    """Cold: the lander's email form. Honeypot and throttle first; a double submit is one Lead."""
    if request.method == "GET":
        return redirect("prospect:lander_gc")
    trade = TradeConfig.objects.filter(trade=request.POST.get("trade", ""), active=True).first()
    form = forms.EmailCaptureForm(request.POST)
    if request.POST.get("website"):
        return render(request, "prospect/thanks.html")  # a bot: say nothing useful, create nothing
    if not form.is_valid():
        return _lander(request, trade, form, status=400)
    if not services.capture_throttle_hit(client=_client(request)):
        return render(request, "prospect/throttled.html", status=429)
    source = request.POST.get("src", "")
    try:
        session = services.prospect_capture(
            email=form.cleaned_data["email"],
            idempotency_key=f"capture:{form.cleaned_data['key']}",
            source=source if source in forms.SOURCES else LeadSource.SEARCH,
        )
    except LeadError as exc:
        form.add_error("email", str(exc).split(": ", 1)[-1])
        return _lander(request, trade, form, status=400)
    access.grant(request, session)
    return _to_current(session)


@require_GET
def warm(request, token: str):
    """Warm: the personalized link carries identity (lead.identified) — no email or name asked."""
    try:
        lead = warm_link_lead(token)
    except LinkExpired:
        return render(request, "prospect/link_invalid.html", {"expired": True}, status=410)
    except LinkInvalid:
        return render(request, "prospect/link_invalid.html", {"expired": False}, status=400)
    session = OnboardingSession.objects.filter(lead=lead).first()
    if session is None:
        return render(request, "prospect/link_invalid.html", {"expired": False}, status=400)
    if session.user_id is not None:
        # The link was a one-time introduction: once the session became a user, it opens nothing by itself
        # (anyone holding it would be in the account). Its owner signs in and lands where they were.
        if request.user.is_authenticated and request.user.pk == session.user_id:
            return _to_current(session)
        return redirect(f"{reverse('login')}?{urlencode({'next': reverse('prospect:resume', args=[session.pk])})}")
    if session.state == S.S0_ENTRY:
        session = flow.session_identify(session=session)
    access.grant(request, session)
    return _to_current(session)


@require_GET
def resume(request, pk):
    return _to_current(flow.session_kill_switch_check(session=access.session_for(request, pk)))


@require_http_methods(["GET", "POST"])
def email(request, pk):
    """S1, if a capture stopped between the two steps: ask the email again."""
    session, moved = _on_page(request, pk, "email")
    if moved:
        return moved
    form = forms.EmailCaptureForm(_data(request), initial={"key": session.lead.idempotency_key})
    if request.method == "POST" and form.is_valid():
        try:
            session = flow.session_submit_email(session=session, email=form.cleaned_data["email"])
            return _to_current(session)
        except LeadError as exc:
            form.add_error("email", str(exc).split(": ", 1)[-1])
    return render(request, "prospect/email.html", {"session": session, "form": form})


# --- S2 enriching ------------------------------------------------------------------------------------------------


@require_GET
def enriching(request, pk):
    session, moved = _on_page(request, pk, "enriching")
    if moved:
        return moved
    context = {"session": session, "agents": selectors.agent_progress(session), "poll_ms": settings.PROSPECT_POLL_MS}
    if request.htmx:
        return render(request, "prospect/enriching.html#status", context)
    return render(request, "prospect/enriching.html", context)


@require_GET
def enriching_status(request, pk):
    """The polled fragment: each agent's progress; once S2 is decided, htmx is sent on to the next page.
    Opened directly it is the enriching page (which itself sends the prospect on once S2 is decided)."""
    session = flow.session_kill_switch_check(session=access.session_for(request, pk))
    if not request.htmx:
        return redirect("prospect:enriching", session.pk)
    if PAGE_OF_STATE[session.state] != "enriching":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _page(session)
        return response
    return render(
        request,
        "prospect/enriching.html#status",
        {"session": session, "agents": selectors.agent_progress(session), "poll_ms": settings.PROSPECT_POLL_MS},
    )


# --- S3 confirm --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def confirm(request, pk):
    session, moved = _on_page(request, pk, "confirm")
    if moved:
        return moved  # e.g. a second tap: the first already confirmed and routed
    decision = decision_for(lead=session.lead)
    shown = selectors.confirm_shown(decision)
    form = forms.ConfirmForm(_data(request), asks=decision.asks, shown=shown)
    if request.method == "POST" and form.is_valid():
        try:
            session = flow.session_confirm(session=session, answers=form.answers(), corrections=form.corrections())
            if session.state == S.S3_CONFIRM:  # a correction opened a question the router now needs
                messages.info(request, "Thanks, we've updated that. One more thing, then you're in.")
            return _to_current(session)
        except SessionError as exc:
            form.add_error(None, str(exc))
    chips = [
        dict(chip, fix=form.fix_field(chip["field"])) for chip in selectors.confirm_chips(decision, _profile(session))
    ]
    return render(
        request,
        "prospect/confirm.html",
        {"session": session, "form": form, "chips": chips, "asks": decision.asks, "ask_fields": form.ask_fields()},
        status=400 if form.errors else 200,
    )


# --- S5–S7 workspace -----------------------------------------------------------------------------------------------

WORKSPACE_PAGES = ("workspace", "activate", "trial")


def _surface_url(session, surface: str) -> str:
    return reverse("prospect:workspace_surface", args=[session.pk, surfaces.SLUG_OF[surface]])


def _workspace_context(request, session, question_form=None, surface=None, note_form=None, with_note=True):
    """Everything a workspace surface shows. ``surface`` is the page asked for; None is the landing (the router's
    primary surface for this persona). The header, the question and the chips are re-read on every poll; the
    company note is not (``with_note=False``): it is outside #live, and the poll runs every 1–2 s."""
    decision = current_route(session)
    landing = surfaces.landing_surface(decision)
    surface = surface or landing
    profile = _profile(session)
    theta = float(RouterSettings.load().theta)
    ws = selectors.workspace(session)
    takeoff = selectors.session_takeoff(session) if session.state not in (S.S5_VALUE, S.S6_NEXT_Q) else None
    choice = services.value_question_choice(session) if session.state == S.S7_VALUE_PROOF else {}
    trade = services.trade_config_for(session) if surface in (Surface.ANALYTICS, Surface.FIELD_OPS) else None
    network_counts = surfaces.network_relation_counts(session) if surface != Surface.JOBS else None
    network_total = sum(network_counts.values()) if network_counts is not None else None
    note, note_edited = notes.company_note_for(session, profile) if with_note else ("", False)
    context = {
        "session": session,
        "decision": decision,
        "ws": ws,
        "profile": profile,
        "head": surfaces.header(session, profile, theta=theta, network_total=network_total),
        "takeoff": takeoff,
        "choice": choice,
        "question_form": question_form or forms.QuestionForm(),
        "note_form": (note_form or forms.CompanyNoteForm(initial={"note": note})) if with_note else None,
        "note": note,
        "note_edited": note_edited,
        "poll_ms": settings.PROSPECT_POLL_MS * 2 if ws.filling else settings.PROSPECT_RETRY_POLL_MS,
        "asking": session.state in (S.S5_VALUE, S.S6_NEXT_Q),
        "surface": surface,
        "landing": landing,
        "surface_url": reverse("prospect:workspace", args=[session.pk])
        if surface == landing
        else _surface_url(session, surface),
        "note_back": "" if surface == landing else surfaces.SLUG_OF[surface],
        "surface_nav": [
            {
                "surface": value,
                "title": surfaces.SURFACE_TITLES[value],
                "url": _surface_url(session, value),
                "current": value == surface,
                "landing": value == landing,
            }
            for value in surfaces.SURFACE_SLUGS.values()
        ],
    }
    if surface == Surface.ANALYTICS:
        context["analytics"] = surfaces.analytics(
            session, decision=decision, trade=trade, network_counts=network_counts
        )
    elif surface == Surface.NETWORK:
        context["network"] = surfaces.network(session)
    elif surface == Surface.FIELD_OPS:
        context["field_ops"] = surfaces.field_ops(
            session, choice=choice, takeoff=takeoff, trade=trade, network_total=network_total or 0
        )
    return context


def _render_surface(request, session, surface=None, **kwargs):
    poll = bool(request.htmx) and request.method == "GET"
    context = _workspace_context(request, session, surface=surface, with_note=not poll, **kwargs)
    if poll:
        # The poll: the surface's body, and (out of band) the header and the question, which late agents change.
        return render(request, "prospect/workspace.html#live", {**context, "oob": True})
    status = (
        400 if any(f is not None and f.errors for f in (kwargs.get("question_form"), kwargs.get("note_form"))) else 200
    )
    return render(request, "prospect/workspace.html", context, status=status)


@require_GET
def workspace(request, pk):
    """The landing: the surface of the prospect's persona (G4: estimator → jobs, owner_exec → analytics — jobs on
    the self-serve track —, pm → network, field → Field Ops)."""
    session, moved = _on_page(request, pk, *WORKSPACE_PAGES)
    if moved:
        return moved
    return _render_surface(request, session)


@require_GET
def workspace_surface(request, pk, surface: str):
    """One of the four surfaces, opened from the workspace's surface tabs."""
    if surface not in surfaces.SURFACE_SLUGS:
        raise Http404("No such surface")
    session, moved = _on_page(request, pk, *WORKSPACE_PAGES)
    if moved:
        return moved
    return _render_surface(request, session, surfaces.SURFACE_SLUGS[surface])


@require_POST
def company_note(request, pk):
    """Save the workspace's company note (to the Org from S8; before that to the session, carried to the Org)."""
    session, moved = _on_page(request, pk, *WORKSPACE_PAGES)
    if moved:
        return moved
    back = request.POST.get("surface", "")
    surface = surfaces.SURFACE_SLUGS.get(back)
    form = forms.CompanyNoteForm(request.POST)
    if not form.is_valid():
        return _render_surface(request, session, surface, note_form=form)
    notes.company_note_save(session=session, text=form.cleaned_data["note"], actor=request.user)
    messages.success(request, "Company note saved.")
    url = _surface_url(session, surface) if surface else reverse("prospect:workspace", args=[session.pk])
    return redirect(url + "#company-note")


@require_POST
def question(request, pk):
    session, moved = _on_page(request, pk, "workspace")
    if moved:
        return moved
    if session.state not in (S.S5_VALUE, S.S6_NEXT_Q):
        return _to_current(session)  # answered already (a double POST)
    form = forms.QuestionForm(request.POST)
    if form.is_valid():
        try:
            session = services.value_question_answer(
                session=session,
                pursuit_id=form.cleaned_data["pursuit"],
                project_name=form.cleaned_data["project_name"],
                project_value=form.cleaned_data["project_value"],
            )
            return redirect(reverse("prospect:workspace", args=[session.pk]) + "#sarah")
        except SessionError as exc:
            form.add_error(None, str(exc).split(": ", 1)[-1])
    return _render_surface(request, session, question_form=form)


@require_POST
def watch(request, pk, pursuit_id):
    session = access.session_for(request, pk)
    try:
        services.pursuit_watch(session=session, pursuit_id=pursuit_id, watching=request.POST.get("watch") == "1")
    except SessionError:
        raise Http404("No such pursuit") from None
    surface = surfaces.SURFACE_SLUGS.get(request.POST.get("surface", ""), Surface.JOBS)
    if request.htmx:
        return render(
            request,
            "prospect/workspace.html#live",
            _workspace_context(request, _fresh(session), surface=surface, with_note=False),
        )
    return redirect(_surface_url(session, surface))


@require_POST
def takeoff(request, pk):
    session, moved = _on_page(request, pk, *WORKSPACE_PAGES)
    if moved:
        return moved
    try:
        services.takeoff_run(session=session)
    except SessionError as exc:
        messages.error(request, str(exc))
    return _to_current(_fresh(session))


# --- S8 activate, S9 trial, S10 card -----------------------------------------------------------------------------


def _activate_form(session, data=None):
    profile = _profile(session)
    invited = hasattr(session.lead, "invite")
    return forms.ActivateForm(
        data, ask_name=not session.lead.name, ask_company=not invited and not (profile and profile.company)
    )


@require_http_methods(["GET", "POST"])
def activate(request, pk):
    session, moved = _on_page(request, pk, "activate")
    if moved:
        return moved
    form = _activate_form(session, _data(request))
    if request.method == "POST" and form.is_valid():
        try:
            session, user = services.prospect_activate(
                session=session,
                name=form.cleaned_data.get("name", ""),
                password=form.cleaned_data["password"],
                company=form.cleaned_data.get("company", ""),
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            access.grant(request, session)
            return _to_current(session)
        except services.ActivationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except SessionError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "prospect/activate.html",
        {
            "session": session,
            "form": form,
            "takeoff": selectors.session_takeoff(session),
            "trial_days": SessionSettings.load().trial_days,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def trial(request, pk):
    session, moved = _on_page(request, pk, "trial")
    if moved:
        return moved
    provider = payment_provider()
    return render(
        request,
        "prospect/trial.html",
        {
            "session": session,
            "subscription": Subscription.objects.filter(session=session).first(),
            "takeoff": selectors.session_takeoff(session),
            "provider": provider,
            "days_left": (session.trial_ends_on - clock.today()).days if session.trial_ends_on else None,
            "invites": selectors.session_invites(session),
        },
    )


@require_POST
def card_start(request, pk):
    session, moved = _on_page(request, pk, "trial")
    if moved or session.state != S.S9_TRIAL:
        return moved or _to_current(session)
    trial_url = request.build_absolute_uri(reverse("prospect:trial", args=[session.pk]))
    try:
        checkout = services.card_checkout_start(
            session=session, success_url=trial_url + "?card=done", cancel_url=trial_url
        )
    except PaymentError as exc:
        messages.error(request, f"We couldn't open the card form: {exc}. Your trial is unaffected; try again.")
        return _to_current(session)
    return _to_current(session) if checkout is None else redirect(checkout.redirect_url)


@require_http_methods(["GET", "POST"])
def card_demo(request, pk):
    """The offline demo provider's checkout page (marked as a demo; test numbers only; nothing charged)."""
    session, moved = _on_page(request, pk, "trial")
    if moved:
        return moved
    if settings.PAYMENT_PROVIDER != "demo":
        raise Http404("The demo checkout is off")
    form = forms.DemoCardForm(_data(request))
    if request.method == "POST" and session.state == S.S10_CLOSED_WON:
        return _to_current(session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.card_capture_demo(
                session=session, number=form.cleaned_data["number"], actor=request.user
            )
            return _to_current(session)
        except PaymentError as exc:
            form.add_error("number", str(exc).split(": ", 1)[-1])
        except SessionError as exc:
            form.add_error(None, str(exc))
    return render(
        request, "prospect/card_demo.html", {"session": session, "form": form}, status=400 if form.errors else 200
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe → us. Nothing is acted on unless the signature verifies; Stripe retries on non-2xx."""
    try:
        outcome = services.stripe_webhook_handle(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature", "")
        )
    except SignatureError:
        return HttpResponse("bad signature", status=400, content_type="text/plain")
    except (PaymentError, SessionError) as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")


# --- team invites ------------------------------------------------------------------------------------------------

INVITE_PAGES = ("workspace", "activate", "trial", "fallback")


@require_http_methods(["GET", "POST"])
def invites(request, pk):
    session, moved = _on_page(request, pk, *INVITE_PAGES)
    if moved:
        return moved
    if request.method == "POST" and request.POST.get("retry"):
        try:
            invite_id = uuid.UUID(request.POST["retry"])
        except ValueError:
            raise Http404("No such invite") from None
        outcome = services.invite_email_retry(session=session, invite_id=invite_id)
        if outcome == "sent":
            messages.success(request, "Invite email sent.")
        elif outcome == "abandoned":
            messages.error(request, "The invite email failed again. Share their link with them another way.")
        return redirect("prospect:invites", session.pk)
    form = forms.InviteForm(_data(request))
    link = ""
    if request.method == "POST" and form.is_valid():
        try:
            invite, link = services.invite_send(
                session=session,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/")[:-1],
            )
            session = _fresh(session)
            if PAGE_OF_STATE[session.state] == "specialist":
                return _to_current(session)  # the invite crossed the expansion threshold
            form = forms.InviteForm()
        except SessionError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "prospect/invites.html",
        {
            "session": session,
            "form": form,
            "invites": selectors.session_invites(session),
            "link": link,
            "back": _page(session),
        },
        status=400 if form.errors else 200,
    )


# --- inbox access: explicit opt-in, withdrawn at any time ------------------------------------------------------

# Every page a prospect can be on once they have a board — a prospect handed to white glove ("specialist") too:
# the consent text promises withdrawal at any time.
INBOX_PAGES = ("workspace", "activate", "trial", "fallback", "specialist")


@require_http_methods(["GET", "POST"])
def inbox_consent(request, pk):
    """Seed 002 "Consent + PII": inbox access (bid-invite seeding) is explicit opt-in. The page says what is
    read and why; the prospect ticks an unticked box to agree and can withdraw here at any time. Each change is
    audited with the version of the text shown (enrichment.consent)."""
    from enrichment.consent import (
        INBOX_CONSENT_PARAGRAPHS,
        INBOX_CONSENT_TITLE,
        INBOX_CONSENT_VERSION,
    )
    from enrichment.services.leads import lead_set_inbox_consent

    session, moved = _on_page(request, pk, *INBOX_PAGES)
    if moved:
        return moved
    form = forms.InboxConsentForm(initial={"version": INBOX_CONSENT_VERSION})
    error = ""
    if request.method == "POST":
        withdraw = request.POST.get("action") == "withdraw"
        if not withdraw:
            form = forms.InboxConsentForm(request.POST)
        if withdraw or form.is_valid():
            try:
                lead_set_inbox_consent(
                    lead=session.lead,
                    granted=not withdraw,
                    text_version=None if withdraw else form.cleaned_data["version"],
                    actor=request.user,
                    via="prospect inbox page",
                    session_id=session.pk,
                )
                messages.success(
                    request,
                    "Done: we've stopped reading your bid invitations and removed what came from them."
                    if withdraw
                    else "Thanks. We're reading your bid invitations now; the GCs and subs appear on your board.",
                )
                return redirect("prospect:inbox_consent", session.pk)
            except LeadError as exc:
                # Shown with the current text and a fresh form (its hidden version is the current one).
                error = str(exc).split(": ", 1)[-1]
                form = forms.InboxConsentForm(initial={"version": INBOX_CONSENT_VERSION})
    return render(
        request,
        "prospect/inbox.html",
        {
            "session": session,
            "form": form,
            "state": selectors.inbox_consent(session),
            "title": INBOX_CONSENT_TITLE,
            "paragraphs": INBOX_CONSENT_PARAGRAPHS,
            "version": INBOX_CONSENT_VERSION,
            "back": _page(session),
            "error": error,
        },
        status=400 if form.errors or error else 200,
    )


# --- FALLBACK_FORM: today's classic flow ------------------------------------------------------------------------

STEP_FORMS = {
    "organization_type": forms.OrgTypeStep,
    "service_area": forms.ServiceAreaStep,
    "trades": forms.TradesStep,
    "market_sectors": forms.SectorsStep,
}
STEP_TITLES = {
    "organization_type": "Organization type",
    "service_area": "Service area",
    "trades": "Trades",
    "market_sectors": "Market sectors",
    "invitations": "Team invitations",
}
STEP_PROFILE_FIELD = {
    "organization_type": F.ORG_TYPE,
    "service_area": F.SERVICE_AREA,
    "trades": F.TRADE,
    "market_sectors": F.SECTORS,
}


def _fallback_steps(session) -> list[str]:
    """The classic steps, minus any whose field the Profile holds at ≥ θ (never re-ask what is known)."""
    profile = Profile.objects.filter(lead_id=session.lead_id).only("confidence").first()
    theta = float(RouterSettings.load().theta)
    known = {f for f, c in ((profile.confidence or {}) if profile else {}).items() if c >= theta}
    return [s for s in services.FALLBACK_STEPS if STEP_PROFILE_FIELD.get(s) not in known]


@require_http_methods(["GET", "POST"])
def fallback(request, pk, step: str = ""):
    session, moved = _on_page(request, pk, "fallback")
    if moved:
        return moved
    steps = _fallback_steps(session)
    answers = services.fallback_answers(session)
    step = step or next((s for s in steps if not _step_done(s, answers)), steps[-1])
    if step not in steps:
        raise Http404("No such step")
    index = steps.index(step)
    next_url = reverse("prospect:fallback_step", args=[session.pk, steps[index + 1]]) if index + 1 < len(steps) else ""
    if step == "invitations":
        if request.method == "POST":
            services.fallback_save(session=session, step=step, values={"invites_done": True})
            try:
                session = services.fallback_complete(session=session)
            except SessionError as exc:
                messages.error(request, str(exc).split(": ", 1)[-1])
                return redirect("prospect:fallback_step", session.pk, steps[0])
            return _to_current(session)
        form = None
    else:
        initial = {
            "org_type": answers.org_type,
            "service_area": ", ".join(answers.service_area),
            "trades": answers.trades,
            "sectors": answers.sectors,
        }
        form = STEP_FORMS[step](_data(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            services.fallback_save(session=session, step=step, values=form.cleaned_data)
            return redirect(next_url or reverse("prospect:fallback_step", args=[session.pk, "invitations"]))
    return render(
        request,
        "prospect/fallback.html",
        {
            "session": session,
            "form": form,
            "step": step,
            "title": STEP_TITLES[step],
            "step_list": [(s, STEP_TITLES[s]) for s in steps],
            "index": index,
            "invites": selectors.session_invites(session),
            "previous": reverse("prospect:fallback_step", args=[session.pk, steps[index - 1]]) if index else "",
            "reason": session.reason,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _step_done(step: str, answers) -> bool:
    return {
        "organization_type": bool(answers.org_type),
        "service_area": bool(answers.service_area),
        "trades": bool(answers.trades) or answers.org_type == "contractor" and bool(answers.sectors),
        "market_sectors": bool(answers.sectors),
        "invitations": answers.invites_done,
    }[step]


# --- end states --------------------------------------------------------------------------------------------------


@require_GET
def homeowner(request, pk):
    session, moved = _on_page(request, pk, "homeowner")
    return moved or render(
        request, "prospect/homeowner.html", {"session": session, "homeowner_url": settings.PROSPECT_HOMEOWNER_URL}
    )


@require_POST
def delete_my_data(request, pk):
    """A prospect's own deletion request (seed 002: "retention + delete honored on the Lead before it converts"):
    the Lead and everything hanging off it go; the Event log keeps its PII-free rows and one lead.deleted."""
    from enrichment.services.leads import lead_delete

    session = access.session_for(request, pk)
    if session.user_id is not None or session.lead.converted_at is not None:
        messages.error(request, "This is an account now: delete it from the account's settings.")
        return _to_current(session)
    lead_delete(lead=session.lead, reason="requested by the prospect")
    request.session[access.SESSION_KEY] = [i for i in request.session.get(access.SESSION_KEY, []) if i != str(pk)]
    return render(request, "prospect/deleted.html")


@require_GET
def homeowner_product(request):
    """The homeowner product's page (PROSPECT_HOMEOWNER_URL's default): where a DISQUALIFIED consumer goes."""
    return render(request, "prospect/homeowner_product.html")


@require_GET
def specialist(request, pk):
    """White-glove (W5–W10): a specialist sets the team up, and meanwhile the prospect sees their persona's first
    surface read-only — for an owner off the self-serve track that is analytics (G4), not the jobs board."""
    session, moved = _on_page(request, pk, "specialist")
    if moved:
        return moved
    context = {"session": session}
    if session.state != S.LOST:
        context = {
            **_workspace_context(request, session, with_note=False),  # the specialist page has no note
            "surface_url": reverse("prospect:specialist", args=[session.pk]),
            "readonly": True,
        }
    if request.htmx:
        return render(request, "prospect/specialist.html#live", context)
    return render(request, "prospect/specialist.html", context)


@require_GET
def abandoned(request, pk):
    session, moved = _on_page(request, pk, "abandoned")
    return moved or render(request, "prospect/abandoned.html", {"session": session})


# --- sales and RevOps ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def reengage_queue(request):
    if not access.can_work_prospects(request.user):
        raise Http404("Not found")
    return render(
        request,
        "prospect/reengage.html",
        {"abandoned": selectors.reengage_rows(), "handed_off": selectors.handed_off_rows()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def warm_links(request):
    """SDRs issue personalized links: one by one, or a CSV of leads (all rows checked before any is issued)."""
    if not access.can_work_prospects(request.user):
        raise Http404("Not found")
    base = request.build_absolute_uri("/")[:-1]
    form, csv_form, issued, csv_errors = forms.WarmLinkForm(), forms.WarmLinkCsvForm(), [], []
    if request.method == "POST" and "file" in request.FILES:
        csv_form = forms.WarmLinkCsvForm(request.POST, request.FILES)
        if csv_form.is_valid():
            try:
                text = csv_form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                text, csv_errors = "", ["the file is not UTF-8 text (save it as CSV UTF-8)"]
            if text:
                issued, csv_errors = services.warm_links_from_csv(text=text, base_url=base)
    elif request.method == "POST":
        form = forms.WarmLinkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session, link, created = services.warm_link_issue(
                    email=data["email"],
                    source=data["source"],
                    name=data["name"],
                    title=data["title"],
                    warmth="warmest" if data["title"].strip() else "warm",
                    base_url=base,
                )
                issued = [(session.lead.email, link, created)]
                form = forms.WarmLinkForm()
            except services.WarmLinkError as exc:
                field, _, message = str(exc).partition(": ")
                form.add_error(field if field in form.fields else None, message)
    status = 400 if form.errors or csv_form.errors or csv_errors else 200
    return render(
        request,
        "prospect/warm_links.html",
        {
            "form": form,
            "csv_form": csv_form,
            "issued": issued,
            "csv_errors": csv_errors,
            "max_age_days": settings.PROSPECT_WARM_LINK_MAX_AGE_DAYS,
        },
        status=status,
    )


@login_required
@require_GET
def routing_sessions(request):
    """RevOps / sales: find a prospect session to see why the router sent it where it went."""
    if not access.can_work_prospects(request.user):
        raise Http404("Not found")
    query = request.GET.get("q", "")[:200]
    return render(
        request, "prospect/routing_sessions.html", {"sessions": selectors.session_search(query=query), "q": query}
    )


@login_required
@require_GET
def routing_session(request, pk):
    """One session's G0–G7 gate trace for every decision (seed: "gateTrace — G0–G7 outcomes — auditable why")."""
    if not access.can_work_prospects(request.user):
        raise Http404("Not found")
    session = OnboardingSession.objects.select_related("lead", "lead__profile").filter(pk=pk).first()
    if session is None:
        raise Http404("No such onboarding session")
    return render(
        request,
        "prospect/routing_session.html",
        {"session": session, "decisions": selectors.session_route_history(session)},
    )


@login_required
@require_GET
def funnel(request):
    if not access.can_see_funnel(request.user):
        raise Http404("Not found")
    by = request.GET.get("by", "")
    by = by if by in selectors.DIMENSIONS else ""
    try:
        days = min(max(int(request.GET.get("days", 30)), 1), 365)
    except ValueError:
        days = 30
    computed_at, groups = selectors.funnel_recent(days=days, by=by)
    chart = _chart(groups)
    return render(
        request,
        "prospect/funnel.html",
        {
            "groups": groups,
            "by": by,
            "days": days,
            "computed_at": computed_at,
            "dimensions": selectors.DIMENSIONS,
            "chart": chart,
            "steps": [label for _, label, _ in selectors.FUNNEL_STEPS],
        },
    )


CHART_COLORS = ("#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563")


def _chart(groups) -> dict:
    """Grouped horizontal bars (conversion from arrival per step), laid out here so the template only draws."""
    names = list(groups)
    bar, gap, label_w, width = 10, 8, 190, 420
    rows, y = [], 20
    for index, (key, label, _) in enumerate(selectors.FUNNEL_STEPS):
        bars = []
        for g, name in enumerate(names):
            row = groups[name][index]
            bars.append(
                {
                    "y": y + g * bar,
                    "w": round(row.conversion * width, 1),
                    "pct": round(row.conversion * 100),
                    "color": CHART_COLORS[g % len(CHART_COLORS)],
                    "group": name,
                }
            )
        rows.append({"label": label, "y": y, "text_y": y + len(names) * bar / 2 + 4, "bars": bars})
        y += len(names) * bar + gap
    legend = [
        {"name": n, "color": CHART_COLORS[i % len(CHART_COLORS)], "x": label_w + i * 110} for i, n in enumerate(names)
    ]
    return {
        "rows": rows,
        "height": y + 24,
        "label_w": label_w,
        "width": label_w + width + 50,
        "legend": legend,
        "legend_y": y + 12,
    }
