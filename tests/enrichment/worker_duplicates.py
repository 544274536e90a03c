"""Imported by a test worker (``--include``): double every swarm task it publishes."""

from tests.enrichment.worker_doubles import install

install()
