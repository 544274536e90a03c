"""network_seeder over an IMAP bid-invite intake mailbox — reached only after the prospect's explicit inbox
opt-in (seed 002 "Consent + PII": inbox access is explicit opt-in).

The gate is the Lead's consent field (``Lead.consent_inbox``, set by ``lead_set_inbox_consent`` when the
prospect opts in; ``AgentInput.consent_inbox`` carries it): without it no connection is opened, whatever the
settings say. With it, the invites addressed to the lead's intake address (``SWARM_IMAP_ADDRESS``, e.g.
``bids+{lead}@intake.example.com``, where the prospect points the bid-platform notifications it opted in to
share) are read: sender company and domain from ``From``, project and trade from the subject. Each message is
kept once as a BidInvite (``imap:<Message-ID>``), so a replayed task adds nothing, and the offline seeder — CRM
records plus the invites — builds the network from them.

A server that is down or slow: the retry ladder. ``NO [UNAVAILABLE]``/``[THROTTLED]`` is retried in the call
once, then left to the ladder; a message that cannot be parsed is skipped and logged; past the daily quota,
or with no server configured, the offline seeder answers alone.
"""

from __future__ import annotations

import email
import email.utils
import imaplib
import logging
import re
import ssl
import time
from email.header import decode_header, make_header

from ... import conf
from ...models import BidInvite
from ..base import AgentInput, AgentOutput, remaining
from ..domains import email_domain, registrable_domain
from ..network_seeder import NetworkSeederProvider
from .client import Malformed, QuotaExhausted, Unavailable, quota_take

logger = logging.getLogger("enrichment.remote")
SOURCE = "imap"
MAX_MESSAGES = 200
_SUBJECT = re.compile(
    r"^(?:(?:re|fw|fwd):\s*)*(?:invitation|invite|itb|request)\s+(?:to|for)\s+bid\s*[:\-–]\s*(.+)$", re.IGNORECASE
)
_TRADE_TAIL = re.compile(r"\s+[-–—|]\s+([A-Za-z /&]+)$")


def _text(value) -> str:
    return str(make_header(decode_header(value or ""))).strip()


def parse_invite(raw: bytes, trades: dict[str, tuple[str, ...]]) -> dict:
    """One bid invite from its RFC 5322 bytes; raises Malformed when it is not one."""
    try:
        message = email.message_from_bytes(raw)
        subject = _text(message.get("Subject"))
        name, address = email.utils.parseaddr(_text(message.get("From")))
        message_id = (message.get("Message-ID") or "").strip()
    except Exception as exc:  # noqa: BLE001 — email's parser raises many kinds on hostile input
        raise Malformed(f"unparseable message: {exc.__class__.__name__}") from None
    match = _SUBJECT.match(subject)
    if not match or "@" not in address or not message_id:
        raise Malformed(f"not a bid invite: {subject[:80]!r}")
    project, trade = match.group(1).strip(), ""
    tail = _TRADE_TAIL.search(project)
    if tail:
        label = tail.group(1).strip().lower()
        trade = next((t for t, words in trades.items() if label == t.replace("_", " ") or label in words), "")
        if trade:
            project = project[: tail.start()].strip()
    sent = email.utils.parsedate_to_datetime(message["Date"]).date() if message.get("Date") else None
    return {
        "external_id": f"imap:{message_id}"[:100],
        "sender_company": (name or address.split("@")[1])[:200],
        "sender_domain": registrable_domain(address.rsplit("@", 1)[1]),
        "project_name": project[:300],
        "trade": trade,
        "received_on": sent,
    }


class ImapInvitesProvider:
    agent = "network_seeder"

    def __init__(self, offline=None):
        self.offline = offline or NetworkSeederProvider()

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if inp.consent_inbox and domain and conf.get("SWARM_IMAP_HOST"):
            try:
                quota_take(SOURCE, conf.get("SWARM_REMOTE_DAILY_QUOTA"))
                for invite in self._read(inp, deadline):
                    BidInvite.objects.update_or_create(
                        external_id=invite.pop("external_id"), defaults={**invite, "recipient_domain": domain}
                    )
            except QuotaExhausted as exc:
                logger.warning("network_seeder: %s; the offline seeder answers", exc)
        return self.offline.run(inp, deadline=deadline)

    def _read(self, inp: AgentInput, deadline: float) -> list[dict]:
        from ..classifier import _trade_library

        host, port = conf.get("SWARM_IMAP_HOST"), conf.get("SWARM_IMAP_PORT")
        timeout = min(conf.get("SWARM_REMOTE_TIMEOUT_MS") / 1000, remaining(deadline))
        address = conf.get("SWARM_IMAP_ADDRESS").format(lead=inp.lead_id)
        for attempt in range(2):
            try:
                client = (
                    imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
                    if conf.get("SWARM_IMAP_SSL")
                    else imaplib.IMAP4(host, port, timeout=timeout)
                )
            except TimeoutError:
                raise Unavailable(f"imap: connect timed out after {timeout:.2f}s") from None
            except OSError as exc:
                raise Unavailable(f"imap: connect failed ({exc.__class__.__name__})") from None
            try:
                client.login(conf.get("SWARM_IMAP_USER"), conf.get("SWARM_IMAP_PASSWORD"))
                client.select("INBOX", readonly=True)
                status, data = client.uid("SEARCH", None, "TO", _quoted(address))
                if status != "OK":
                    raise Malformed(f"SEARCH answered {status}")
                uids = (data[0] or b"").split()[-MAX_MESSAGES:]
                trades, out = _trade_library(), []
                for uid in uids:
                    status, parts = client.uid("FETCH", uid, "(RFC822)")
                    raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                    try:
                        if status != "OK" or raw is None:
                            raise Malformed(f"FETCH {uid.decode()} answered {status}")
                        out.append(parse_invite(raw, trades))
                    except Malformed as exc:
                        logger.warning("network_seeder: skipped message %s (%s)", uid.decode(), exc)
                return out
            except TimeoutError:
                raise Unavailable("imap: timed out") from None
            except imaplib.IMAP4.error as exc:
                reason = str(exc)
                if ("UNAVAILABLE" in reason or "THROTTLED" in reason) and attempt == 0 and remaining(deadline) > 0.5:
                    time.sleep(min(conf.get("SWARM_REMOTE_BACKOFF_MS") / 1000, remaining(deadline) / 4))
                    continue
                if "UNAVAILABLE" in reason or "THROTTLED" in reason or isinstance(exc, imaplib.IMAP4.abort):
                    raise Unavailable(f"imap: {reason[:200]}") from None
                logger.warning("network_seeder: the mailbox refused us (%s); no invites from it", reason[:200])
                return []
            except Malformed as exc:
                logger.warning("network_seeder: the mailbox answered oddly (%s); no invites from it", exc)
                return []
            finally:
                try:
                    client.logout()
                except (imaplib.IMAP4.error, OSError):
                    pass
        raise Unavailable("imap: throttled")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
