"""The run ledger `ops.run_log` in the warehouse: one row per `run` (run id, started and finished,
status, the stage that failed and the message), read by `make health`.

A run that is killed (SIGKILL, a lost machine) cannot record its end, so its row stays `running`.
The next run, once it holds the run lock, marks every such row whose run does not hold the lock
`killed`, with the time it found it (`found_killed_at`). Warehouses created before `killed`
existed are migrated by the same DDL (the column added, the status check replaced), idempotently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import psycopg2

from orchestration.ops import utc

STATUS_CHECK = "check (status in ('running', 'succeeded', 'failed', 'killed'))"
# an expression, true when ops.run_log exists in its current shape (else DDL creates or migrates it)
IS_CURRENT = ("exists (select from pg_attribute where attrelid = to_regclass('ops.run_log') "
              "and attname = 'found_killed_at' and not attisdropped)")
DDL = f"""
create schema if not exists ops;
create table if not exists ops.run_log (
    run_id text primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null constraint run_log_status_check {STATUS_CHECK},
    stage_failed text,
    message text,
    found_killed_at timestamptz
);
comment on table ops.run_log is 'One row per ELT run, written by python -m orchestration run (make run).';
do $$
begin  -- a run_log created before runs could be marked killed
    if not {IS_CURRENT} then
        alter table ops.run_log add column found_killed_at timestamptz;
    end if;
    if not exists (select from pg_constraint where conrelid = 'ops.run_log'::regclass
                   and conname = 'run_log_status_check' and position('killed' in pg_get_constraintdef(oid)) > 0) then
        alter table ops.run_log drop constraint if exists run_log_status_check;
        alter table ops.run_log add constraint run_log_status_check {STATUS_CHECK};
    end if;
end $$;
"""
COLUMNS = "run_id, started_at, finished_at, status, stage_failed, message, found_killed_at"


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    stage_failed: str | None
    message: str | None
    found_killed_at: datetime | None = None


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


def mark_killed(url: str, current_run_id: str, live_run_ids: set[str]) -> list[RunRecord]:
    """Mark `killed` every `running` row other than the current run's whose run is not live (does
    not hold the run lock); the rows as marked. Called by the run lock's holder, so no other run
    starts or marks meanwhile."""
    found_at = datetime.now(timezone.utc)
    stale = _execute(url, DDL + "select run_id, started_at from ops.run_log where status = 'running' "
                          "and run_id <> all(%s) order by started_at", ([current_run_id, *sorted(live_run_ids)],))
    marked = []
    for run_id, started_at in stale:
        message = (f"killed: started {utc(started_at)} and never finished; found {utc(found_at)} by "
                   f"{current_run_id}, its run lock free")
        rows = _execute(url, f"update ops.run_log set status = 'killed', found_killed_at = %s, message = %s "
                             f"where run_id = %s and status = 'running' returning {COLUMNS}",
                        (found_at, message, run_id))
        marked += [RunRecord(*row) for row in rows]
    return marked


def latest(url: str) -> RunRecord | None:
    """The most recent run, or None when no run was ever recorded."""
    exists, current = _execute(url, f"select to_regclass('ops.run_log') is not null, {IS_CURRENT}")[0]
    if not exists:
        return None
    # read-only: a run_log not yet migrated (no run since the upgrade) has no kills recorded
    columns = COLUMNS if current else COLUMNS.replace("found_killed_at", "null::timestamptz")
    rows = _execute(url, f"select {columns} from ops.run_log order by started_at desc limit 1")
    return RunRecord(*rows[0]) if rows else None
