"""Monthly digests as HTML email: the rep's artifact to the rep, the roll-up to the manager."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from gtmos.core import clock

from ..models import Digest


def digests_email(*, month: dt.date) -> int:
    """Send each unsent digest of the month once (the emailed_at claim makes a second run a no-op)."""
    sent = 0
    for digest in Digest.objects.filter(month=month, emailed_at__isnull=True).select_related("employee"):
        if not Digest.objects.filter(pk=digest.pk, emailed_at__isnull=True).update(emailed_at=clock.now()):
            continue
        if not digest.employee.email:
            continue
        html = render_to_string(
            "coaching/email/digest.html", {"digest": digest, "c": digest.content, "site_url": settings.SITE_URL}
        )
        subject = (
            f"Your coaching digest for {month:%B %Y}"
            if digest.kind == Digest.Kind.REP
            else f"Team coaching summary for {month:%B %Y}"
        )
        message = EmailMultiAlternatives(
            subject=f"[GTM OS] {subject}",
            body=strip_tags(html),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[digest.employee.email],
        )
        message.attach_alternative(html, "text/html")
        message.send()
        sent += 1
    return sent
