"""The run lock: a session-level Postgres advisory lock on the warehouse database, held for the
whole `run`, so two runs never overlap (a scheduled one and a manual one, two machines, two shells).

A second run waits up to ELT_RUN_LOCK_WAIT_SECONDS, then stops with a message naming the holder
(the holder's connection carries its run id, process id and host as `application_name`). The lock
belongs to the holder's database session, so a run that is killed cannot leave a stale lock: the
server ends the session when the connection drops (TCP keepalives catch a vanished machine) and
the lock goes with it. Advisory locks need a direct session: a transaction-pooling proxy such as
PgBouncer in transaction mode cannot hold one.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import psycopg2

from orchestration.ops import OpsError, utc

LOCK_NAMESPACE = 0x454C54  # "ELT": first key of the two-key advisory lock
RUN_LOCK = 1  # second key: the run lock
HOLDER_SQL = """
    select activity.pid, activity.application_name, activity.client_addr::text, activity.backend_start
    from pg_locks as locks
    left join pg_stat_activity as activity on activity.pid = locks.pid
    where locks.locktype = 'advisory' and locks.granted
      and locks.database = (select oid from pg_database where datname = current_database())
      and locks.classid = %s and locks.objid = %s and locks.objsubid = 2
"""


_LABEL_RUN_ID = re.compile(r"^elt run (\S+) pid ")


class LockBusy(OpsError):
    """Another run holds the run lock."""


def holder_label(run_id: str) -> str:
    """What a holder shows to waiters: run id, process and host (Postgres keeps 63 bytes)."""
    return f"elt run {run_id} pid {os.getpid()}@{socket.gethostname()}"[:63]


def run_id_of(application_name: str | None) -> str | None:
    """The run id in a holder's label (`holder_label`), or None for another session."""
    found = _LABEL_RUN_ID.match(application_name or "")
    return found.group(1) if found else None


def describe_holder(cursor, key: int = RUN_LOCK) -> str | None:
    """Who holds the lock, in words, or None when nobody does."""
    cursor.execute(HOLDER_SQL, (LOCK_NAMESPACE, key))
    row = cursor.fetchone()
    if row is None:
        return None
    pid, application, client, since = row
    who = application or "a session without an application name"
    where = f" from {client}" if client else ""
    started = f", connected since {utc(since)}" if since else ""
    return f"{who} (server process {pid}{where}{started})"


class RunLock:
    """`with RunLock(url, wait_seconds, run_id):` holds the run lock for the block."""

    def __init__(self, url: str, wait_seconds: float, run_id: str, key: int = RUN_LOCK,
                 log: Callable[[str], None] | None = None, poll_seconds: float = 0.5) -> None:
        self.url = url
        self.wait_seconds = wait_seconds
        self.run_id = run_id
        self.key = key
        self.poll_seconds = poll_seconds
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._conn = None

    @property
    def database(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def acquire(self) -> None:
        conn = psycopg2.connect(self.url, application_name=holder_label(self.run_id), connect_timeout=10,
                                keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                # the server drops a vanished client's session (and so the lock) within about a minute
                cur.execute("set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; "
                            "set tcp_keepalives_count = 3")
                cur.execute("select set_config('idle_session_timeout', '0', false) "
                            "where current_setting('server_version_num')::int >= 140000")
                deadline = time.monotonic() + self.wait_seconds
                announced = False
                while True:
                    cur.execute("select pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, self.key))
                    if cur.fetchone()[0]:
                        self._conn = conn
                        return
                    holder = describe_holder(cur, self.key) or "a run that has just finished"
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise LockBusy(
                            f"another run holds the run lock on database {self.database!r}: {holder}. "
                            f"Waited {self.wait_seconds:g}s (ELT_RUN_LOCK_WAIT_SECONDS); try again when it "
                            "has finished.")
                    if not announced:
                        self.log(f"waiting up to {self.wait_seconds:g}s for the run lock held by {holder}")
                        announced = True
                    time.sleep(min(self.poll_seconds, remaining))
        except BaseException:
            conn.close()
            raise

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            with conn.cursor() as cur:
                cur.execute("select pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, self.key))
        except psycopg2.Error:
            pass  # the session is gone, and the lock with it
        finally:
            conn.close()

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> bool:
        self.release()
        return False


def lock_holder(url: str, key: int = RUN_LOCK) -> str | None:
    """Who holds the run lock on this database now, or None."""
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            return describe_holder(cur, key)
    finally:
        conn.close()


def live_run_ids(url: str, key: int = RUN_LOCK) -> set[str]:
    """The run ids of the sessions holding the run lock now (at most one): runs that are alive."""
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(HOLDER_SQL, (LOCK_NAMESPACE, key))
            return {run_id for row in cur.fetchall() if (run_id := run_id_of(row[1]))}
    finally:
        conn.close()
