"""The card at S10 through the Stripe provider against a local 127.0.0.1 server (no internet): checkout
created over HTTP, card on file only on a signed webhook; bad or replayed signatures are refused."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from gtmos.audit.models import Event
from onboarding.models import SessionState as S
from onboarding.models import Subscription
from onboarding.prospect.payments import stripe_signature

from .conftest import walk_to_trial

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret"


class FakeStripe(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeStripe.requests.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "form": dict(urllib.parse.parse_qsl(body.decode())),
            }
        )
        if self.headers.get("Authorization") != "Bearer sk_test_local":
            self.send_response(401)
            self.end_headers()
            return
        data = json.dumps({"id": "cs_test_123", "url": "https://checkout.stripe.test/c/pay/cs_test_123"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stripe(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeStripe.requests = []
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    settings.STRIPE_PRICE_ID = "price_self_serve"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    yield FakeStripe
    server.shutdown()


def completed(subscription_id, event_id="evt_1", checkout="cs_test_123"):
    return json.dumps(
        {
            "id": event_id,
            "type": "checkout.session.completed",
            "data": {"object": {"id": checkout, "client_reference_id": str(subscription_id), "customer": "cus_1"}},
        }
    ).encode()


def post_webhook(client, payload, signature):
    return client.post(
        "/start/payments/stripe/webhook/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def test_stripe_checkout_then_signed_webhook_captures_the_card_once(client, swarm_on, datasets, stripe):
    session = walk_to_trial(client)
    response = client.post(f"/start/s/{session.pk}/card/")
    assert response["Location"] == "https://checkout.stripe.test/c/pay/cs_test_123"
    sent = stripe.requests[-1]
    assert sent["path"] == "/v1/checkout/sessions" and sent["form"]["mode"] == "subscription"
    assert sent["form"]["line_items[0][price]"] == "price_self_serve"
    sub = Subscription.objects.get(session=session)
    assert sub.status == Subscription.Status.CHECKOUT and sub.checkout_ref == "cs_test_123"
    assert int(sent["form"]["subscription_data[trial_end]"]) > time.time() + 20 * 86400
    assert sent["form"]["client_reference_id"] == str(sub.pk)
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL  # nothing on file until Stripe says so, signed

    payload = completed(sub.pk)
    ok = post_webhook(client, payload, stripe_signature(payload, SECRET, int(time.time())))
    assert ok.status_code == 200 and ok.content == b"captured"
    session.refresh_from_db()
    assert session.state == S.S10_CLOSED_WON
    again = post_webhook(client, payload, stripe_signature(payload, SECRET, int(time.time())))
    assert again.status_code == 200 and again.content == b"duplicate"
    assert Event.objects.filter(subject_id=str(session.pk), type="card.captured").count() == 1
    assert Event.objects.filter(idempotency_key="stripe:evt_1").count() == 1


def test_stripe_webhook_with_a_bad_or_stale_signature_is_refused(client, swarm_on, datasets, stripe):
    session = walk_to_trial(client)
    client.post(f"/start/s/{session.pk}/card/")
    sub = Subscription.objects.get(session=session)
    payload = completed(sub.pk)
    now = int(time.time())
    assert post_webhook(client, payload, stripe_signature(payload, "whsec_wrong", now)).status_code == 400
    tampered = payload.replace(b"cus_1", b"cus_2")
    assert post_webhook(client, tampered, stripe_signature(payload, SECRET, now)).status_code == 400
    assert post_webhook(client, payload, stripe_signature(payload, SECRET, now - 3600)).status_code == 400
    assert post_webhook(client, payload, "").status_code == 400
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL
    assert Subscription.objects.get(pk=sub.pk).status == Subscription.Status.CHECKOUT


def test_stripe_unreachable_keeps_the_trial_and_says_so(client, swarm_on, datasets, stripe, settings):
    session = walk_to_trial(client)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    response = client.post(f"/start/s/{session.pk}/card/", follow=True)
    assert b"couldn" in response.content
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL


def test_card_cannot_be_captured_before_the_value_moment(client, swarm_on, datasets):
    from onboarding.services import session as flow
    from onboarding.services.session import SessionError

    from .conftest import walk_to_workspace

    session = walk_to_workspace(client)
    with pytest.raises(SessionError):
        flow.session_capture_card(session=session)
    assert client.get(f"/start/s/{session.pk}/card/demo/")["Location"].endswith("/workspace/")


def test_a_lost_close_won_task_is_caught_by_the_minute_sweep(client, swarm_on, datasets):
    """The order signal's task never ran (a publish lost after commit): the prospect sweep closes the deal once
    the card is a minute old, and a second sweep finds nothing to do."""
    import datetime as dt

    from gtmos.core import clock
    from gtmos.crm.models import Opportunity
    from onboarding.prospect.services import self_serve_close_won_sweep

    session = walk_to_trial(client)
    client.post(f"/start/s/{session.pk}/card/demo/", {"number": "4242 4242 4242 4242"})
    assert not Opportunity.objects.filter(account=session.org).exists()  # on_commit never runs in this test
    assert self_serve_close_won_sweep() == 0  # too young: the task is still due
    later = clock.now() + dt.timedelta(minutes=2)
    assert self_serve_close_won_sweep(now=later) == 1
    assert self_serve_close_won_sweep(now=later) == 0
    opportunity = Opportunity.objects.get(account=session.org)
    assert opportunity.stage == "closed_won" and opportunity.account.is_customer
    assert Event.objects.filter(type="order.closed_won", subject_id=str(opportunity.pk)).count() == 1
