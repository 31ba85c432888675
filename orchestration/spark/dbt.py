"""dbt on Spark: the `spark` target of profiles.yml (dbt-spark over the Thrift server) with the
environment the project's models read (the source registry), as orchestration/dbt_runner.py
does for Postgres."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.config import DBT_PROJECT_DIR, dbt_target_dir
from orchestration.dbt_runner import (
    DbtError,
    DbtReport,
    _run_teed,
    dbt_executable,
    read_run_results,
    source_registry_json,
)
from orchestration.spark.settings import SparkSettings


def dbt_env(spark: SparkSettings, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update({
        "DBT_TARGET": "spark",
        "DBT_SPARK_HOST": spark.host,
        "DBT_SPARK_PORT": str(spark.thrift_port),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_ELEMENTARY_ENABLED": "false",  # Elementary's package is not ported to Spark
        "ELT_SOURCE_REGISTRY": source_registry_json(),
    })
    return env


def run_dbt(args: list[str], spark: SparkSettings, target_path: Path | None = None,
            quiet: bool = False) -> tuple[DbtReport, str]:
    """One dbt command on the Spark target; (its report, its output's tail); DbtError if it fails."""
    env = dbt_env(spark)
    if target_path:
        env["DBT_TARGET_PATH"] = str(target_path)
    results = (target_path or dbt_target_dir()) / "run_results.json"
    results.unlink(missing_ok=True)
    returncode, output = _run_teed([dbt_executable(), *args], env, quiet)
    report = read_run_results(args[0], results)
    if returncode != 0:
        detail = "; ".join(report.failures[:10]) or output[-3000:]
        raise DbtError(f"dbt {' '.join(args[:3])} on Spark failed (exit {returncode}): {detail}")
    return report, output
