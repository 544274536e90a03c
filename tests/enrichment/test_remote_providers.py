"""Contract tests of the real-source providers against a 127.0.0.1 server replaying responses in each public
format (OpenAI chat completions, People Data Labs company enrichment, Socrata SODA): success, timeout, 429 then
success through the in-call ladder, a malformed body (no signal, a logged reason), and a spent quota (the
offline provider answers). Switching a provider is a setting."""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from enrichment.models import ProjectRecord, RemoteQuota
from enrichment.providers.base import AgentInput, ProviderError
from enrichment.providers.classifier import ClassifierProvider
from enrichment.providers.registry import provider_for
from enrichment.providers.remote.firmographics import FirmographicsApiProvider, revenue_midpoint
from enrichment.providers.remote.llm import LlmClassifierProvider
from enrichment.providers.remote.socrata import SocrataPermitsProvider, soql_like

pytestmark = pytest.mark.django_db
REPLAY = Path(__file__).parent / "replay"
SITES = Path(__file__).parent / "crawl_sites"
EMAIL = "dana@desertvoltelectric.com"


class Replay:
    """Answers each path with its scripted responses in turn (the last one repeats) and records every request."""

    def __init__(self):
        self.script: dict[str, list[tuple]] = {}
        self.requests: list[dict] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                replay.requests.append(
                    {
                        "path": path,
                        "query": self.path.partition("?")[2],
                        "headers": dict(self.headers),
                        "body": json.loads(body) if body else None,
                    }
                )
                steps = replay.script.get(path) or [(404, b'{"status": 404}', {}, 0)]
                status, payload, headers, delay = steps.pop(0) if len(steps) > 1 else steps[0]
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _answer  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def on(self, path: str, *steps):
        self.script[path] = [(s, p.encode() if isinstance(p, str) else p, h, d) for s, p, h, d in steps]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def ok(name):
    return 200, (REPLAY / name).read_text(), {}, 0


@pytest.fixture
def replay(settings):
    server = Replay()
    settings.SWARM_SITE_ARCHIVE_DIR = str(SITES)
    settings.SWARM_SITE_SOURCE = "archive"
    settings.SWARM_REMOTE_TIMEOUT_MS = 400
    settings.SWARM_REMOTE_BACKOFF_MS = 10
    settings.SWARM_REMOTE_DAILY_QUOTA = 100
    settings.SWARM_LLM_URL = f"{server.url}/v1/chat/completions"
    settings.SWARM_LLM_API_KEY = "sk-test"
    settings.SWARM_FIRMO_URL = f"{server.url}/v5/company/enrich"
    settings.SWARM_FIRMO_API_KEY = "pdl-test"
    settings.SWARM_SODA_URL = f"{server.url}/resource/ydr8-5enu.json"
    settings.SWARM_SODA_APP_TOKEN = "soda-test"
    yield server
    server.close()


def inp(known=None):
    return AgentInput(lead_id="l", email=EMAIL, name="Dana", title="", consent_inbox=False, known=known or {})


def signals(output):
    return {s.field: s for s in output.signals}


# --- OpenAI-compatible chat completions: the classifier ---------------------------------------------------------


def test_llm_classifier_posts_a_json_schema_and_reads_the_answer(replay):
    replay.on("/v1/chat/completions", ok("chat_completion.json"))
    out = signals(LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5))
    request = replay.requests[0]
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    schema = request["body"]["response_format"]["json_schema"]
    assert request["body"]["response_format"]["type"] == "json_schema" and schema["strict"] is True
    assert set(schema["schema"]["required"]) == {"org_type", "trade", "sectors"}
    assert "Desert Volt" in request["body"]["messages"][1]["content"]  # the crawled site's text
    assert out["org_type"].value == "sub_contractor" and out["trade"].value == "electrical"
    assert out["trade"].confidence >= 0.85 and "agree" in out["trade"].evidence  # the calibrated classifier agrees
    assert out["sectors"].value == ["healthcare", "education"]


def test_llm_answer_the_calibrated_classifier_does_not_share_stays_below_theta(replay):
    answer = json.loads((REPLAY / "chat_completion.json").read_text())
    answer["choices"][0]["message"]["content"] = json.dumps({"org_type": "contractor", "trade": None, "sectors": []})
    replay.on("/v1/chat/completions", (200, json.dumps(answer), {}, 0))
    out = signals(LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5))
    assert out["org_type"].value == "contractor" and out["org_type"].confidence < 0.85


