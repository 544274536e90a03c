"""Feature flags (django-waffle) for the swarm: every agent and every router gate ships dark.

Flags are evaluated per Lead, not per request: most checks run in workers, where there is no request.
A flag is on for a lead when RevOps set it on for everyone, or — rolling out by cohort — when the lead's
stable bucket (a hash of its id) falls under the flag's percent. Values come from the database, cached in
each process for at most ``SWARM_FLAG_CACHE_SECONDS`` (1 s; a save in the same process clears it), not from
waffle's own cache (5 minutes per process), so the kill switch reaches every worker within a second. The
global switch ``SWARM_ENABLED`` (off by default) is the kill switch: off drops the flow to FALLBACK_FORM,
whatever the flags say.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from waffle import get_waffle_flag_model, get_waffle_switch_model

from gtmos.core.ttl import TtlValue
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


def _read() -> tuple[bool, list]:
    switch = get_waffle_switch_model().objects.filter(name=SWARM_SWITCH).values_list("active", flat=True).first()
    rows = list(get_waffle_flag_model().objects.filter(name__in=ALL_FLAGS).values_list("name", "everyone", "percent"))
    return bool(switch), rows


# One read per process per SWARM_FLAG_CACHE_SECONDS, by one thread (gtmos.core.ttl: the worker's 120 threads
# would otherwise all read it at the start of a burst).
_cached = TtlValue(_read)


def _state() -> tuple[bool, list]:
    return _cached.get(settings.SWARM_FLAG_CACHE_SECONDS)


def clear_cache(**kwargs) -> None:
    _cached.clear()


def switch_on() -> bool:
    return _state()[0]


def flags_for(lead_id) -> SwarmFlags:
    """Every swarm flag for one lead (two queries, then cached for a second in this process)."""
    switch, rows = _state()
    at = bucket(lead_id)
    on = {
        name
        for name, everyone, percent in rows
        if everyone is True or (everyone is None and percent is not None and at < float(percent))
    }
    return SwarmFlags(
        switch_on=switch,
        agents=frozenset(agent for agent, name in AGENT_FLAGS.items() if name in on),
        gates=frozenset(gate for gate, name in GATE_FLAGS.items() if name in on),
    )


for _model in (get_waffle_flag_model(), get_waffle_switch_model()):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"swarm-flags-{_model.__name__}-save")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"swarm-flags-{_model.__name__}-delete")
