"""The local Spark standalone cluster: a master, its workers and the Thrift server, on 127.0.0.1.

Started with the scripts and jars of the `pyspark` wheel (`sbin/spark-daemon.sh`, the same
daemons as Spark's own `start-master.sh`, `start-worker.sh` and `start-thriftserver.sh`), with
configuration, data, logs and pid files under one folder (`SparkSettings.home`, default
`build/spark/`, git-ignored). The Thrift server is the only process that opens the Derby
metastore (Derby admits one process): dbt-spark and the raw-table registration both go through it.
`make spark-up` / `make spark-down`; `python -m orchestration.spark up|down|status`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dlt_pipelines.common.secrets import ScrubbedError
from orchestration.spark import java
from orchestration.spark.settings import SparkSettings

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
THRIFT = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
IDENT = "elt"


class SparkError(ScrubbedError, RuntimeError):
    """The cluster cannot be started or reached; the message says why and where the log is."""


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError as problem:
        raise SparkError("pyspark is not installed; run `make install`") from problem
    return Path(pyspark.__file__).resolve().parent


@dataclass(frozen=True)
class Status:
    alive_workers: int
    cores: int
    active_apps: int

    def line(self) -> str:
        return f"{self.alive_workers} workers alive, {self.cores} cores, {self.active_apps} applications running"


class Cluster:
    def __init__(self, settings: SparkSettings):
        self.settings = settings
        self.home = settings.home

    # -- folders and environment -------------------------------------------------------------
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pid_dir(self) -> Path:
        return self.home / "run"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        found = java.find()
        if found and not env.get("JAVA_HOME"):
            env["JAVA_HOME"] = str(Path(os.path.realpath(found)).parent.parent)
        env.update({
            "SPARK_HOME": str(spark_home()),
            "SPARK_CONF_DIR": str(self.conf_dir),
            "SPARK_LOG_DIR": str(self.log_dir),
            "SPARK_PID_DIR": str(self.pid_dir),
            "SPARK_IDENT_STRING": IDENT,
            "SPARK_LOCAL_IP": self.settings.host,
        })
        env.pop("SPARK_NO_DAEMONIZE", None)  # spark-daemon.sh must detach and write its pid files
        return env

    def _write_conf(self) -> None:
        s = self.settings
        for folder in (self.conf_dir, self.log_dir, self.pid_dir, s.warehouse_dir, s.raw_dir, s.metastore_dir):
            folder.mkdir(parents=True, exist_ok=True)
        defaults = {
            "spark.master": s.master_url,
            "spark.sql.warehouse.dir": s.warehouse_dir.as_uri(),
            "spark.hadoop.javax.jdo.option.ConnectionURL":
                f"jdbc:derby:;databaseName={s.metastore_dir / 'metastore_db'};create=true",
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={s.metastore_dir}",
            "spark.driver.memory": f"{s.driver_memory_mb}m",
            "spark.executor.memory": f"{s.executor_memory_mb}m",
            "spark.executor.cores": str(s.worker_cores),
            "spark.cores.max": str(s.workers * s.worker_cores),
            "spark.deploy.spreadOut": "true",
            # small data: a few shuffle partitions, not 200 tasks of nothing
            "spark.sql.shuffle.partitions": str(max(2, 2 * s.workers * s.worker_cores)),
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.sources.partitionOverwriteMode": "dynamic",  # insert_overwrite replaces only its partitions
            "spark.ui.showConsoleProgress": "false",
            "spark.ui.enabled": "false",
        }
        (self.conf_dir / "spark-defaults.conf").write_text(
            "".join(f"{key} {value}\n" for key, value in defaults.items()))
        (self.conf_dir / "log4j2.properties").write_text(
            "rootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = console\n"
            "appender.console.type = Console\nappender.console.name = console\n"
            "appender.console.layout.type = PatternLayout\n"
            "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n")

    def _daemon(self, action: str, cls: str, instance: int, *args: str) -> None:
        script = spark_home() / "sbin" / "spark-daemon.sh"
        result = subprocess.run(["bash", str(script), action, cls, str(instance), *args], env=self._env(),
                                capture_output=True, text=True, cwd=self.home)
        if result.returncode != 0 and action != "stop":
            raise SparkError(f"spark-daemon.sh {action} {cls.rsplit('.', 1)[-1]} {instance} failed "
                             f"({result.returncode}): {(result.stderr or result.stdout).strip()[-1000:]}")

    def _pid_file(self, cls: str, instance: int) -> Path:
        return self.pid_dir / f"spark-{IDENT}-{cls}-{instance}.pid"

    def _pid(self, cls: str, instance: int) -> int | None:
        try:
            return int(self._pid_file(cls, instance).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _alive(self, cls: str, instance: int) -> bool:
        pid = self._pid(cls, instance)
        return bool(pid and _pid_alive(pid))

    def log_of(self, cls: str, instance: int = 1) -> Path:
        return self.log_dir / f"spark-{IDENT}-{cls}-{instance}-{socket.gethostname()}.out"

    # -- status ------------------------------------------------------------------------------
    def status(self) -> Status | None:
        """The master's view (its /json page), None when the master does not answer."""
        try:
            with urllib.request.urlopen(self.settings.status_url, timeout=15) as response:
                data = json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            return None
        alive = [w for w in data.get("workers", []) if w.get("state") == "ALIVE"]
        return Status(alive_workers=len(alive), cores=sum(int(w.get("cores", 0)) for w in alive),
                      active_apps=len(data.get("activeapps", [])))

    def thrift_ready(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex((self.settings.host, self.settings.thrift_port)) == 0

    def query(self, *statements: str) -> list[tuple]:
        """Run SQL statements on the Thrift server (one session); the last one's rows."""
        from pyhive import hive

        connection = hive.connect(host=self.settings.host, port=self.settings.thrift_port, username=IDENT)
        try:
            cursor = connection.cursor()
            for statement in statements:
                try:
                    cursor.execute(statement)
                except hive.OperationalError as problem:  # the message without the Java stack trace
                    status = getattr(problem.args[0], "status", None) if problem.args else None
                    raise SparkError(f"Spark SQL failed: {getattr(status, 'errorMessage', problem)}\n"
                                     f"statement: {statement[:500]}") from None
            try:
                return cursor.fetchall() if cursor.description else []
            except TypeError:  # PyHive on a statement that answers with a schema but no columns (DDL)
                return []
        finally:
            connection.close()

    def any_alive(self) -> bool:
        """Whether any daemon this folder started still runs (by its pid file; no network check)."""
        return any(self._alive(cls, i) for cls, i in
                   [(MASTER, 1), (THRIFT, 1), *((WORKER, i) for i in range(1, self.settings.workers + 1))])

    def is_running(self) -> bool:
        status = self.status()
        return bool(status and status.alive_workers >= self.settings.workers and self.thrift_ready()
                    and self._alive(THRIFT, 1))

    # -- start and stop ----------------------------------------------------------------------
    def start(self) -> Status:
        """Master, workers, Thrift server; wait until every worker is ALIVE and the Thrift port
        accepts connections. A no-op when the cluster already runs."""
        if self.is_running():
            return self.status()
        found, why = java.ensure()
        if not found:
            raise SparkError(f"Spark needs Java: {why}")
        self._write_conf()
        s = self.settings
        deadline = time.monotonic() + s.start_timeout_seconds
        if not self._alive(MASTER, 1):
            self._refuse_taken_ports((s.master_port, s.master_webui_port))
            self._daemon("start", MASTER, 1, "--host", s.host, "--port", str(s.master_port),
                         "--webui-port", str(s.master_webui_port))
        self._wait(lambda: self.status() is not None, deadline, "the master's status page", MASTER)
        for instance in range(1, s.workers + 1):
            if not self._alive(WORKER, instance):
                work = self.home / "work" / str(instance)
                work.mkdir(parents=True, exist_ok=True)
                self._daemon("start", WORKER, instance, "--host", s.host, "--webui-port", "0",
                             "--cores", str(s.worker_cores), "--memory", f"{s.worker_memory_mb}m",
                             "--work-dir", str(work), s.master_url)
        self._wait(lambda: (self.status() or Status(0, 0, 0)).alive_workers >= s.workers, deadline,
                   f"{s.workers} ALIVE workers", WORKER)
        if not self._alive(THRIFT, 1):
            self._refuse_taken_ports((s.thrift_port,))
            self._daemon("submit", THRIFT, 1, "--master", s.master_url, "--name", "elt-thrift-server",
                         "--hiveconf", f"hive.server2.thrift.port={s.thrift_port}",
                         "--hiveconf", f"hive.server2.thrift.bind.host={s.host}")
        self._wait(self.thrift_ready, deadline, f"the Thrift server on port {s.thrift_port}", THRIFT)
        return self.status()

    def stop(self) -> None:
        """Thrift server, workers, master, each by its pid file (only what this folder started)."""
        if not self.pid_dir.is_dir():
            return
        daemons = [(THRIFT, 1), *((WORKER, i) for i in range(self.settings.workers, 0, -1)), (MASTER, 1)]
        pids = [self._pid(cls, instance) for cls, instance in daemons]
        for cls, instance in daemons:
            self._daemon("stop", cls, instance)
        deadline = time.monotonic() + 60  # spark-daemon.sh only signals: wait until they are gone
        while any(pid and _pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _wait(self, ready, deadline: float, what: str, cls: str) -> None:
        while not ready():
            if time.monotonic() > deadline:
                raise SparkError(f"Spark: no {what} after {self.settings.start_timeout_seconds}s; "
                                 f"see {self.log_of(cls)}:\n{_tail(self.log_of(cls))}")
            if cls == THRIFT and not self._alive(THRIFT, 1):
                raise SparkError(f"the Thrift server stopped; see {self.log_of(cls)}:\n{_tail(self.log_of(cls))}")
            time.sleep(0.5)

    def _refuse_taken_ports(self, ports: tuple[int, ...]) -> None:
        for port in ports:
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex((self.settings.host, port)) == 0:
                    raise SparkError(f"port {port} on {self.settings.host} is taken by another process; set "
                                     "SPARK_MASTER_PORT, SPARK_MASTER_WEBUI_PORT or SPARK_THRIFT_PORT to free ones")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
