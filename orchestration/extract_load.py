"""Extract-load: run a dlt source into the warehouse's raw schema and report what it loaded."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import dlt
import psycopg2
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from dlt_pipelines.common.http import ResilientSession, RetryPolicy
from dlt_pipelines.jsearch import jsearch_source
from dlt_pipelines.jsearch import settings as jsearch_settings
from orchestration.config import ConfigError, Settings

# Arrow tables go to Postgres as csv through COPY: several times faster than INSERT statements.
LOADER_FILE_FORMAT = "csv"
SOURCES = ("jsearch",)


@dataclass
class LoadReport:
    source: str
    dataset: str
    rows_by_table: dict[str, int] = field(default_factory=dict)
    load_ids: list[str] = field(default_factory=list)
    seconds_by_step: dict[str, float] = field(default_factory=dict)

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


def _destination_has_state(warehouse_url: str, dataset: str) -> bool:
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (f"{dataset}._dlt_pipeline_state",))
        found = bool(cur.fetchone()[0])
    conn.close()
    return found


def pipeline_for(settings: Settings, warehouse_url: str, source: str) -> dlt.Pipeline:
    """One dlt pipeline per source; its local working state is kept per warehouse.

    The warehouse is the source of truth: when it holds no state for the pipeline (a new, emptied
    or restored-from-scratch database), local state is discarded so that everything is loaded
    again instead of being skipped as "already loaded".
    """
    _configure_dlt()
    warehouse_key = hashlib.sha1(warehouse_url.encode()).hexdigest()[:12]
    pipelines_dir = settings.build_dir / "dlt" / warehouse_key
    if not _destination_has_state(warehouse_url, f"raw_{source}"):
        shutil.rmtree(pipelines_dir / source, ignore_errors=True)
    return dlt.pipeline(
        pipeline_name=source,
        destination=dlt.destinations.postgres(credentials=_credentials(warehouse_url), create_indexes=True),
        dataset_name=f"raw_{source}",
        pipelines_dir=str(pipelines_dir),
        progress="log" if os.environ.get("ELT_PROGRESS") else None,
    )


def http_session(settings: Settings, api_name: str, key_variable: str) -> ResilientSession:
    return ResilientSession(
        api_name=api_name,
        key_variable=key_variable,
        rate_limit_per_min=settings.rate_limit_per_min,
        retry=RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base_seconds=settings.backoff_base_seconds,
            backoff_max_seconds=settings.backoff_max_seconds,
            timeout_seconds=settings.request_timeout_seconds,
        ),
    )


def build_source(settings: Settings, source: str, base_url: str):
    if source != "jsearch":
        raise ConfigError(f"unknown source {source!r}; known sources: {', '.join(SOURCES)}")
    return jsearch_source(
        queries=settings.jsearch_queries,
        session=http_session(settings, jsearch_settings.API_NAME, jsearch_settings.KEY_VARIABLE),
        base_url=base_url,
        api_key=settings.rapidapi_key,
        country=settings.jsearch_country,
        num_pages=settings.jsearch_num_pages,
        max_pages=settings.jsearch_max_pages,
        lookback_hours=settings.lookback_hours,
        now=settings.now,
    )


def run_source(settings: Settings, warehouse_url: str, source: str, base_url: str) -> LoadReport:
    """Extract, normalize and load one source, timing each step.

    A package left by a crashed run is normalized and loaded first, as `pipeline.run` would:
    its rows are merged on the primary key, so the rerun neither loses nor duplicates them.
    """
    pipeline = pipeline_for(settings, warehouse_url, source)
    report = LoadReport(source=source, dataset=pipeline.dataset_name)
    if pipeline.has_pending_data:
        _normalize_and_load(pipeline, report)
    started = time.perf_counter()
    pipeline.extract(build_source(settings, source, base_url), loader_file_format=LOADER_FILE_FORMAT)
    report.seconds_by_step["extract"] = time.perf_counter() - started
    _normalize_and_load(pipeline, report)
    return report


def _normalize_and_load(pipeline: dlt.Pipeline, report: LoadReport) -> None:
    started = time.perf_counter()
    info = pipeline.normalize()
    report.seconds_by_step["normalize"] = report.seconds_by_step.get("normalize", 0.0) + time.perf_counter() - started
    for table, count in info.row_counts.items():
        if not table.startswith("_dlt"):
            report.rows_by_table[table] = report.rows_by_table.get(table, 0) + count
    report.load_ids.extend(info.loads_ids)
    started = time.perf_counter()
    pipeline.load()
    report.seconds_by_step["load"] = report.seconds_by_step.get("load", 0.0) + time.perf_counter() - started


@contextlib.contextmanager
def source_endpoint(settings: Settings, source: str) -> Iterator[str]:
    """The base URL to call: the real API with a key, else a sandbox started for the run."""
    if not settings.uses_sandbox:
        yield settings.jsearch_base_url or jsearch_settings.REAL_BASE_URL
        return
    from dlt_pipelines.sandbox.config import SandboxConfig
    from dlt_pipelines.sandbox.server import start_sandbox

    env = dict(settings.env)
    if settings.as_of and not env.get("SANDBOX_NOW"):
        env["SANDBOX_NOW"] = settings.as_of.isoformat()
    with start_sandbox(SandboxConfig.from_env(env)) as handle:
        yield handle.url
