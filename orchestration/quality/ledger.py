"""The run ledger's raw tables in the warehouse, beside `ops.run_log` (orchestration/ops/run_log.py):

- `ops.dbt_invocations` and `ops.dbt_node_results`: dbt's run_results.json after every dbt command
  run through the project (make run, transform, docs, ci-slim), keyed by dbt's invocation id and
  the id of the run it belonged to (null outside a `make run`);
- `ops.run_loads`: what each run's extract-load wrote, per source and table, with the dlt load ids
  (dlt merges on the key, so counting `_dlt_load_id` later would miss rows a newer load replaced).

dbt reads them as the `ops` source; the marts `mart_pipeline_runs` and `mart_data_quality_scores`
are views over them, so they are current whenever they are read.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
from psycopg2.extras import Json, execute_values

from dlt_pipelines.common.secrets import scrub
from orchestration.ops import run_log

# the run (`make run`) that dbt commands and loads belong to; set by orchestration.ops.runner
CURRENT_RUN: ContextVar[str | None] = ContextVar("elt_run_id", default=None)

DDL = run_log.DDL + """
create table if not exists ops.dbt_invocations (
    invocation_id text primary key,
    run_id text,
    command text not null,
    args jsonb not null default '{}',
    started_at timestamptz,
    finished_at timestamptz,
    elapsed_seconds double precision,
    dbt_version text,
    recorded_at timestamptz not null default now()
);
create table if not exists ops.dbt_node_results (
    invocation_id text not null references ops.dbt_invocations (invocation_id) on delete cascade,
    unique_id text not null,
    resource_type text not null,
    status text not null,
    failures bigint,
    execution_seconds double precision,
    rows_affected bigint,
    message text,
    primary key (invocation_id, unique_id)
);
create table if not exists ops.run_loads (
    run_id text not null,
    source_name text not null,
    dataset_name text not null,
    table_name text not null,
    rows_loaded bigint not null,
    load_ids text[] not null,
    primary key (run_id, source_name, table_name)
);
comment on table ops.dbt_invocations is 'One row per dbt command, from its run_results.json.';
comment on table ops.dbt_node_results is 'One row per node dbt ran in an invocation (model, seed, test, unit test).';
comment on table ops.run_loads is 'Rows each run loaded, per source and table, with the dlt load ids.';
"""


@contextlib.contextmanager
def _cursor(url: str) -> Iterator:
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn, conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def ensure_tables(url: str) -> None:
    """Create the ledger tables if missing (and migrate an older ops.run_log): dbt's ops source must
    exist, in its current shape, before the first build."""
    with _cursor(url) as cur:
        cur.execute(f"select to_regclass('ops.run_loads') is not null and {run_log.IS_CURRENT}")
        if not cur.fetchone()[0]:
            cur.execute("select pg_advisory_xact_lock(hashtext('ops ledger ddl'))")  # two runs creating at once
            cur.execute(DDL)


@contextlib.contextmanager
def run_context(run_id: str) -> Iterator[None]:
    token = CURRENT_RUN.set(run_id)
    try:
        yield
    finally:
        CURRENT_RUN.reset(token)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _node_row(invocation_id: str, result: dict) -> tuple:
    unique_id = str(result.get("unique_id", ""))
    response = result.get("adapter_response") or {}
    failures = result.get("failures")
    return (invocation_id, unique_id, unique_id.split(".", 1)[0], str(result.get("status")),
            int(failures) if isinstance(failures, (int, float)) else None,
            float(result.get("execution_time") or 0.0),
            response.get("rows_affected") if isinstance(response.get("rows_affected"), int) else None,
            (result.get("message") or None) and scrub(str(result["message"]))[:2000])


def record_invocation(url: str, run_results: Path, run_id: str | None = None) -> str | None:
    """Load one run_results.json into the ledger (idempotent per invocation); its invocation id."""
    if not run_results.is_file():
        return None
    data = json.loads(run_results.read_text())
    meta = data.get("metadata") or {}
    invocation_id = meta.get("invocation_id")
    if not invocation_id:
        return None
    args = data.get("args") or {}
    elapsed = float(data.get("elapsed_time") or 0.0)
    finished = _time(meta.get("generated_at"))
    started = finished - timedelta(seconds=elapsed) if finished else None
    ensure_tables(url)
    with _cursor(url) as cur:
        cur.execute("delete from ops.dbt_invocations where invocation_id = %s", (invocation_id,))
        cur.execute("insert into ops.dbt_invocations (invocation_id, run_id, command, args, started_at, finished_at, "
                    "elapsed_seconds, dbt_version) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (invocation_id, run_id, str(args.get("which") or "unknown"), Json(args), started, finished,
                     elapsed, meta.get("dbt_version")))
        rows = [_node_row(invocation_id, result) for result in data.get("results") or []]
        if rows:
            execute_values(cur, "insert into ops.dbt_node_results (invocation_id, unique_id, resource_type, status, "
                                "failures, execution_seconds, rows_affected, message) values %s "
                                "on conflict (invocation_id, unique_id) do nothing", rows)
    return invocation_id


def record_loads(url: str, run_id: str, source: str, dataset: str, rows_by_table: dict[str, int],
                 load_ids: list[str]) -> None:
    """What one source's extract-load wrote in run `run_id` (added to what an earlier attempt wrote)."""
    ensure_tables(url)
    with _cursor(url) as cur:
        for table, rows in sorted(rows_by_table.items()):
            cur.execute("insert into ops.run_loads (run_id, source_name, dataset_name, table_name, rows_loaded, "
                        "load_ids) values (%s, %s, %s, %s, %s, %s) on conflict (run_id, source_name, table_name) "
                        "do update set rows_loaded = ops.run_loads.rows_loaded + excluded.rows_loaded, "
                        "load_ids = ops.run_loads.load_ids || excluded.load_ids",
                        (run_id, source, dataset, table, rows, sorted(set(load_ids))))
