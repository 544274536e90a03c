"""At-least-once delivery made visible: every swarm task published is published a second time.

The test process installs it around a test; a test worker imports ``tests.enrichment.worker_duplicates``
(``celery worker --include``), so the messages workers publish (async agents, sweeper retries) are doubled too.
"""

from celery.signals import after_task_publish

DUPLICATED = {"enrichment.tasks.agent_run", "enrichment.tasks.run_deadline"}
HEADER = "x_duplicate"


def publish_again(sender=None, headers=None, body=None, **kwargs):
    if sender not in DUPLICATED or (headers or {}).get(HEADER):
        return
    from gtmos.celery import app

    args, task_kwargs, _embed = body
    app.send_task(sender, args=args, kwargs=task_kwargs, headers={HEADER: "1"}, eta=(headers or {}).get("eta"))


def install():
    after_task_publish.connect(publish_again, weak=False, dispatch_uid="test-duplicate-delivery")


def uninstall():
    after_task_publish.disconnect(dispatch_uid="test-duplicate-delivery")
