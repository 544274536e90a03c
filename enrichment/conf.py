"""The enrichment settings added with the crawler and the real-source providers, read in one place.

Each is a Django setting when the settings module defines it (tests override them with pytest-django's
``settings``), otherwise its environment variable, otherwise the default below — so an operator switches a
provider or tunes the crawler with an environment variable and no code change. The README lists them.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gtmos import env

DEFAULTS = {
    # The crawler (enrichment/crawl.py)
    "SWARM_CRAWL_MAX_PAGES": 6,  # the homepage and up to 5 same-site pages (about, contact, services, …)
    "SWARM_CRAWL_CONCURRENCY": 4,  # pages fetched at once for one site, and at most this many per host at once
    "SWARM_CRAWL_CONTACT_URL": "https://gtmos.local/bot",  # in the User-Agent, for a site owner to reach us
    "SWARM_FETCH_DNS_TIMEOUT_MS": 500,
    # Real-source providers (enrichment/providers/remote/*), chosen per agent with SWARM_PROVIDERS
    "SWARM_REMOTE_TIMEOUT_MS": 1500,  # one HTTP call to a remote source (each agent's budget still rules)
    "SWARM_REMOTE_RETRIES": 2,  # in-call retries on 429/5xx before the agent's own retry ladder takes over
    "SWARM_REMOTE_BACKOFF_MS": 100,  # first in-call retry wait; doubles; a Retry-After within budget wins
    "SWARM_REMOTE_DAILY_QUOTA": 1000,  # calls per source per day; past it the agent uses its offline source
    "SWARM_LLM_URL": "",  # e.g. https://api.openai.com/v1/chat/completions
    "SWARM_LLM_MODEL": "gpt-4o-mini",
    "SWARM_LLM_API_KEY": "",
    "SWARM_FIRMO_URL": "",  # GET {url}?domain=… → {"name", "employees": {"min", "max"}, "revenue": {"min", "max"}}
    "SWARM_FIRMO_API_KEY": "",
    "SWARM_SODA_URL": "",  # e.g. https://data.cityofchicago.org/resource/ydr8-5enu.json
    "SWARM_SODA_APP_TOKEN": "",
    "SWARM_SODA_CONTRACTOR_FIELD": "contact_1_name",
    "SWARM_IMAP_HOST": "",
    "SWARM_IMAP_PORT": 993,
    "SWARM_IMAP_SSL": True,
    "SWARM_IMAP_USER": "",
    "SWARM_IMAP_PASSWORD": "",
    "SWARM_IMAP_ADDRESS": "bids+{lead}@intake.gtmos.local",  # where an opted-in prospect's bid invites arrive
}


def get(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    default = DEFAULTS[name]
    if isinstance(default, bool):
        return env.boolean(name, default=default)
    if isinstance(default, int):
        return env.integer(name, default)
    return env.string(name, default)


def test_hosts() -> dict[str, str]:
    """Host name → loopback ``ip:port`` for the crawler under test or in the benchmark (``SWARM_FETCH_TEST_HOSTS``,
    "example.com=127.0.0.1:8123,…"). Refused under the production settings: a real deployment never reaches
    loopback, whatever its environment says."""
    hosts = getattr(settings, "SWARM_FETCH_TEST_HOSTS", None)
    if hosts is None:
        hosts = env.str_map("SWARM_FETCH_TEST_HOSTS", "") if os.environ.get("SWARM_FETCH_TEST_HOSTS") else {}
    if hosts and (getattr(settings, "SETTINGS_MODULE", "") or "").endswith(".production"):
        raise ImproperlyConfigured("SWARM_FETCH_TEST_HOSTS is for tests and the benchmark, never production")
    return dict(hosts)
