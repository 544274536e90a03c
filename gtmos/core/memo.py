"""A memo that lives for one GET request: a settings row read once however many panels of a page need it.

The homes read the same singleton settings several times per page (health's portfolio once for CSMs and once
for AMs, the onboarding settings from the cockpit projection, the pipeline panel and the sign-off queue; issue
20: page speed). ``per_request(key, load)`` runs ``load()`` once per request and hands every later caller the
same object. Outside a request (Celery tasks, management commands, tests calling a selector directly) there
is no memo and every call loads afresh, as before.

Only safe methods (GET, HEAD) get a memo: a POST that edits a settings row through a form mutates the loaded
instance while validating, and must not hand the half-edited object to another reader in the same request.
``forget(key)`` drops an entry; the settings models call it when they are saved.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict | None] = ContextVar("gtmos_request_memo", default=None)
SAFE_METHODS = ("GET", "HEAD")


def per_request(key: Any, load: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def forget(key: Any) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


class RequestMemoMiddleware:
    """Opens a fresh memo for each GET/HEAD request and closes it when the view has returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


class RequestMemoSingleton:
    """For a singleton settings model (pk=1): ``load()`` reads the row once per GET request (``_load`` reads it),
    and saving the row drops the memo so a later read in the same request sees what was saved."""

    @classmethod
    def load(cls):
        return per_request(("settings", cls), cls._load)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget(("settings", type(self)))
