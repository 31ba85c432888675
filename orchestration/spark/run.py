"""`WAREHOUSE_ENGINE=spark make run`: extract-load every source into the cluster's raw folder and
its Spark tables (raw.py), then dbt build, on the Spark target, of what is ported so far (the
`spark_ported` selector of dbt_project/selectors.yml). Needs the cluster of `make spark-up`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import Settings
from orchestration.dbt_runner import DbtReport
from orchestration.extract_load import LoadReport, source_endpoint
from orchestration.spark import raw
from orchestration.spark.cluster import Cluster, SparkError
from orchestration.spark.dbt import run_dbt

SELECTOR = "spark_ported"


@dataclass
class SparkRunSummary:
    master_url: str
    loads: list[LoadReport] = field(default_factory=list)
    build: DbtReport | None = None
    seconds_by_stage: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"warehouse: Spark {self.master_url}"]
        out += [f"extract-load {load.source}: {load.rows} rows loaded into {load.dataset} "
                f"({', '.join(f'{t}={n}' for t, n in sorted(load.rows_by_table.items())) or 'nothing new'})"
                for load in self.loads]
        if self.build:
            b = self.build
            out.append(f"dbt build (selector {SELECTOR}): {b.count('model')} models built "
                       f"({b.count('model', 'error')} errors), {b.count('test', 'pass')} tests passed, "
                       f"{b.count('test', 'fail')} failed")
        out.append("time: " + ", ".join(f"{stage} {secs:.1f}s" for stage, secs in self.seconds_by_stage.items()))
        return out


def run_all(settings: Settings, sources: tuple[str, ...] | None = None, full_refresh: bool = False,
            target_path: Path | None = None, quiet: bool = False) -> SparkRunSummary:
    cluster = Cluster(settings.spark)
    if not cluster.is_running():
        status = cluster.status()
        raise SparkError(f"the Spark cluster is not running ({settings.spark.master_url}: "
                         f"{status.line() if status else 'no master'}; Thrift port {settings.spark.thrift_port} "
                         f"{'open' if cluster.thrift_ready() else 'closed'}); start it with `make spark-up`")
    summary = SparkRunSummary(settings.spark.master_url)
    for source in sources or settings.run_sources():
        started = time.perf_counter()
        with source_endpoint(settings, source) as base_url:
            summary.loads.append(raw.run_source(settings, cluster, source, base_url))
        summary.seconds_by_stage[f"el:{source}"] = time.perf_counter() - started
    started = time.perf_counter()
    args = ["build", "--selector", SELECTOR, *(["--full-refresh"] if full_refresh else [])]
    summary.build, _ = run_dbt(args, settings.spark, target_path=target_path, quiet=quiet)
    summary.seconds_by_stage["dbt build"] = time.perf_counter() - started
    return summary
