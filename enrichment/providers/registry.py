"""Which provider serves each agent (``SWARM_PROVIDERS``), and the fixed-latency wrapper the benchmark and
the chaos tests use (``SWARM_PROVIDER_LATENCY_MS``)."""

from __future__ import annotations

import time
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from .base import AgentInput, AgentOutput, BudgetExceeded, remaining


class FixedLatency:
    """Adds a fixed latency in front of a provider, as a remote source would. The budget still rules: if the
    latency does not fit in what is left of it, the call waits out the budget and times out."""

    def __init__(self, inner, seconds: float):
        self.inner, self.seconds, self.agent = inner, seconds, inner.agent

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        if not connection.in_atomic_block:
            connection.close()  # an agent waiting on a remote source must not hold a database connection
        left = remaining(deadline)
        if self.seconds > left:
            time.sleep(max(left, 0))
            raise BudgetExceeded(f"{self.agent}: {self.seconds:.2f}s latency over the budget")
        time.sleep(self.seconds)
        return self.inner.run(inp, deadline=deadline)


@cache
def _provider_class(path: str):
    return import_string(path)


def provider_for(agent: str):
    provider = _provider_class(settings.SWARM_PROVIDERS[agent])()
    latency_ms = settings.SWARM_PROVIDER_LATENCY_MS.get(agent)
    if latency_ms:
        provider = FixedLatency(provider, latency_ms / 1000)
    return provider
