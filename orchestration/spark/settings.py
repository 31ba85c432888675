"""The engine switch and the Spark cluster's settings: each variable's default and docs in one place.

`WAREHOUSE_ENGINE` picks the warehouse: `postgres` (default) or `spark` (the standalone cluster of
`make spark-up`, dbt-spark over its Thrift server, dlt's filesystem destination as parquet under
the cluster's warehouse folder). Read once by `orchestration.config.Settings.from_env`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlt_pipelines.common.env import ConfigError, Env, text, whole

ENGINES = ("postgres", "spark")


def engine(env: Env) -> str:
    """WAREHOUSE_ENGINE: `postgres` (default) or `spark`."""
    value = (text(env, "WAREHOUSE_ENGINE") or "postgres").lower()
    if value not in ENGINES:
        raise ConfigError(f"WAREHOUSE_ENGINE must be one of {', '.join(ENGINES)}, got {value!r}")
    return value


@dataclass(frozen=True)
class SparkSettings:
    """The local standalone cluster: a master, `workers` workers and the Thrift server on 127.0.0.1.

    The memory figures suit a 2-core, 24 GiB machine: one core and `worker_memory` per worker, one
    executor per worker, a driver (the Thrift server) of `driver_memory`.
    """

    home: Path  # SPARK_DIR: data (warehouse, metastore), logs, pid files; default build/spark (git-ignored)
    host: str = "127.0.0.1"
    master_port: int = 7077  # SPARK_MASTER_PORT
    master_webui_port: int = 8080  # SPARK_MASTER_WEBUI_PORT: the master's UI and its /json status
    thrift_port: int = 10000  # SPARK_THRIFT_PORT: where dbt-spark connects (method thrift)
    workers: int = 2  # SPARK_WORKERS
    worker_cores: int = 1  # SPARK_WORKER_CORES
    worker_memory_mb: int = 2048  # SPARK_WORKER_MEMORY_MB
    executor_memory_mb: int = 1536  # SPARK_EXECUTOR_MEMORY_MB
    driver_memory_mb: int = 1536  # SPARK_DRIVER_MEMORY_MB: the Thrift server's driver
    start_timeout_seconds: int = 180  # SPARK_START_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, env: Env, default_home: Path) -> SparkSettings:
        configured = text(env, "SPARK_DIR")
        settings = cls(
            home=(Path(configured) if configured else default_home).resolve(),
            master_port=whole(env, "SPARK_MASTER_PORT", 7077, minimum=1),
            master_webui_port=whole(env, "SPARK_MASTER_WEBUI_PORT", 8080, minimum=1),
            thrift_port=whole(env, "SPARK_THRIFT_PORT", 10000, minimum=1),
            workers=whole(env, "SPARK_WORKERS", 2, minimum=1),
            worker_cores=whole(env, "SPARK_WORKER_CORES", 1, minimum=1),
            worker_memory_mb=whole(env, "SPARK_WORKER_MEMORY_MB", 2048, minimum=512),
            executor_memory_mb=whole(env, "SPARK_EXECUTOR_MEMORY_MB", 1536, minimum=512),
            driver_memory_mb=whole(env, "SPARK_DRIVER_MEMORY_MB", 1536, minimum=512),
            start_timeout_seconds=whole(env, "SPARK_START_TIMEOUT_SECONDS", 180, minimum=10),
        )
        if settings.executor_memory_mb > settings.worker_memory_mb:
            raise ConfigError(f"SPARK_EXECUTOR_MEMORY_MB ({settings.executor_memory_mb}) must not exceed "
                              f"SPARK_WORKER_MEMORY_MB ({settings.worker_memory_mb}): no worker could run it")
        return settings

    @property
    def master_url(self) -> str:
        return f"spark://{self.host}:{self.master_port}"

    @property
    def status_url(self) -> str:
        return f"http://{self.host}:{self.master_webui_port}/json/"

    @property
    def warehouse_dir(self) -> Path:
        """Spark SQL's warehouse: the managed tables dbt builds."""
        return self.home / "warehouse"

    @property
    def raw_dir(self) -> Path:
        """dlt's filesystem destination: one folder per raw dataset, parquet files."""
        return self.home / "raw"

    @property
    def metastore_dir(self) -> Path:
        return self.home / "metastore"