def test_llm_timeout_is_a_provider_error_for_the_retry_ladder(replay):
    replay.on("/v1/chat/completions", (200, (REPLAY / "chat_completion.json").read_text(), {}, 1.5))
    started = time.monotonic()
    with pytest.raises(ProviderError, match="timed out"):
        LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5)
    assert time.monotonic() - started < 1.2


def test_llm_429_then_success_through_the_in_call_ladder(replay):
    replay.on(
        "/v1/chat/completions",
        (429, '{"error": {"code": "rate_limit_exceeded"}}', {"Retry-After": "0.05"}, 0),
        (503, "<html>upstream</html>", {}, 0),
        ok("chat_completion.json"),
    )
    out = signals(LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5))
    assert len(replay.requests) == 3 and out["trade"].value == "electrical"


def test_llm_5xx_past_the_ladder_is_left_to_the_agents_retry_ladder(replay):
    replay.on("/v1/chat/completions", (500, "{}", {}, 0))
    with pytest.raises(ProviderError, match="HTTP 500 after 3"):
        LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5)


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps({"org_type": "bakery", "trade": None, "sectors": []}),
        json.dumps({"org_type": "contractor", "trade": "knitting", "sectors": []}),
    ],
)
def test_llm_malformed_answer_gives_no_signal_and_logs_why(replay, caplog, content):
    answer = json.loads((REPLAY / "chat_completion.json").read_text())
    answer["choices"][0]["message"]["content"] = content
    replay.on("/v1/chat/completions", (200, json.dumps(answer), {}, 0))
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5)
    assert out.signals == []
    assert any("unusable" in r.getMessage() for r in caplog.records)


def test_llm_quota_spent_falls_back_to_the_offline_classifier(replay, caplog):
    replay.on("/v1/chat/completions", (429, (REPLAY / "openai_quota.json").read_text(), {}, 0))
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = signals(LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5))
    offline = signals(ClassifierProvider().run(inp(), deadline=time.monotonic() + 5))
    assert {f: (s.value, s.confidence) for f, s in out.items()} == {
        f: (s.value, s.confidence) for f, s in offline.items()
    }
    assert RemoteQuota.objects.get(source="llm").exhausted
    LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5)
    assert len(replay.requests) == 1  # spent for today: the vendor is not asked again


def test_our_daily_quota_is_never_overrun(replay, settings):
    settings.SWARM_REMOTE_DAILY_QUOTA = 2
    replay.on("/v1/chat/completions", ok("chat_completion.json"))
    for _ in range(4):
        LlmClassifierProvider().run(inp(), deadline=time.monotonic() + 5)
    assert len(replay.requests) == 2 and RemoteQuota.objects.get(source="llm").used == 2


def test_switching_a_provider_is_a_setting(settings):
    settings.SWARM_PROVIDERS = {
        **settings.SWARM_PROVIDERS,
        "classifier": "enrichment.providers.remote.llm.LlmClassifierProvider",
        "size_estimator": "enrichment.providers.remote.firmographics.FirmographicsApiProvider",
        "project_finder": "enrichment.providers.remote.socrata.SocrataPermitsProvider",
    }
    assert isinstance(provider_for("classifier"), LlmClassifierProvider)
    assert isinstance(provider_for("size_estimator"), FirmographicsApiProvider)
    assert isinstance(provider_for("project_finder"), SocrataPermitsProvider)


# --- firmographics API (People Data Labs company enrichment format): the size estimator -------------------------


def test_firmographics_api_gives_revenue_and_size_beside_the_site(replay):
    replay.on("/v5/company/enrich", ok("pdl_company.json"))
    out = signals(FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5))
    request = replay.requests[0]
    assert request["query"] == "website=desertvoltelectric.com" and request["headers"]["X-Api-Key"] == "pdl-test"
    assert out["revenue"].value == "37500000" and "firmographics API" in out["revenue"].evidence
    assert out["size_band"].value == "mid"
    assert revenue_midpoint("$1B+") == 1_000_000_000 and revenue_midpoint("$10M-$25M") == 17_500_000


def test_firmographics_not_found_is_the_offline_answer(replay):
    replay.on("/v5/company/enrich", (404, '{"status": 404, "error": {"type": "not_found"}}', {}, 0))
    out = signals(FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5))
    assert "revenue" not in out and out["size_band"].value == "mid"  # the site's "85 licensed electricians"


def test_firmographics_timeout_and_429_ladder(replay):
    replay.on("/v5/company/enrich", (200, "{}", {}, 1.5))
    with pytest.raises(ProviderError, match="timed out"):
        FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5)
    replay.requests.clear()
    replay.on("/v5/company/enrich", (429, '{"status": 429}', {"Retry-After": "0"}, 0), ok("pdl_company.json"))
    out = signals(FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5))
    assert len(replay.requests) == 2 and out["revenue"].value == "37500000"


