"""role_resolver — role and persona from the name, the email's local part and any title we have (a
signature, the invite, or the contact in the CRM records)."""

from __future__ import annotations

import re

from routing.enums import Persona
from routing.enums import ProfileField as F

from .base import AgentInput, AgentOutput, SignalOut

# Function words beat seniority words: a "VP of Preconstruction" estimates, a "Chief Estimator" too. Only
# ownership words ("Owner / Estimator") stand next to a function and make the title ambiguous.
TITLE_WORDS = (
    (
        Persona.ESTIMATOR,
        ("estimat", "precon", "pre-con", "bid manager", "bidding", "cost engineer", "quantity surveyor"),
    ),
    (
        Persona.PM,
        (
            "project manager",
            "project engineer",
            "project executive",
            "project director",
            "procurement",
            "purchasing",
            "buyer",
            "operations manager",
        ),
    ),
    (Persona.FIELD, ("superintendent", "foreman", "field", "site manager", "crew lead", "safety", "general foreman")),
    (Persona.OWNER_EXEC, ("owner", "president", "ceo", "founder", "principal", "partner", "chief executive")),
)
SENIORITY = ("vp", "vice president", "managing director", "coo", "cfo", "general manager", "director")
MAILBOXES = {
    "estimating": Persona.ESTIMATOR,
    "estimates": Persona.ESTIMATOR,
    "bids": Persona.ESTIMATOR,
    "bidding": Persona.ESTIMATOR,
    "precon": Persona.ESTIMATOR,
    "ceo": Persona.OWNER_EXEC,
    "owner": Persona.OWNER_EXEC,
    "president": Persona.OWNER_EXEC,
    "pm": Persona.PM,
    "projects": Persona.PM,
    "super": Persona.FIELD,
    "field": Persona.FIELD,
}


def _has(lowered: str, words) -> bool:
    return any(re.search(r"(?<![a-z])" + re.escape(w), lowered) for w in words)


def personas_in(title: str) -> list[str]:
    lowered = f" {title.lower()} "
    found = [persona for persona, words in TITLE_WORDS if _has(lowered, words)]
    if not found and _has(lowered, SENIORITY):
        found = [Persona.OWNER_EXEC]  # a bare "VP" or "General Manager" runs the business
    return found


def _crm_title(email: str, name: str) -> str:
    """The title of this person in the CRM records: by email, else by name at the same company domain."""
    from gtmos.crm.models import Contact

    titled = Contact.objects.exclude(title="")
    title = titled.filter(email__iexact=email).values_list("title", flat=True).first()
    if not title and name.strip():
        domain = email.rsplit("@", 1)[-1].lower()
        title = (
            titled.filter(name__iexact=name.strip(), account__domain__iexact=domain)
            .values_list("title", flat=True)
            .first()
        )
    return title or ""


class RoleResolverProvider:
    agent = "role_resolver"

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        out: list[SignalOut] = []
        title, source, title_conf = inp.title.strip(), "signature / invite title", 0.9
        if not title and inp.email:
            title, source, title_conf = _crm_title(inp.email, inp.name), "CRM contact title", 0.9
        if title:
            out.append(SignalOut(F.ROLE, title[:200], title_conf, source))
            found = personas_in(title)
            if len(found) == 1:
                out.append(SignalOut(F.PERSONA, found[0], 0.9, f"title says {found[0]}"))
            elif found:
                # "Owner / Estimator": several functions in one title; the first is a guess, so ask.
                out.append(SignalOut(F.PERSONA, found[0], 0.7, f"title names {', '.join(found)}"))
            return AgentOutput(out)
        local = inp.email.split("@", 1)[0].lower() if "@" in inp.email else ""
        mailbox = re.split(r"[.+_-]", local)[0] if local else ""
        if mailbox in MAILBOXES:
            persona = MAILBOXES[mailbox]
            # A role mailbox names the department, not the person reading it: below θ, the confirm asks.
            out.append(SignalOut(F.PERSONA, persona, 0.8, f"role mailbox '{mailbox}@'"))
        return AgentOutput(out)
