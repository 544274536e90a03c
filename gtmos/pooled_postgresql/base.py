"""PostgreSQL (psycopg2) with a small per-process pool of idle connections, for threads-pool workers.

Why: the swarm worker runs many threads that mostly wait on remote sources. With persistent connections every
thread would hold one (120 threads × workers > ``max_connections``), so it runs with ``CONN_MAX_AGE=0`` — and
then every task opened two fresh connections (before and after its wait). A fresh PostgreSQL backend costs
~13 ms of server CPU (fork, authentication, catalog caches warming up), which was half the database's CPU in
the enrichment benchmark. Here ``close()`` hands the connection back to the process's pool instead, and the
next ``connect()`` in any thread takes it: connections are held only while a thread is actually using the
database, and they are reused.

A connection goes back to the pool only clean: not closed, no error seen on it, no transaction open (a
connection closed inside a transaction is rolled back first). At most ``POOL_IDLE`` (``DATABASE_POOL_IDLE``)
idle connections are kept; a busier moment opens more and closes the surplus on return. A connection idle
for longer than ``POOL_CHECK_AFTER`` seconds is checked with ``SELECT 1`` before reuse; a forked child never
reuses its parent's connections. Session state is not reset: nothing in GTM OS sets session-level state
(``SET``, advisory locks, temporary tables) outside a transaction.

``POOL_MAX`` (``DATABASE_POOL_MAX``, 0 = no limit) caps the connections a process has open, in use or idle: a
thread that needs one when the cap is reached waits for another thread's to come back. Why: a burst of 50
prospects is 200 sync agents claiming within a second, and on a busy machine each holds its connection longer,
so two 120-thread workers asked for more than PostgreSQL's ``max_connections`` (100): "too many clients",
agents failing on connect, and every surplus backend forked and torn down again. The database work of a task
is a few statements, so a few dozen connections serve the threads. A thread holds one connection at a time,
so waiting cannot deadlock; still, after ``POOL_MAX_WAIT`` seconds it opens one anyway (a count leaked by a
thread that died holding a connection must not stall the worker).
"""

from __future__ import annotations

import os
import threading
import time

import psycopg2
from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INERROR, TRANSACTION_STATUS_INTRANS

POOL_CHECK_AFTER = 30.0
POOL_MAX_WAIT = 10.0


class Pool:
    def __init__(self, size: int, limit: int = 0):
        self.size, self.limit, self.pid = size, limit, os.getpid()
        self.idle: list[tuple[object, float]] = []
        self.open = 0  # this process's connections, in use or idle
        self.lock = threading.Condition()

    def take(self):
        """An idle connection; or None, and the caller opens a new one (counted from now: ``closed()`` when it
        is closed, or fails to open)."""
        deadline = None
        while True:
            with self.lock:
                if self.pid != os.getpid():  # a forked child: the parent's sockets are not ours to use
                    self.idle, self.pid, self.open = [], os.getpid(), 0
                if not self.idle:
                    if self.limit and self.open >= self.limit:
                        deadline = deadline or time.monotonic() + POOL_MAX_WAIT
                        remaining = deadline - time.monotonic()
                        if remaining > 0:
                            self.lock.wait(remaining)
                            continue
                    self.open += 1
                    return None
                conn, since = self.idle.pop()  # the most recently used: warm, least likely to have gone stale
            if conn.closed:
                self.closed()
                continue
            if time.monotonic() - since > POOL_CHECK_AFTER and not _alive(conn):
                _discard(conn)
                self.closed()
                continue
            return conn

    def closed(self) -> None:
        with self.lock:
            self.open = max(self.open - 1, 0)
            self.lock.notify()

    def give(self, conn) -> bool:
        if conn.closed or self.pid != os.getpid():
            return False
        status = conn.info.transaction_status
        if status in (TRANSACTION_STATUS_INTRANS, TRANSACTION_STATUS_INERROR):
            try:
                conn.rollback()
            except psycopg2.Error:
                return False
            status = conn.info.transaction_status
        if status != TRANSACTION_STATUS_IDLE:
            return False
        with self.lock:
            if len(self.idle) >= self.size:
                return False
            self.idle.append((conn, time.monotonic()))
            self.lock.notify()
            return True


def _alive(conn) -> bool:
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not conn.autocommit:
            conn.rollback()
        return True
    except psycopg2.Error:
        return False


def _discard(conn) -> None:
    try:
        conn.close()
    except psycopg2.Error:
        pass


_pools: dict[tuple, Pool] = {}
_pools_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool(self) -> Pool:
        s = self.settings_dict
        key = (self.alias, s["NAME"], s["USER"], s["HOST"], s["PORT"])
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = Pool(int(s.get("POOL_IDLE") or 8), int(s.get("POOL_MAX") or 0))
            return pool

    def get_new_connection(self, conn_params):
        pool = self._pool()
        conn = pool.take()
        if conn is None:
            try:
                return super().get_new_connection(conn_params)
            except BaseException:
                pool.closed()
                raise
        level = self.settings_dict["OPTIONS"].get("isolation_level")
        self.isolation_level = base.IsolationLevel(level) if level is not None else base.IsolationLevel.READ_COMMITTED
        return conn

    def _close(self):
        conn = self.connection
        if conn is None:
            return None
        pool = self._pool()
        if not self.errors_occurred and pool.give(conn):
            return None
        try:
            with self.wrap_database_errors:
                return conn.close()
        finally:
            pool.closed()
