"""Elementary's `dbt_run_results` rows, written from dbt's run_results.json in one statement.

Elementary's on-run-end hook renders every result into an INSERT row by row in Jinja: about 20 s
for the ~300 nodes of a small build on this machine, more than the rest of the run. dbt_project.yml
turns that upload off (`disable_run_results`), and `run_dbt` calls `upload` after the command
instead: the same rows, as Elementary's `flatten_run_result` makes them (tests/quality compare
the two), so its report and alerts read what they always did.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2.extras import execute_values

TABLE = "elementary.dbt_run_results"
COLUMNS = ("model_execution_id", "unique_id", "invocation_id", "generated_at", "name", "message",
           "status", "resource_type", "execution_time", "execute_started_at", "execute_completed_at",
           "compile_started_at", "compile_completed_at", "rows_affected", "full_refresh", "compiled_code",
           "failures", "query_id", "thread_id", "materialization", "adapter_response", "group_name")
SKIPPED_TYPES = ("operation",)  # hooks: Elementary's hook runs before they are results


def _rows_affected(value: Any) -> int | None:
    if isinstance(value, str):  # Elementary's normalize_rows_affected
        return None if value == "-1" else int(value)
    return value


def _timing(result: dict[str, Any], step: str) -> tuple[str | None, str | None]:
    for timing in result.get("timing") or []:
        if timing.get("name") == step:
            return timing.get("started_at"), timing.get("completed_at")
    return None, None


def flatten(run_results: dict[str, Any], manifest: dict[str, Any], generated_at: str) -> list[tuple]:
    """One row per result, in COLUMNS order (created_at, the insert's time, is left to the database)."""
    invocation_id = run_results["metadata"]["invocation_id"]
    full_refresh = bool((run_results.get("args") or {}).get("full_refresh"))
    nodes = manifest.get("nodes", {})
    rows = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        if unique_id.split(".", 1)[0] in SKIPPED_TYPES:
            continue
        node = nodes.get(unique_id, {})
        config = node.get("config") or {}
        response = result.get("adapter_response") or {}
        execute, compile_ = _timing(result, "execute"), _timing(result, "compile")
        rows.append((f"{invocation_id}.{unique_id}", unique_id, invocation_id, generated_at,
                     node.get("name"), result.get("message"), result.get("status"), node.get("resource_type"),
                     result.get("execution_time"), *execute, *compile_, _rows_affected(response.get("rows_affected")),
                     full_refresh, result.get("compiled_code") or node.get("compiled_code"), result.get("failures"),
                     response.get("query_id"), result.get("thread_id"), config.get("materialized"),
                     json.dumps(response), config.get("group")))
    return rows


def upload(warehouse_url: str, target_dir: Path) -> int:
    """Append the results of the dbt command whose artifacts are in `target_dir`; the rows written
    (0 when Elementary's table is not there yet: its first build creates it)."""
    results_path, manifest_path = target_dir / "run_results.json", target_dir / "manifest.json"
    if not results_path.exists() or not manifest_path.exists():
        return 0
    generated_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")  # Elementary's time format
    rows = flatten(json.loads(results_path.read_text()), json.loads(manifest_path.read_text()), generated_at)
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (TABLE,))
        if not rows or not cur.fetchone()[0]:
            conn.close()
            return 0
        template = "(" + ", ".join(["%s"] * len(COLUMNS)) + ", now())"
        execute_values(cur, f"insert into {TABLE} ({', '.join(COLUMNS)}, created_at) values %s", rows,
                       template=template, page_size=500)
    conn.close()
    return len(rows)
