"""A real Spark standalone cluster for the Spark tests: master, 2 workers and the Thrift server, on
free loopback ports with its data under build/pytest-spark. The first test worker that needs it
starts it (under a file lock, noting its ports there), the others reuse it, and the session's end
stops it (tests/conftest.py, pytest_unconfigure). Skipped, with the reason, only when Java is
missing and cannot be installed."""

from __future__ import annotations

import fcntl
import json
import shutil
import socket

import pytest

from orchestration.config import REPO_ROOT
from orchestration.spark import java
from orchestration.spark.cluster import Cluster
from orchestration.spark.settings import SparkSettings

SPARK_TEST_DIR = REPO_ROOT / "build" / "pytest-spark"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _noted_settings() -> SparkSettings | None:
    noted = SPARK_TEST_DIR.parent / "pytest-spark.ports.json"
    return SparkSettings.from_env(json.loads(noted.read_text()), SPARK_TEST_DIR) if noted.exists() else None


def _new_settings() -> SparkSettings:
    ports = {name: str(_free_port()) for name in ("SPARK_MASTER_PORT", "SPARK_MASTER_WEBUI_PORT", "SPARK_THRIFT_PORT")}
    (SPARK_TEST_DIR.parent / "pytest-spark.ports.json").write_text(json.dumps(ports))
    return SparkSettings.from_env(ports, SPARK_TEST_DIR)


@pytest.fixture(scope="session")
def spark_cluster() -> Cluster:
    found, why = java.ensure()
    if not found:
        pytest.skip(f"Spark needs Java: {why}")
    SPARK_TEST_DIR.parent.mkdir(parents=True, exist_ok=True)
    with open(SPARK_TEST_DIR.parent / "pytest-spark.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        noted = _noted_settings()
        if noted and Cluster(noted).any_alive():
            cluster = Cluster(noted)  # another worker's: its daemons run (judged by pid, never by a slow answer)
        else:
            shutil.rmtree(SPARK_TEST_DIR, ignore_errors=True)
            cluster = Cluster(_new_settings())
        cluster.start()  # a no-op, or waits, on a running cluster
    return cluster


def stop_test_cluster() -> None:
    """Stop the test cluster (by its pid files) if a session started one."""
    if SPARK_TEST_DIR.exists():
        Cluster(SparkSettings.from_env({}, SPARK_TEST_DIR)).stop()
