"""Raw loads on Spark: dlt's `filesystem` destination writes each source's tables as parquet (its
`_dlt_loads` as JSON lines) under the cluster's raw folder, one folder per dataset and table; each
folder then becomes a Spark table of the dataset's database (`raw_<source>.<table>`), created
through the Thrift server, so staging reads `source('raw_<source>', ...)` as on Postgres.

dlt's filesystem destination has no merge: `merge` tables are appended to (dlt says "Falling back
to append"), each load's rows kept with its `_dlt_load_id`; staging reads only complete loads
(`_dlt_loads.status = 0`) and keeps the newest row of a key, so the result is the merge's.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import dlt
import pyarrow.parquet as pq

from dlt_pipelines import registry
from orchestration.config import Settings
from orchestration.extract_load import LoadReport, _configure_dlt, build_source, http_session
from orchestration.spark.cluster import Cluster

LOADER_FILE_FORMAT = "parquet"
FORMATS = {".parquet": "parquet", ".jsonl": "json"}


def destination(settings: Settings):
    """dlt's filesystem destination at the cluster's raw folder."""
    _configure_dlt()
    settings.spark.raw_dir.mkdir(parents=True, exist_ok=True)
    return dlt.destinations.filesystem(bucket_url=settings.spark.raw_dir.as_uri())


def pipeline_for(settings: Settings, source: str) -> dlt.Pipeline:
    """One dlt pipeline per source, its working state kept per raw folder; discarded when the raw
    folder holds no state for it (a new or emptied cluster), so everything is loaded again."""
    dataset = registry.get(source).dataset
    key = hashlib.sha1(str(settings.spark.raw_dir).encode()).hexdigest()[:12]
    pipelines_dir = settings.build_dir / "dlt" / f"spark-{key}"
    if not (settings.spark.raw_dir / dataset / "_dlt_pipeline_state").is_dir():
        shutil.rmtree(pipelines_dir / source, ignore_errors=True)
    return dlt.pipeline(pipeline_name=source, destination=destination(settings), dataset_name=dataset,
                        pipelines_dir=str(pipelines_dir))


def run_source(settings: Settings, cluster: Cluster, source: str, base_url: str) -> LoadReport:
    """Extract, normalize and load one source into parquet files, then register its tables."""
    pipeline = pipeline_for(settings, source)
    report = LoadReport(source=source, dataset=pipeline.dataset_name)
    started = time.perf_counter()
    session = http_session(settings, source)
    pipeline.extract(build_source(settings, source, base_url, session=session), loader_file_format=LOADER_FILE_FORMAT)
    report.retries = session.retry_stats
    report.seconds_by_step["extract"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.normalize()
    info = pipeline.load()
    report.seconds_by_step["load"] = time.perf_counter() - started
    report.load_ids = list(info.loads_ids)
    report.rows_by_table = committed_rows(settings.spark.raw_dir / pipeline.dataset_name,
                                          pipeline.default_schema.data_table_names(), report.load_ids)
    started = time.perf_counter()
    register(cluster, settings.spark.raw_dir, pipeline.dataset_name)
    report.seconds_by_step["register"] = time.perf_counter() - started
    return report


def committed_rows(dataset_dir: Path, tables: list[str], load_ids: list[str]) -> dict[str, int]:
    """Rows each data table holds from `load_ids`, counted in its files (`<load_id>.<file>.parquet`)."""
    counts: dict[str, int] = {}
    for table in tables:
        files = [path for load_id in load_ids for path in (dataset_dir / table).glob(f"{load_id}.*.parquet")]
        if (dataset_dir / table).is_dir():
            counts[table] = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
    return counts


def table_folders(dataset_dir: Path) -> dict[str, tuple[Path, str]]:
    """Each table folder of a dataset with its file format (parquet data, JSON lines for dlt's own)."""
    found: dict[str, tuple[Path, str]] = {}
    for folder in sorted(p for p in dataset_dir.iterdir() if p.is_dir()) if dataset_dir.is_dir() else ():
        suffixes = {path.suffix for path in folder.iterdir() if path.is_file()}
        formats = {FORMATS[s] for s in suffixes if s in FORMATS}
        if len(formats) == 1:
            found[folder.name] = (folder, formats.pop())
    return found


def register(cluster: Cluster, raw_dir: Path, dataset: str) -> list[str]:
    """Create (again) the Spark table of every table folder of `dataset`: a metadata-only
    statement that also picks up new files and columns. Returns the tables registered."""
    statements = [f"create database if not exists {dataset}"]
    tables = table_folders(raw_dir / dataset)
    for table, (folder, file_format) in tables.items():
        merge = " options (mergeSchema 'true')" if file_format == "parquet" else ""
        statements += [f"drop table if exists {dataset}.{table}",
                       f"create table {dataset}.{table} using {file_format}{merge} location '{folder.as_uri()}'"]
    cluster.query(*statements)
    return sorted(tables)
