"""The stages of a run (warehouse, extract-load, transform, docs) and the summary it prints."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dlt_pipelines import registry
from dlt_pipelines.common.http import ApiError
from dlt_pipelines.common.secrets import ScrubbedError, scrub
from orchestration import warehouse
from orchestration.build_plan import plan_build, record_success
from orchestration.config import ConfigError, Settings, dbt_target_dir
from orchestration.dbt_runner import DbtReport, run_dbt, upload_elementary_artifacts
from orchestration.extract_load import LoadReport, replay_source, run_source, source_endpoint
from orchestration.ops.stages import run_stage
from orchestration.quality import ledger


class StageError(ScrubbedError, RuntimeError):
    """A stage failed; the message names the stage and the cause."""


@dataclass
class RunSummary:
    warehouse_url: str
    loads: list[LoadReport] = field(default_factory=list)
    build: DbtReport | None = None
    build_reason: str = ""
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    def domain_lines(self) -> list[str]:
        """One line per domain the run loaded: its rows and sources (README "Architecture")."""
        by_domain: dict[str, list[LoadReport]] = {}
        for load in self.loads:
            by_domain.setdefault(_domain_of(load.source), []).append(load)
        return [f"domain {domain}: {sum(load.rows for load in loads)} rows loaded from "
                f"{', '.join(load.source for load in loads)}" for domain, loads in sorted(by_domain.items())]

    def lines(self) -> list[str]:
        out = [f"warehouse: {scrub(self.warehouse_url)}"]
        for load in self.loads:
            tables = ", ".join(f"{t}={n}" for t, n in sorted(load.rows_by_table.items())) or "nothing new"
            resumed = len(load.resumed_load_ids)
            out.append(f"extract-load {load.source}: {load.rows} rows loaded into {load.dataset} ({tables})"
                       + (f", {resumed} package{'s' if resumed > 1 else ''} of an interrupted run completed"
                          if resumed else ""))
        out += self.domain_lines()
        out += [f"retries {load.source}: {load.retries.describe()}" for load in self.loads if load.retries.retries]
        if self.build_reason:
            out.append(f"dbt plan: {self.build_reason}")
        if self.build:
            b = self.build
            out.append(
                f"dbt build: {b.count('model')} models built ({b.count('model', 'error')} errors), "
                f"{b.count('seed')} seeds, {b.count('test', 'pass') + b.count('unit_test', 'pass')} tests passed, "
                f"{b.count('test', 'warn')} warned, {b.count('test', 'fail') + b.count('unit_test', 'fail')} failed"
            )
        timing = ", ".join(f"{stage} {secs:.1f}s" for stage, secs in self.seconds_by_stage.items())
        out.append(f"time: {timing}")
        return out


def _domain_of(source: str) -> str:
    return registry.get(source).domain


def _root_cause(exc: BaseException) -> str:
    """The message that explains a failure: our own error if one is wrapped (dlt wraps them twice)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, (ApiError, ConfigError)):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return str(exc)


def _stage(summary: RunSummary, name: str):
    class _Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, exc_type, exc, tb):
            summary.seconds_by_stage[name] = time.perf_counter() - self.start
            if exc is not None and not isinstance(exc, StageError):
                raise StageError(f"stage '{name}' failed: {_root_cause(exc)}") from exc
            return False

    return _Timer()


def _staged(settings: Settings, summary: RunSummary, name: str, work):
    """`work` as stage `name`: timed, under its time limit, retried as configured (orchestration/ops/stages.py)."""
    return run_stage(settings, name, lambda: _stage(summary, name), work)


def _load_one(settings: Settings, warehouse_url: str, source: str) -> LoadReport:
    with source_endpoint(settings, source) as base_url:
        report = run_source(settings, warehouse_url, source, base_url)
    run_id = ledger.CURRENT_RUN.get()
    if run_id:  # the run ledger: rows per table and the dlt load ids of this run (mart_pipeline_runs)
        ledger.record_loads(warehouse_url, run_id, source, report.dataset, report.rows_by_table, report.load_ids)
    return report


def extract_load(settings: Settings, warehouse_url: str, sources: tuple[str, ...] | None = None,
                 summary: RunSummary | None = None) -> list[LoadReport]:
    summary = summary or RunSummary(warehouse_url)
    for source in sources or settings.run_sources():
        summary.loads.append(_staged(settings, summary, f"el:{source}",
                                     lambda source=source: _load_one(settings, warehouse_url, source)))
    return summary.loads


def replay_load(settings: Settings, warehouse_url: str, source: str, path: str,
                summary: RunSummary | None = None) -> LoadReport:
    """Captured responses of `source` into its raw tables, as stage `el:<source>` (no network)."""
    summary = summary or RunSummary(warehouse_url)
    load = _staged(settings, summary, f"el:{source}", lambda: replay_source(settings, warehouse_url, source, path))
    summary.loads.append(load)
    return load


def transform(settings: Settings, warehouse_url: str, loads: list[LoadReport], full: bool = False,
              quiet: bool = False, full_refresh: bool = False) -> tuple[str, DbtReport | None]:
    """dbt build of what the new rows and project changes require (see build_plan); `full_refresh`
    rebuilds everything, incremental models from scratch. Elementary's copy of the project is
    uploaded after a build whose project may have changed, never after one of new rows only."""
    plan = plan_build(settings, warehouse_url, loads, full=full, full_refresh=full_refresh)
    if not plan.args:
        return plan.reason, None
    scope = {"DBT_TEST_ROWS_SINCE": plan.tests_rows_since} if plan.tests_rows_since else {}
    report = run_dbt(plan.args, warehouse_url, quiet=quiet, extra_env=scope)
    if plan.project_changed:
        upload_elementary_artifacts(warehouse_url, quiet=quiet)
    record_success(settings, warehouse_url)
    return plan.reason, report


def run_all(settings: Settings, with_docs: bool = True, full_build: bool = False,
            full_refresh: bool = False) -> RunSummary:
    """Warehouse up, extract-load every source, dbt build, dbt docs: what `make run` does."""
    summary = RunSummary(warehouse_url="")

    def connect() -> str:
        url = warehouse.resolve_url(settings)
        warehouse.check_connection(url)
        return url

    summary.warehouse_url = _staged(settings, summary, "warehouse", connect)
    extract_load(settings, summary.warehouse_url, settings.run_sources(), summary=summary)
    summary.build_reason, summary.build = _staged(
        settings, summary, "dbt build",
        lambda: transform(settings, summary.warehouse_url, summary.loads, full_build, full_refresh=full_refresh))
    docs_exist = (dbt_target_dir() / "static_index.html").exists()
    if with_docs and (summary.build is not None or not docs_exist):  # nothing rebuilt: the docs still hold
        _staged(settings, summary, "dbt docs",
                lambda: run_dbt(["docs", "generate", "--static"], summary.warehouse_url, quiet=True))
    return summary
