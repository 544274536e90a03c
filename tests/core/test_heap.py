"""A web worker freezes its loaded heap (issue 21: the collector's full passes over the startup objects)."""

import gc

from gtmos import gunicorn


def test_a_worker_freezes_its_heap_after_loading_the_urlconf(monkeypatch):
    calls = []

    class Resolver:
        @property
        def url_patterns(self):
            calls.append("urlconf")
            return []

    monkeypatch.setattr("django.urls.get_resolver", lambda: Resolver())
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    gunicorn.post_worker_init(worker=None)
    assert calls == ["urlconf", "collect", "freeze"]
