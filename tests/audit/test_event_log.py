import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from gtmos.audit.models import AppendOnlyError, Event
from gtmos.audit.services import event_record, exception_open, exception_release, notification_create
from tests.factories import OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_orm_refuses_to_update_or_delete_events():
    event = event_record(type="lead.captured", payload={"source": "search"})
    event.payload = {"changed": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(type="other")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize("sql", ["UPDATE audit_event SET type = 'tampered'", "DELETE FROM audit_event"])
def test_postgres_trigger_rejects_update_and_delete(sql):
    event = event_record(type="lead.captured")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Event.objects.get(pk=event.pk).type == "lead.captured"


def test_idempotency_key_replay_returns_first_row():
    first = event_record(type="route.decided", payload={"track": "self_serve"}, idempotency_key="lead-1:S4")
    again = event_record(type="route.decided", payload={"track": "self_serve"}, idempotency_key="lead-1:S4")
    assert first.pk == again.pk
    assert Event.objects.filter(idempotency_key="lead-1:S4").count() == 1


def test_exception_opens_once_and_releases_once():
    opportunity = OpportunityFactory()
    entry, created = exception_open(exception_type="map_signoff_hold", opportunity=opportunity)
    again, created_again = exception_open(exception_type="map_signoff_hold", opportunity=opportunity)
    assert created and not created_again and entry.pk == again.pk
    assert exception_release(entry=entry) is True
    assert exception_release(entry=entry) is False
    entry.refresh_from_db()
    assert entry.status == "released" and entry.released_at is not None
    # After release a new hold can be opened for the same deal.
    _, reopened = exception_open(exception_type="map_signoff_hold", opportunity=opportunity)
    assert reopened


def test_notification_dedupes_and_emails_on_commit(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory(username="slm-user")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = notification_create(
            recipient=user, rule="map_signoff_hold", title="Hold", link="/x", dedupe_key="hold:1"
        )
        second = notification_create(recipient=user, rule="map_signoff_hold", title="Hold", dedupe_key="hold:1")
    assert first.pk == second.pk and len(callbacks) == 1
    from gtmos.audit.services import notification_email

    assert notification_email(notification=first) is True
    assert notification_email(notification=first) is False  # running twice sends one email
    assert len(mailoutbox) == 1 and "map_signoff_hold" in mailoutbox[0].body


def test_inbox_mark_read_is_owner_only(client):
    owner, other = UserFactory(username="owner"), UserFactory(username="other")
    note = notification_create(recipient=owner, rule="r", title="t")
    client.force_login(other)
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 404
    client.force_login(owner)
    assert client.post(f"/inbox/{note.pk}/read/", HTTP_HX_REQUEST="true").status_code == 204
    note.refresh_from_db()
    assert note.read_at is not None
