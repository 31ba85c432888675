"""The bench's job-market legs: one warehouse per size, fed by the JSearch sandbox.

Each size gets a fresh database and a sandbox process publishing `size` postings over SPAN_DAYS;
the clock then advances just far enough for the sandbox to publish a delta's worth of new
postings. A run is what `make run` does for one source: extract-load, then the dbt build its
new rows require (orchestration/build_plan.py), timed per step.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from dlt_pipelines.sandbox.server import start_sandbox_process
from orchestration import warehouse
from orchestration.bench.baseline import run_default
from orchestration.bench.common import BENCH_DB, EPOCH, SPAN_DAYS
from orchestration.config import Settings
from orchestration.elt import transform
from orchestration.extract_load import run_source

SOURCE = "jsearch"  # the bench's board: one query pages through every posting
QUERY = "data engineer"
LOAD_STEPS = ("extract", "normalize", "load")


@dataclass
class Warehouse:
    """One bench warehouse: its size, its database, and the runs measured on it."""

    postings: int
    url: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] | None = None

    def run(self, kind: str) -> dict[str, Any]:
        """The run whose label starts with `kind` ("full", "delta", "small run")."""
        return next(r for r in self.runs if r["run"].startswith(kind))


def sandbox_env(postings: int, base: Settings) -> dict[str, str]:
    now = EPOCH + timedelta(days=SPAN_DAYS)
    return {**os.environ, "SANDBOX_NOW": now.isoformat(), "SANDBOX_POSTINGS_PER_DAY": str(postings / SPAN_DAYS),
            "SANDBOX_HISTORY_DAYS": str(SPAN_DAYS), "SANDBOX_MAX_NUM_PAGES": "100", "SANDBOX_FAULTS": "",
            "JSEARCH_QUERIES": QUERY, "JSEARCH_NUM_PAGES": "100",
            "JSEARCH_MAX_PAGES": str(postings // 10 + 1000), "JSEARCH_RATE_LIMIT_PER_MIN": "0",
            "ELT_BUILD_DIR": str(base.build_dir / "bench" / f"size-{postings}")}


def measure(label: str, settings: Settings, url: str, base_url: str) -> dict[str, Any]:
    load = run_source(settings, url, SOURCE, base_url)
    started = time.perf_counter()
    reason, build = transform(settings, url, [load], quiet=True)
    steps = {**load.seconds_by_step, "dbt build": time.perf_counter() - started}
    return {"run": label, "postings_loaded": load.rows_by_table.get("job_postings", 0),
            "rows_by_table": load.rows_by_table, "seconds": steps, "total_seconds": sum(steps.values()),
            "dbt_plan": reason, "models_built": build.count("model") if build else 0,
            "tests_passed": build.count("test", "pass") if build else 0}


def bench_warehouse(base: Settings, postings: int, delta: int, small: int, main: bool) -> Warehouse:
    """Full run and delta on a warehouse of `postings`; on the `main` one also the dlt-default
    baseline (before the full run, in its own database), the no-op rerun and the small run."""
    env = sandbox_env(postings, base)
    start = EPOCH + timedelta(days=SPAN_DAYS)
    per_day = postings / SPAN_DAYS
    bench = Warehouse(postings, warehouse.recreate_database(base, f"{BENCH_DB}_{postings}"))
    plan: list[tuple[str, datetime]] = [("full", start)]
    if main:
        plan.append(("no-op rerun", start))
    delta_at = start + timedelta(days=delta / per_day)
    plan.append((f"delta {delta:,}", delta_at))
    if main:
        plan.append((f"small run {small}", delta_at + timedelta(days=small / per_day)))
    with start_sandbox_process(env=env, sources=[SOURCE]) as sandbox:
        base_url = sandbox.base_url(SOURCE)
        if main:
            default_url = warehouse.recreate_database(base, f"{BENCH_DB}_dlt_default")
            bench.baseline = run_default(default_url, base_url, base.build_dir / "bench", QUERY, 100,
                                         postings // 10 + 1000)
            print(_line({"run": "dlt default", "total_seconds": sum(bench.baseline["seconds"].values()),
                         **bench.baseline}), flush=True)
        for label, at in plan:
            requests.post(f"{sandbox.url}/_sandbox/clock", json={"now": at.isoformat()}, timeout=10).raise_for_status()
            settings = Settings.from_env({**env, "ELT_AS_OF": at.isoformat()})
            bench.runs.append(measure(label, settings, bench.url, base_url))
            print(f"{postings:>9,} | " + _line(bench.runs[-1]), flush=True)
    return bench


def _line(result: dict[str, Any]) -> str:
    rows = result["postings_loaded"]
    parts = [f"{step} {secs:.2f}s" + (f" ({rows / secs:,.0f} rows/s)" if rows and step in LOAD_STEPS else "")
             for step, secs in result["seconds"].items()]
    total = f" | total {result['total_seconds']:.1f}s"
    return f"{result['run']:>14}: {rows:>8,} postings | " + " | ".join(parts) + total
