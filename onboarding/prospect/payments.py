"""The card at S10 behind a payment-provider interface (seed 002: "plan_selection + Stripe 21-day trial").

Two implementations, chosen by ``PAYMENT_PROVIDER``:

* ``stripe``: a Stripe Checkout session (subscription with the trial's end as ``trial_end``) created over
  Stripe's HTTP API (``STRIPE_API_BASE``, so tests point it at a local server), and the card confirmed only
  by a ``checkout.session.completed`` webhook whose ``Stripe-Signature`` verifies (HMAC-SHA256 of
  ``"{t}.{body}"`` with ``STRIPE_WEBHOOK_SECRET``, timestamp within ``STRIPE_WEBHOOK_TOLERANCE_SECONDS``).
* ``demo`` (the default, for the quick start and offline demos): a checkout page on this server, marked
  as a demo everywhere, that accepts only the well-known test card numbers and charges nothing.

The interface is two calls: ``checkout_start`` (where to send the prospect) and, for providers that
confirm out of band, ``webhook_verify`` (a verified, parsed event or an error).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dtime
from typing import Protocol

from django.conf import settings
from django.urls import reverse

from gtmos.core import clock


class PaymentError(Exception):
    """The provider refused or could not be reached; the prospect stays in the trial and can try again."""


class SignatureError(PaymentError):
    """A webhook whose signature does not verify (or is too old): never acted on."""


@dataclass(frozen=True)
class Checkout:
    ref: str
    redirect_url: str


@dataclass(frozen=True)
class CardCaptured:
    event_id: str
    checkout_ref: str
    client_reference: str
    customer_ref: str = ""
    brand: str = ""
    last4: str = ""


class PaymentProvider(Protocol):
    name: str
    demo: bool

    def checkout_start(self, *, subscription, email: str, success_url: str, cancel_url: str) -> Checkout: ...


# --- demo -------------------------------------------------------------------------------------------------

# Stripe's published test numbers: the only ones the demo accepts, so nobody types a real card into it.
DEMO_TEST_CARDS = {"4242424242424242": "Visa", "5555555555554444": "Mastercard", "378282246310005": "Amex"}


class DemoPaymentProvider:
    """Offline demo: a checkout page on this server; test card numbers only; nothing is charged."""

    name = "demo"
    demo = True

    def checkout_start(self, *, subscription, email: str, success_url: str, cancel_url: str) -> Checkout:
        ref = f"demo_{subscription.pk}_{int(clock.now().timestamp())}"
        url = reverse("prospect:card_demo", args=[subscription.session_id]) + "?" + urllib.parse.urlencode({"ref": ref})
        return Checkout(ref=ref, redirect_url=url)

    @staticmethod
    def card_check(number: str) -> tuple[str, str]:
        """(brand, last4) of a test card; PaymentError for anything else."""
        digits = "".join(ch for ch in number if ch.isdigit())
        if digits not in DEMO_TEST_CARDS:
            raise PaymentError("card: this is a demo — use the test card 4242 4242 4242 4242")
        return DEMO_TEST_CARDS[digits], digits[-4:]


# --- Stripe -----------------------------------------------------------------------------------------------


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe would send for this body (tests sign their payloads with it)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class StripePaymentProvider:
    """Stripe Checkout over HTTP (no SDK): a subscription checkout whose trial ends with ours; the card is
    on file only when a signed ``checkout.session.completed`` webhook arrives."""

    name = "stripe"
    demo = False

    def __init__(self):
        self.api_base = settings.STRIPE_API_BASE.rstrip("/")
        self.secret_key = settings.STRIPE_SECRET_KEY
        self.webhook_secret = settings.STRIPE_WEBHOOK_SECRET
        self.price = settings.STRIPE_PRICE_ID
        self.tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS

    def checkout_start(self, *, subscription, email: str, success_url: str, cancel_url: str) -> Checkout:
        if not (self.secret_key and self.price):
            raise PaymentError("Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_PRICE_ID)")
        trial_end = int(datetime.combine(subscription.trial_ends_on, dtime(12), tzinfo=UTC).timestamp())
        form = {
            "mode": "subscription",
            "customer_email": email,
            "client_reference_id": str(subscription.pk),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "payment_method_collection": "always",
            "line_items[0][price]": self.price,
            "line_items[0][quantity]": "1",
            "subscription_data[trial_end]": str(trial_end),
        }
        request = urllib.request.Request(
            f"{self.api_base}/v1/checkout/sessions",
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.secret_key}",
                "Idempotency-Key": f"checkout-{subscription.pk}-{subscription.trial_ends_on.isoformat()}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.STRIPE_TIMEOUT_SECONDS) as response:
                body = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise PaymentError(f"Stripe checkout could not be started ({exc.__class__.__name__})") from exc
        if not body.get("id") or not body.get("url"):
            raise PaymentError("Stripe answered without a checkout session")
        return Checkout(ref=body["id"], redirect_url=body["url"])

    def webhook_verify(self, *, payload: bytes, signature_header: str) -> CardCaptured | None:
        """The parsed event if its signature verifies; ``None`` for event types we do not act on."""
        if not self.webhook_secret:
            raise SignatureError("no webhook secret configured")
        parts = [p.split("=", 1) for p in (signature_header or "").split(",") if "=" in p]
        timestamps = [v for k, v in parts if k.strip() == "t"]
        signatures = [v for k, v in parts if k.strip() == "v1"]
        if not timestamps or not signatures or not timestamps[0].isdigit():
            raise SignatureError("missing or malformed Stripe-Signature")
        timestamp = int(timestamps[0])
        expected = stripe_signature(payload, self.webhook_secret, timestamp).split("v1=", 1)[1]
        if not any(hmac.compare_digest(expected, s.strip()) for s in signatures):
            raise SignatureError("signature does not match")
        if abs(clock.now().timestamp() - timestamp) > self.tolerance:
            raise SignatureError("signature timestamp outside the tolerance (replayed?)")
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise SignatureError("body is not JSON") from exc
        if event.get("type") != "checkout.session.completed":
            return None
        obj = (event.get("data") or {}).get("object") or {}
        return CardCaptured(
            event_id=str(event.get("id", "")),
            checkout_ref=str(obj.get("id", "")),
            client_reference=str(obj.get("client_reference_id") or ""),
            customer_ref=str(obj.get("customer") or ""),
        )


PROVIDERS = {"demo": DemoPaymentProvider, "stripe": StripePaymentProvider}


def payment_provider() -> PaymentProvider:
    return PROVIDERS[settings.PAYMENT_PROVIDER]()