def test_firmographics_malformed_body_gives_no_signal_from_it_and_logs_why(replay, caplog):
    replay.on("/v5/company/enrich", (200, '{"employee_count": "lots"}', {}, 0))
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = signals(FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5))
    assert "revenue" not in out and "firmographics API" not in out["size_band"].evidence
    assert any("employee_count is not a count" in r.getMessage() for r in caplog.records)
    replay.on("/v5/company/enrich", (200, "<html>captive portal</html>", {}, 0))
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5)
    assert any("not JSON" in r.getMessage() for r in caplog.records)


def test_firmographics_credits_spent_falls_back_to_offline(replay):
    replay.on("/v5/company/enrich", (402, (REPLAY / "pdl_credits.json").read_text(), {}, 0))
    out = signals(FirmographicsApiProvider().run(inp(), deadline=time.monotonic() + 5))
    assert out["size_band"].value == "mid" and "revenue" not in out
    assert RemoteQuota.objects.get(source="firmographics").exhausted


# --- Socrata (SODA) building permits: the project finder --------------------------------------------------------

KNOWN = {"company": ("Desert Volt Electric", 0.95), "org_type": ("sub_contractor", 0.95), "trade": ("electrical", 0.9)}


def test_soda_permits_naming_the_prospect_become_pursuits_once(replay):
    replay.on("/resource/ydr8-5enu.json", ok("soda_permits.json"))
    first = SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5)
    again = SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5)  # a replayed task
    request = replay.requests[0]
    assert request["headers"]["X-App-Token"] == "soda-test"
    assert "upper%28contact_1_name%29+like+%27%25DESERT+VOLT+ELECTRIC%25%27" in request["query"]
    assert ProjectRecord.objects.filter(external_id__startswith="soda:").count() == 2  # not "NEW DESERT VOLT …"
    names = sorted(p.name for p in first.pursuits)
    assert names == [
        "INTERIOR ALTERATION OF 3RD FLOOR MEDICAL OFFICE - ELECTRICAL",
        "NEW SERVICE AND SWITCHGEAR FOR SCHOOL ADDITION",
    ]
    assert sorted(p.record_id for p in again.pursuits) == sorted(p.record_id for p in first.pursuits)
    assert soql_like("O'Brien & Sons%") == "'%O''BRIEN & SONS%'"


def test_soda_timeout_429_malformed_and_quota(replay, caplog, settings):
    replay.on("/resource/ydr8-5enu.json", (200, "[]", {}, 1.5))
    with pytest.raises(ProviderError, match="timed out"):
        SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5)
    replay.on(
        "/resource/ydr8-5enu.json", (429, '{"code": "throttled"}', {"Retry-After": "0"}, 0), ok("soda_permits.json")
    )
    assert len(SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5).pursuits) == 2
    ProjectRecord.objects.all().delete()
    replay.on("/resource/ydr8-5enu.json", (200, '{"rows": "not an array"}', {}, 0))
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5)
    assert out.pursuits == [] and any("JSON array" in r.getMessage() for r in caplog.records)
    settings.SWARM_REMOTE_DAILY_QUOTA = 0
    calls = len(replay.requests)
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = SocrataPermitsProvider().run(inp(KNOWN), deadline=time.monotonic() + 5)
    assert len(replay.requests) == calls and any("daily quota" in r.getMessage() for r in caplog.records)


# --- IMAP bid-invite intake: the network seeder, only after the prospect's inbox opt-in --------------------------

from email.message import EmailMessage  # noqa: E402
from email.policy import SMTP  # noqa: E402

from enrichment.models import BidInvite  # noqa: E402
from enrichment.providers.remote.imap import ImapInvitesProvider  # noqa: E402
from tests.enrichment.imap_server import ImapServer  # noqa: E402

LEAD = "8d0f3c1e-0000-4000-8000-000000000001"


def invite(sender, subject, to=f"bids+{LEAD}@intake.gtmos.local", n=[0]):
    n[0] += 1
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"], message["Message-ID"] = "Mon, 16 Nov 2026 09:30:00 -0600", f"<itb-{n[0]}@mail.test>"
    message.set_content("You are invited to bid. Bid date: Dec 10.")
    return message.as_bytes()


