"""The consent texts a prospect is shown, versioned: an audit row names the version the person read, so a later
change of wording never rewrites what someone agreed to. Change the text → bump the version (the page refuses a
grant made against a text that is no longer current)."""

from __future__ import annotations

import hashlib

# Seed 002 "Consent + PII": "inbox access (bid-invite seeding) is explicit opt-in".
INBOX_CONSENT_VERSION = "inbox-v1-2026-12"
INBOX_CONSENT_TITLE = "Let us read your bid invitations"
INBOX_CONSENT_PARAGRAPHS = (
    "What we read: only invitations to bid — the messages general contractors and subcontractors send you "
    '("Invitation to bid: …") that reach your bid-intake address. From each we keep the sender\'s company and '
    "web domain, the project name, the trade and the date it was sent.",
    "What we never read: any other email, attachments or message bodies. We never send mail from your account "
    "and never contact the senders.",
    "Why: to show, on your board, the GCs and subs who already invite you to bid (your network), so you start "
    "with the people you work with instead of an empty list.",
    "Stopping: you can withdraw this at any time from your workspace. We then stop reading at once, and the "
    "network entries that came from your invitations are removed. Your choice, with the date and the version of "
    "this text you were shown, is kept in our audit log.",
)


def inbox_consent_digest() -> str:
    """A fingerprint of the exact wording, stored with each grant (the version names it; this proves it)."""
    text = "\n".join((INBOX_CONSENT_VERSION, INBOX_CONSENT_TITLE, *INBOX_CONSENT_PARAGRAPHS))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
