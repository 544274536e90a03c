"""Registrable domains and the free-mail / disposable lists (G1: work vs personal email)."""

from __future__ import annotations

# Public suffixes with more than one label that business email commonly uses. A full Public Suffix List
# is not needed to tell "mail.acme.co.uk" belongs to "acme.co.uk".
MULTI_LABEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "ltd.uk",
        "plc.uk",
        "me.uk",
        "com.au",
        "net.au",
        "org.au",
        "co.nz",
        "com.br",
        "com.mx",
        "co.jp",
        "co.za",
        "com.sg",
        "com.hk",
        "co.in",
        "com.cn",
        "com.tr",
        "com.ar",
        "co.il",
    }
)

FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "yandex.ru",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "comcast.net",
        "att.net",
        "sbcglobal.net",
        "verizon.net",
        "bellsouth.net",
        "charter.net",
        "cox.net",
        "earthlink.net",
        "optonline.net",
        "frontier.com",
        "windstream.net",
        "yahoo.co.uk",
        "hotmail.co.uk",
        "btinternet.com",
        "sky.com",
        "web.de",
        "t-online.de",
        "orange.fr",
        "free.fr",
        "libero.it",
        "qq.com",
        "163.com",
        "naver.com",
    }
)

DISPOSABLE = frozenset(
    {
        "mailinator.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "sharklasers.com",
        "10minutemail.com",
        "tempmail.com",
        "temp-mail.org",
        "yopmail.com",
        "trashmail.com",
        "getnada.com",
        "dispostable.com",
        "maildrop.cc",
        "throwawaymail.com",
        "fakeinbox.com",
        "mintemail.com",
        "mailnesia.com",
        "spamgourmet.com",
        "emailondeck.com",
        "mohmal.com",
        "burnermail.io",
        "tempail.com",
        "discard.email",
    }
)


def registrable_domain(host: str) -> str:
    """``mail.eu.acme.co.uk`` → ``acme.co.uk``; ``Acme.com.`` → ``acme.com``; junk → ''."""
    host = (host or "").strip().strip(".").lower()
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2 or not all(_label_ok(label) for label in labels):
        return ""
    if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:]) if len(labels) >= 3 else ""
    return ".".join(labels[-2:])


def _label_ok(label: str) -> bool:
    return (
        len(label) <= 63
        and all(c.isalnum() or c == "-" for c in label)
        and not label.startswith("-")
        and not label.endswith("-")
    )


def email_domain(email: str) -> str:
    if not email or email.count("@") != 1:
        return ""
    return registrable_domain(email.rsplit("@", 1)[1])


def identity_of(domain: str) -> str:
    from routing.enums import Identity

    if domain in DISPOSABLE:
        return Identity.DISPOSABLE
    if domain in FREE_MAIL:
        return Identity.FREE_MAIL
    return Identity.WORK
