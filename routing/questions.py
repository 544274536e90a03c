"""G6 — compose the next question (seed 002 ``composeQuestion(persona, band, trade)``).

Role-conditioned: the question is the one that gets this persona to value fastest on this track, and for a
subcontractor it names the trade's takeoff recipe and money flag. Pure: data in, a sentence out.
"""

from __future__ import annotations

from .enums import Persona, SizeBand
from .trades import TradeSpec

ROLE_QUESTION = "What's your role — estimator, owner, project manager or in the field?"

_SMALL = {SizeBand.MICRO, SizeBand.SMALL}
_PERSONAS = frozenset(Persona.values)


def compose_question(persona: str | None, band: str | None, trade: TradeSpec | None) -> str:
    if not isinstance(persona, str) or persona not in _PERSONAS:
        # The one allowed ask: until the role is known nothing else is asked.
        return ROLE_QUESTION
    if persona == Persona.ESTIMATOR:
        if trade is not None:
            items = ", ".join(trade.takeoff_recipe[:2])
            return (
                f"Which {trade.label.lower()} bid are you pricing next? Drop the plans and Sarah will take off "
                f"the {items} — and flag this: {trade.money_flag.lower()}."
            )
        return "Which bid are you pricing next? Drop the plans and Sarah will scope it with you."
    if persona == Persona.OWNER_EXEC:
        if band in _SMALL or band is None:
            lever = f" {trade.value_lever}." if trade is not None else ""
            return f"Which job do you most want to win this month? We'll put it at the top of your board.{lever}"
        return "How many bids does your team price a month, and where do you lose the most?"
    if persona == Persona.PM:
        if trade is not None:
            return (
                f"Which project are you buying out now? We'll line up the GCs you work with and watch for "
                f"{trade.label.lower()} scope changes."
            )
        return "Which project are you buying out now? We'll line up the subs from your network."
    return "Which jobsite do you want on Field Ops first? Your crew's daily logs start there."
