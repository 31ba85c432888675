"""The run ledger `ops.run_log` in the warehouse: one row per `run` (run id, started and finished,
status, the stage that failed and the message), read by `make health`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import psycopg2

DDL = """
create schema if not exists ops;
create table if not exists ops.run_log (
    run_id text primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null check (status in ('running', 'succeeded', 'failed')),
    stage_failed text,
    message text
);
comment on table ops.run_log is 'One row per ELT run, written by python -m orchestration run (make run).';
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    stage_failed: str | None
    message: str | None


def _execute(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def record_start(url: str, run_id: str, started_at: datetime | None = None) -> None:
    _execute(url, DDL + "insert into ops.run_log (run_id, started_at, status) values (%s, %s, 'running')",
             (run_id, started_at or datetime.now(timezone.utc)))


def record_finish(url: str, run_id: str, status: str, message: str, stage_failed: str | None = None) -> None:
    _execute(url, "update ops.run_log set finished_at = %s, status = %s, stage_failed = %s, message = %s "
                  "where run_id = %s", (datetime.now(timezone.utc), status, stage_failed, message, run_id))


def latest(url: str) -> RunRecord | None:
    """The most recent run, or None when no run was ever recorded."""
    if not _execute(url, "select to_regclass('ops.run_log') is not null")[0][0]:
        return None
    rows = _execute(url, "select run_id, started_at, finished_at, status, stage_failed, message "
                         "from ops.run_log order by started_at desc limit 1")
    return RunRecord(*rows[0]) if rows else None
