"""Extract-load: run a dlt source into the warehouse's raw schema and report what it loaded."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dlt
from dlt.common.schema.utils import get_write_disposition
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from dlt_pipelines import registry
from dlt_pipelines.common import replay
from dlt_pipelines.common.http import ResilientSession, RetryPolicy, RetryStats
from dlt_pipelines.registry import BuildContext
from orchestration.config import Settings
from orchestration.warehouse import relation_exists

# Arrow tables go to Postgres as csv through COPY: several times faster than INSERT statements.
LOADER_FILE_FORMAT = "csv"
LOAD_FILE_ROWS = 10_000


@dataclass
class LoadReport:
    """What one source's extract-load put into the warehouse: every load package it committed,
    new ones and those an interrupted run had left (`resumed_load_ids`), with their rows as counted
    in the raw tables, not as dlt normalized them (a package normalized by a killed run is only
    loaded now)."""

    source: str
    dataset: str
    rows_by_table: dict[str, int] = field(default_factory=dict)
    load_ids: list[str] = field(default_factory=list)
    resumed_load_ids: list[str] = field(default_factory=list)
    seconds_by_step: dict[str, float] = field(default_factory=dict)
    retries: RetryStats = field(default_factory=RetryStats)  # HTTP retries by cause, and the time waited

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


def _credentials(url: str) -> PostgresCredentials:
    credentials = PostgresCredentials()
    credentials.parse_native_representation(url)
    credentials.password = credentials.password or ""  # trust/peer auth needs none; dlt insists on a value
    return credentials


def _configure_dlt() -> None:
    # dlt reads these from the environment; set once so every pipeline behaves the same.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    # a table's load is split into files of this many rows, copied in parallel (dlt's load workers)
    os.environ.setdefault("NORMALIZE__DATA_WRITER__FILE_MAX_ITEMS", str(LOAD_FILE_ROWS))


def warehouse_destination(warehouse_url: str, **options):
    """dlt's Postgres destination for the warehouse at `warehouse_url`, with dlt configured as
    every pipeline of the project is (`options` go to dlt's postgres destination)."""
    _configure_dlt()
    return dlt.destinations.postgres(credentials=_credentials(warehouse_url), **options)


def pipeline_for(settings: Settings, warehouse_url: str, source: str) -> dlt.Pipeline:
    """One dlt pipeline per source; its local working state is kept per warehouse.

    The warehouse is the source of truth: when it holds no state for the pipeline (a new, emptied
    or restored-from-scratch database), local state is discarded so that everything is loaded
    again instead of being skipped as "already loaded".
    """
    dataset = registry.get(source).dataset
    warehouse_key = hashlib.sha1(warehouse_url.encode()).hexdigest()[:12]
    pipelines_dir = settings.build_dir / "dlt" / warehouse_key
    if not relation_exists(warehouse_url, f"{dataset}._dlt_pipeline_state"):
        shutil.rmtree(pipelines_dir / source, ignore_errors=True)
    return dlt.pipeline(
        pipeline_name=source,
        destination=warehouse_destination(warehouse_url, create_indexes=True),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir),
        progress="log" if os.environ.get("ELT_PROGRESS") else None,
    )


def http_session(settings: Settings, source: str, rate_limit_per_min: float | None = None) -> ResilientSession:
    spec = registry.get(source)
    if rate_limit_per_min is None:
        rate_limit_per_min = settings.source_config(source).rate_limit_per_min
    return ResilientSession(
        api_name=spec.api_name,
        key_variable=spec.key_variable,
        rate_limit_per_min=rate_limit_per_min,
        retry=RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base_seconds=settings.backoff_base_seconds,
            backoff_max_seconds=settings.backoff_max_seconds,
            timeout_seconds=settings.request_timeout_seconds,
        ),
    )


def build_source(settings: Settings, source: str, base_url: str, session: ResilientSession | None = None,
                 backfill: bool = False, capture: Path | None = None):
    """The dlt source `source` reading `base_url`, as its registry entry builds it. `backfill`
    (replays): no keys, no call budget, the first query/category/country only, and every new or
    changed posting loaded whatever its age; `capture`: the captured file served first."""
    spec = registry.get(source)
    context = BuildContext(session=session or http_session(settings, source), base_url=base_url,
                           now=settings.now, backfill=backfill, capture=capture, build_dir=settings.build_dir)
    return spec.build(settings.source_config(source), context)


def run_source(settings: Settings, warehouse_url: str, source: str, base_url: str) -> LoadReport:
    """Extract, normalize and load one source, timing each step.

    A package left by a crashed run is normalized and loaded first, as `pipeline.run` would:
    its rows are merged on the primary key, so the rerun neither loses nor duplicates them.
    """
    pipeline = pipeline_for(settings, warehouse_url, source)
    report = LoadReport(source=source, dataset=pipeline.dataset_name)
    _complete_pending(pipeline, report)
    started = time.perf_counter()
    session = http_session(settings, source)
    pipeline.extract(build_source(settings, source, base_url, session=session), loader_file_format=LOADER_FILE_FORMAT)
    report.retries = session.retry_stats
    report.seconds_by_step["extract"] = time.perf_counter() - started
    _normalize_and_load(pipeline, report)
    return report


def _complete_pending(pipeline: dlt.Pipeline, report: LoadReport) -> None:
    """Finish the packages an interrupted run left: extracted ones are normalized, normalized ones
    loaded. Their rows count in the report like new ones, and their ids are listed as resumed."""
    if not pipeline.has_pending_data:
        return
    for load_id in pipeline.list_normalized_load_packages():
        _redo_interrupted_jobs(pipeline, load_id)
    before = len(report.load_ids)
    _normalize_and_load(pipeline, report)
    report.resumed_load_ids.extend(report.load_ids[before:])


