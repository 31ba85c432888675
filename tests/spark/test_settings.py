"""WAREHOUSE_ENGINE and the Spark cluster's settings: defaults, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.config import ConfigError, Settings
from orchestration.spark.settings import SparkSettings


def test_postgres_is_the_default_engine_and_spark_is_chosen_by_name():
    assert Settings.from_env({}).engine == "postgres"
    assert Settings.from_env({"WAREHOUSE_ENGINE": " Spark "}).engine == "spark"


def test_an_unknown_engine_is_an_error_naming_the_variable():
    with pytest.raises(ConfigError, match="WAREHOUSE_ENGINE must be one of postgres, spark, got 'duckdb'"):
        Settings.from_env({"WAREHOUSE_ENGINE": "duckdb"})


def test_the_cluster_lives_under_the_build_folder_unless_spark_dir_is_set(tmp_path: Path):
    assert Settings.from_env({"ELT_BUILD_DIR": str(tmp_path)}).spark.home == tmp_path / "spark"
    assert Settings.from_env({"SPARK_DIR": str(tmp_path / "x")}).spark.home == tmp_path / "x"


def test_defaults_are_the_documented_local_cluster(tmp_path: Path):
    spark = SparkSettings.from_env({}, tmp_path)
    assert (spark.master_url, spark.status_url) == ("spark://127.0.0.1:7077", "http://127.0.0.1:8080/json/")
    assert (spark.thrift_port, spark.workers, spark.worker_cores) == (10000, 2, 1)
    assert spark.raw_dir == tmp_path / "raw" and spark.warehouse_dir == tmp_path / "warehouse"


def test_an_executor_larger_than_a_worker_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="SPARK_EXECUTOR_MEMORY_MB .* must not exceed SPARK_WORKER_MEMORY_MB"):
        SparkSettings.from_env({"SPARK_EXECUTOR_MEMORY_MB": "4096", "SPARK_WORKER_MEMORY_MB": "2048"}, tmp_path)
    with pytest.raises(ConfigError, match="SPARK_THRIFT_PORT must be a whole number"):
        SparkSettings.from_env({"SPARK_THRIFT_PORT": "ten"}, tmp_path)
