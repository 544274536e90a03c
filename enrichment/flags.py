"""Feature flags (django-waffle) for the swarm: every agent and every router gate ships dark.

Flags are evaluated per Lead, not per request: most checks run in workers, where there is no request.
A flag is on for a lead when RevOps set it on for everyone, or — rolling out by cohort — when the lead's
stable bucket (a hash of its id) falls under the flag's percent. Values are read from the database on every
check (one query for all of them), never from a per-process cache, so the kill switch reaches every worker
at once. The global switch ``SWARM_ENABLED`` (off by default) is the kill switch: off drops the flow to
FALLBACK_FORM, whatever the flags say.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from waffle import get_waffle_flag_model, get_waffle_switch_model

from routing.types import GATES

from .enums import SYNC_AGENTS, AgentId

SWARM_SWITCH = "SWARM_ENABLED"
AGENT_FLAGS = {agent: f"swarm_agent_{agent}" for agent in AgentId.values}
GATE_FLAGS = {gate: f"swarm_gate_{gate}" for gate in GATES}
ALL_FLAGS = (*AGENT_FLAGS.values(), *GATE_FLAGS.values())


@dataclass(frozen=True)
class SwarmFlags:
    switch_on: bool
    agents: frozenset[str]
    gates: frozenset[str]

    @property
    def any_sync_agent(self) -> bool:
        return any(agent in self.agents for agent in SYNC_AGENTS)

    @property
    def swarm_usable(self) -> bool:
        """The smart flow runs only with the switch on and at least one sync agent on; else the classic form."""
        return self.switch_on and self.any_sync_agent

    def agent_on(self, agent: str) -> bool:
        return self.switch_on and agent in self.agents


def bucket(lead_id) -> float:
    """A lead's stable place in [0, 100): the same lead always lands in the same cohort."""
    digest = hashlib.sha256(str(lead_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000 / 10


def switch_on() -> bool:
    switch = get_waffle_switch_model().objects.filter(name=SWARM_SWITCH).values_list("active", flat=True).first()
    return bool(switch)


def flags_for(lead_id) -> SwarmFlags:
    """Every swarm flag for one lead, in two queries."""
    rows = get_waffle_flag_model().objects.filter(name__in=ALL_FLAGS).values_list("name", "everyone", "percent")
    at = bucket(lead_id)
    on = {name for name, everyone, percent in rows
          if everyone is True or (everyone is None and percent is not None and at < float(percent))}
    return SwarmFlags(
        switch_on=switch_on(),
        agents=frozenset(agent for agent, name in AGENT_FLAGS.items() if name in on),
        gates=frozenset(gate for gate, name in GATE_FLAGS.items() if name in on),
    )