@pytest.fixture
def mailbox(settings):
    server = ImapServer(
        [
            invite(
                "Turner Construction <bids@turner.example.com>",
                "Invitation to Bid: Mercy Hospital Expansion – Electrical",
            ),
            invite(
                "Hensel Phelps <estimating@henselphelps.example.com>", "Request for Bid: Airport Garage - electrical"
            ),
            invite(
                "Turner Construction <bids@turner.example.com>", "Fwd: Invitation to Bid: Riverside School Addition"
            ),
            invite(
                "Someone Else <x@other.example.com>", "Invitation to Bid: Not Yours", to="bids+other@intake.gtmos.local"
            ),
            invite("Newsletter <news@vendor.example.com>", "Our November product update"),
        ]
    )
    settings.SWARM_IMAP_HOST, settings.SWARM_IMAP_PORT, settings.SWARM_IMAP_SSL = "127.0.0.1", server.port, False
    settings.SWARM_IMAP_USER, settings.SWARM_IMAP_PASSWORD = "intake", "secret"
    settings.SWARM_REMOTE_TIMEOUT_MS, settings.SWARM_REMOTE_BACKOFF_MS = 400, 10
    settings.SWARM_REMOTE_DAILY_QUOTA = 100
    yield server
    server.close()


def seeder_input(consent: bool):
    return AgentInput(
        lead_id=LEAD,
        email=EMAIL,
        name="Dana",
        title="",
        consent_inbox=consent,
        known={"org_type": ("sub_contractor", 0.95), "trade": ("electrical", 0.9)},
    )


def test_without_the_inbox_opt_in_the_mailbox_is_never_opened(mailbox):
    out = ImapInvitesProvider().run(seeder_input(consent=False), deadline=time.monotonic() + 5)
    assert mailbox.connections == 0 and not BidInvite.objects.exists() and out.network == []


def test_the_opt_in_on_the_lead_is_what_opens_it(mailbox):
    """The gate is the Lead's consent field as the orchestrator loads it (set by lead_set_inbox_consent)."""
    from enrichment.services.leads import lead_capture, lead_set_inbox_consent

    lead, _ = lead_capture(source="search", idempotency_key="imap-consent", email=EMAIL)
    lead_set_inbox_consent(lead=lead, granted=True)
    lead.refresh_from_db()
    assert lead.consent_inbox and lead.consent_inbox_at is not None
    ImapInvitesProvider().run(
        AgentInput(lead_id=LEAD, email=lead.email, name="", title="", consent_inbox=lead.consent_inbox),
        deadline=time.monotonic() + 5,
    )
    assert mailbox.connections == 1


def test_opted_in_invites_become_the_network_once_and_odd_messages_are_skipped(mailbox, caplog):
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)
        ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)  # a replayed task
    assert mailbox.searches[0] == f'TO "bids+{LEAD}@intake.gtmos.local"'
    assert BidInvite.objects.filter(recipient_domain="desertvoltelectric.com").count() == 3  # not the other lead's
    turner = BidInvite.objects.filter(sender_company="Turner Construction").order_by("project_name")
    assert [i.project_name for i in turner] == ["Mercy Hospital Expansion", "Riverside School Addition"]
    assert turner[0].trade == "electrical" and turner[0].sender_domain == "example.com"
    network = {n.company: n for n in out.network}
    assert network["Turner Construction"].strength == 2 and network["Turner Construction"].source == "bid_invite"
    assert network["Hensel Phelps"].relation == "gc"
    assert any("not a bid invite" in r.getMessage() for r in caplog.records)


def test_imap_timeout_throttle_then_success_and_quota(mailbox, settings, caplog):
    mailbox.greeting_delay = 1.5
    with pytest.raises(ProviderError, match="timed out"):
        ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)
    mailbox.greeting_delay = 0
    mailbox.login_answers = ["NO [UNAVAILABLE] Temporary failure, try again"]
    before = mailbox.connections
    out = ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)
    assert mailbox.connections - before == 2 and len(out.network) == 2
    settings.SWARM_REMOTE_DAILY_QUOTA = 0
    before = mailbox.connections
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)
    assert mailbox.connections == before and any("daily quota" in r.getMessage() for r in caplog.records)
    assert len(out.network) == 2  # the invites already kept still seed the network (the offline seeder)


def test_imap_wrong_credentials_give_no_invites_and_a_logged_reason(mailbox, settings, caplog):
    settings.SWARM_IMAP_PASSWORD = "wrong"
    with caplog.at_level(logging.WARNING, logger="enrichment.remote"):
        out = ImapInvitesProvider().run(seeder_input(consent=True), deadline=time.monotonic() + 5)
    assert out.network == [] and any("refused" in r.getMessage() for r in caplog.records)