def _redo_interrupted_jobs(pipeline: dlt.Pipeline, load_id: str) -> None:
    """Make the jobs of an interrupted load safe to run again. A job killed after its transaction
    committed, before dlt noted it done, is run again by dlt: an append table would get its rows
    twice (`_dlt_pipeline_state` refuses them: a unique `_dlt_id`), a merge table's staging copy
    refuses them (a unique key). So for every table with a copy job not noted done, its rows of
    this load are removed (from the table, or for merge from its staging table) and all its copy
    jobs run again; merge statements (sql jobs) are left to dlt, which repeats them harmlessly."""
    package = pipeline.get_load_package_info(load_id)
    copies: dict[str, list] = {}
    for state in ("new_jobs", "started_jobs", "completed_jobs"):
        for job in package.jobs.get(state, []):
            if job.job_file_info.file_format != "sql":
                copies.setdefault(job.job_file_info.table_name, []).append(job)
    schema = pipeline.default_schema
    with pipeline.sql_client() as client:
        for table, jobs in copies.items():
            if all(job.state == "completed_jobs" for job in jobs) or table not in schema.tables:
                continue
            disposition = get_write_disposition(schema.tables, table)
            with client.with_staging_dataset() if disposition == "merge" else contextlib.nullcontext():
                if table in _existing_tables(client):
                    client.execute_sql(f"delete from {client.make_qualified_table_name(table)} "
                                       "where _dlt_load_id = %s", load_id)
            for job in jobs:
                if job.state == "completed_jobs":  # its rows were just removed: it runs again
                    done = Path(job.file_path)
                    done.replace(done.parent.parent / "new_jobs" / done.name)


def _normalize_and_load(pipeline: dlt.Pipeline, report: LoadReport) -> None:
    started = time.perf_counter()
    pipeline.normalize()
    report.seconds_by_step["normalize"] = report.seconds_by_step.get("normalize", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    info = pipeline.load()
    report.seconds_by_step["load"] = report.seconds_by_step.get("load", 0.0) + time.perf_counter() - started
    committed = [load_id for load_id in info.loads_ids if load_id not in report.load_ids]
    report.load_ids.extend(committed)
    for table, count in committed_rows(pipeline, committed).items():
        report.rows_by_table[table] = report.rows_by_table.get(table, 0) + count


def _existing_tables(client) -> set[str]:
    return {row[0] for row in client.execute_sql(
        "select table_name from information_schema.tables where table_schema = %s", client.dataset_name) or ()}


def committed_rows(pipeline: dlt.Pipeline, load_ids: list[str]) -> dict[str, int]:
    """Rows each data table of the pipeline's dataset holds from `load_ids`, counted in the
    warehouse (indexed on _dlt_load_id, as staging reads them, so the count costs what was loaded)."""
    if not load_ids:
        return {}
    counts: dict[str, int] = {}
    with pipeline.sql_client() as client:
        existing = _existing_tables(client)
        for table in pipeline.default_schema.data_table_names():
            if table not in existing or "_dlt_load_id" not in pipeline.default_schema.get_table_columns(table):
                continue
            name = client.make_qualified_table_name(table)
            client.execute_sql(f'create index if not exists "{table}__dlt_load_id_idx" on {name} (_dlt_load_id)')
            rows = client.execute_sql(f"select count(*) from {name} where _dlt_load_id = any(%s)", list(load_ids))
            counts[table] = int(rows[0][0]) if rows else 0
    return counts


def replay_source(settings: Settings, warehouse_url: str, source: str, path: str | Path) -> LoadReport:
    """Load captured API responses (a file, or a folder of them in name order) through the source's
    own code, with no network: the same validation, rejects, incremental state and merge as live.

    The source runs again while captured files remain (a short page ends a source's paging, as it
    does live), then everything extracted is normalized and loaded at once.
    """
    adapter = replay.ReplayAdapter(replay.capture_files(Path(path)), registry.get(source).replay_shape)
    pipeline = pipeline_for(settings, warehouse_url, source)
    report = LoadReport(source=source, dataset=pipeline.dataset_name)
    _complete_pending(pipeline, report)
    started = time.perf_counter()
    while adapter.pending:
        left = len(adapter.pending)
        session = http_session(settings, source, rate_limit_per_min=0)
        replay.mount_replay(session, adapter)
        try:
            pipeline.extract(build_source(settings, source, replay.REPLAY_BASE_URL, session=session, backfill=True,
                                          capture=adapter.pending[0]), loader_file_format=LOADER_FILE_FORMAT)
        except Exception as problem:
            served = next((p for _, p in reversed(adapter.served) if p is not None), None)
            raise replay.ReplayError(f"{source}: replay failed at {served or path}: {_cause(problem)}") from problem
        if len(adapter.pending) == left:
            raise replay.ReplayError(f"{source}: the source made no request; {left} files were not replayed")
    report.seconds_by_step["extract"] = time.perf_counter() - started
    _normalize_and_load(pipeline, report)
    return report


def _cause(exc: BaseException) -> str:
    """The innermost message of an exception dlt wrapped."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def source_endpoint(settings: Settings, source: str) -> Iterator[str]:
    """The base URL to call: the real API (with a key, a base URL or ELT_LIVE_PUBLIC_APIS), else
    the source's sandbox started for the run (on the run's clock, ELT_AS_OF)."""
    spec = registry.get(source)
    config = settings.source_config(source)
    if not config.uses_sandbox():
        yield spec.base_url(config)
        return
    env = dict(settings.env)
    if settings.as_of and not env.get("SANDBOX_NOW"):
        env["SANDBOX_NOW"] = settings.as_of.isoformat()
    with spec.sandbox(env) as url:
        yield url
