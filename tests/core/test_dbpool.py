"""The threads-pool workers' connection pool (gtmos/pooled_postgresql): closed connections are reused, but only
clean; with a cap, a process never has more open than ``POOL_MAX``."""

import threading

import pytest
from django.db import connection
from psycopg2.extensions import TRANSACTION_STATUS_IDLE
from waffle.models import Switch

from gtmos import env
from gtmos.pooled_postgresql import base as dbpool


@pytest.fixture
def wrapper(request):
    """Database wrappers on the test database through the pooled engine (a fresh pool per test)."""
    made = []

    def make(size=2, limit=0):
        w = dbpool.DatabaseWrapper(
            {**connection.settings_dict, "POOL_IDLE": size, "POOL_MAX": limit}, alias=f"pool-{request.node.name}"
        )
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
    for key in [k for k in dbpool._pools if k[0] == f"pool-{request.node.name}"]:
        for conn, _ in dbpool._pools.pop(key).idle:
            conn.close()


def _backend_pid(w) -> int:
    with w.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_env_turns_the_pool_on(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db:5432/gtm")
    monkeypatch.setenv("DATABASE_POOL_IDLE", "6")
    config = env.database()
    assert (config["ENGINE"], config["POOL_IDLE"]) == ("gtmos.pooled_postgresql", 6)
    assert config["ENGINE"].endswith("postgresql")  # what the test settings look for to use PostgreSQL
    assert config["POOL_MAX"] == 0  # no cap unless asked
    monkeypatch.setenv("DATABASE_POOL_MAX", "20")
    assert env.database()["POOL_MAX"] == 20
    monkeypatch.setenv("DATABASE_POOL_IDLE", "0")
    assert env.database()["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_reused_by_the_next_thread_connection(wrapper):
    first, second = wrapper(), wrapper()
    pid = _backend_pid(first)
    first.close()
    assert _backend_pid(second) == pid  # the same server process: no new backend
    assert _backend_pid(first) != pid  # the pool was empty again: a new one


@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_inside_a_transaction_is_rolled_back_before_reuse(wrapper):
    w = wrapper()
    w.set_autocommit(False)
    with w.cursor() as cursor:
        cursor.execute(
            "INSERT INTO waffle_switch (name, active, note, created, modified) "
            "VALUES ('pool-test', true, '', now(), now())"
        )
    raw = w.connection
    w.close()
    assert not Switch.objects.filter(name="pool-test").exists()
    taken = dbpool._pools[next(k for k in dbpool._pools if k[0] == w.alias)].take()
    assert taken is raw and taken.info.transaction_status == TRANSACTION_STATUS_IDLE


@pytest.mark.django_db(transaction=True)
def test_surplus_and_failed_connections_are_closed_not_pooled(wrapper):
    a, b = wrapper(size=1), wrapper(size=1)
    _backend_pid(a), _backend_pid(b)
    raw_a, raw_b = a.connection, b.connection
    a.close()
    b.close()
    assert raw_a.closed == 0 and raw_b.closed != 0  # one idle connection kept, the surplus closed

    c = wrapper(size=1)
    with pytest.raises(Exception):
        with c.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    raw_c = c.connection
    assert raw_c is raw_a
    c.close()
    assert raw_c.closed != 0  # an error was seen on it: not trusted again


@pytest.mark.django_db(transaction=True)
def test_a_forked_child_never_takes_its_parents_connections(wrapper, monkeypatch):
    w = wrapper()
    pid = _backend_pid(w)
    w.close()
    monkeypatch.setattr(dbpool.os, "getpid", lambda: -1)
    assert _backend_pid(w) != pid


@pytest.mark.django_db(transaction=True)
def test_at_the_cap_a_thread_waits_for_a_connection_to_come_back(wrapper):
    holder, waiter = wrapper(size=1, limit=1), wrapper(size=1, limit=1)
    waiter.inc_thread_sharing()  # used by the thread below, closed here
    pid = _backend_pid(holder)
    got = []
    thread = threading.Thread(target=lambda: got.append(_backend_pid(waiter)))
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive() and got == []  # no second connection while the first is open
    holder.close()
    thread.join(timeout=10)
    assert got == [pid]  # it took the one that came back: still one server process
    waiter.close()
    waiter.dec_thread_sharing()


@pytest.mark.django_db(transaction=True)
def test_closed_and_failed_connections_free_their_place(wrapper, monkeypatch):
    a, b, c = wrapper(size=1, limit=2), wrapper(size=1, limit=2), wrapper(size=1, limit=2)
    _backend_pid(a), _backend_pid(b)
    pool = dbpool._pools[next(k for k in dbpool._pools if k[0] == a.alias)]
    assert pool.open == 2
    a.close()  # kept idle: still open
    b.close()  # the idle place is taken: really closed
    assert pool.open == 1
    _backend_pid(a)  # takes the idle one
    monkeypatch.setitem(c.settings_dict, "PORT", "1")  # nothing listens there
    with pytest.raises(Exception):
        _backend_pid(c)
    assert pool.open == 1


def test_a_leaked_place_does_not_stall_the_process_forever(monkeypatch):
    monkeypatch.setattr(dbpool, "POOL_MAX_WAIT", 0.05)
    pool = dbpool.Pool(size=1, limit=1)
    assert pool.take() is None and pool.open == 1  # a thread opened one and died with it
    assert pool.take() is None and pool.open == 2  # after the wait, one more rather than none
