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
"""

from __future__ import annotations

import os
import threading
import time

import psycopg2
from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INERROR, TRANSACTION_STATUS_INTRANS

POOL_CHECK_AFTER = 30.0


class Pool:
    def __init__(self, size: int):
        self.size, self.pid = size, os.getpid()
        self.idle: list[tuple[object, float]] = []
        self.lock = threading.Lock()

    def take(self):
        while True:
            with self.lock:
                if self.pid != os.getpid():  # a forked child: the parent's sockets are not ours to use
                    self.idle, self.pid = [], os.getpid()
                if not self.idle:
                    return None
                conn, since = self.idle.pop()  # the most recently used: warm, least likely to have gone stale
            if conn.closed:
                continue
            if time.monotonic() - since > POOL_CHECK_AFTER and not _alive(conn):
                _discard(conn)
                continue
            return conn

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
                pool = _pools[key] = Pool(int(s.get("POOL_IDLE") or 8))
            return pool

    def get_new_connection(self, conn_params):
        conn = self._pool().take()
        if conn is None:
            return super().get_new_connection(conn_params)
        level = self.settings_dict["OPTIONS"].get("isolation_level")
        self.isolation_level = base.IsolationLevel(level) if level is not None else base.IsolationLevel.READ_COMMITTED
        return conn

    def _close(self):
        conn = self.connection
        if conn is None:
            return None
        if not self.errors_occurred and self._pool().give(conn):
            return None
        with self.wrap_database_errors:
            return conn.close()
