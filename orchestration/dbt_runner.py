"""Runs dbt against the warehouse in use and reads what it did from run_results.json."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from dlt_pipelines import registry
from dlt_pipelines.common.secrets import ScrubbedError
from orchestration.config import DBT_PROJECT_DIR, dbt_target_dir, elementary_switch
from orchestration.dbt_failures import ConnectionLost, connection_lost, is_connection_lost
from orchestration.quality import elementary_run_results, ledger, packages
from orchestration.warehouse import libpq_parts, relation_exists

OUTPUT_TAIL_LINES = 200  # of dbt's output, kept for the error message
NODE_COMMANDS = ("build", "run", "test", "seed", "snapshot")  # commands whose results Elementary records


class DbtError(ScrubbedError, RuntimeError):
    """dbt exited non-zero; the message holds the failing nodes."""


class DbtConnectionLost(DbtError):
    """dbt lost (or never had) its connection to the warehouse; the nodes are not to blame."""


@dataclass
class DbtReport:
    command: str
    statuses: Counter = field(default_factory=Counter)
    by_type: dict[str, Counter] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    failed_nodes: list[tuple[str, str]] = field(default_factory=list)  # (unique id, message)

    @property
    def failures(self) -> list[str]:
        return [f"{unique_id}: {message[:300]}" for unique_id, message in self.failed_nodes]

    def count(self, resource_type: str, status: str | None = None) -> int:
        counts = self.by_type.get(resource_type, Counter())
        return sum(counts.values()) if status is None else counts.get(status, 0)


def source_registry_json() -> str:
    """The source registry as the dbt project reads it (macros/source_registry.sql)."""
    return json.dumps({name: {"domain": spec.domain, "dataset": spec.dataset, "record_id": spec.record_id_key}
                       for name, spec in registry.sources().items()}, sort_keys=True)


def dbt_env(warehouse_url: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment dbt needs: WAREHOUSE_URL split into the variables profiles.yml reads."""
    parts = libpq_parts(warehouse_url)
    env = dict(os.environ if base is None else base)
    env.update({
        "DBT_PG_HOST": parts["host"],
        "DBT_PG_PORT": parts["port"],
        "DBT_PG_USER": parts["user"],
        "DBT_PG_PASSWORD": parts["password"],
        "DBT_PG_DBNAME": parts["dbname"],
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # Elementary's models and tests run only where its package is installed (make deps), unless ELT_ELEMENTARY=off
        "DBT_ELEMENTARY_ENABLED": "true" if elementary_switch(env) and packages.status().available else "false",
        # the registered sources, which models loop over (macros/source_registry.sql)
        "ELT_SOURCE_REGISTRY": source_registry_json(),
        # JIT compiles for a second on every mid-sized query and wins nothing on these models
        "PGOPTIONS": f"{env.get('PGOPTIONS', '')} -c jit=off".strip(),
    })
    return env


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    found = str(beside_python) if beside_python.exists() else shutil.which("dbt")
    if not found:
        raise DbtError("dbt is not installed in this environment; run `make install`")
    return found


def run_dbt(args: list[str], warehouse_url: str, target_path: Path | None = None, quiet: bool = False,
            extra_env: dict[str, str] | None = None) -> DbtReport:
    """Run one dbt command (`extra_env`: variables for this command only); raise DbtError naming
    the failed nodes if it fails."""
    env = {**dbt_env(warehouse_url), **(extra_env or {})}
    if target_path:
        env["DBT_TARGET_PATH"] = str(target_path)
    results_path = (target_path or dbt_target_dir()) / "run_results.json"
    results_path.unlink(missing_ok=True)  # a command that dies early must not be credited with the last one's results
    try:
        ledger.ensure_tables(warehouse_url)  # the `ops` source of the run ledger marts
    except psycopg2.OperationalError as exc:
        if is_connection_lost(str(exc)):
            raise DbtConnectionLost(ConnectionLost(None, 0).describe(args[0], warehouse_url)) from exc
        raise
    if env["DBT_ELEMENTARY_ENABLED"] == "true":
        args = with_elementary_models(args, warehouse_url)
    returncode, output = _run_teed([dbt_executable(), *args], env, quiet)
    report = read_run_results(args[0], results_path)
    _record(warehouse_url, results_path)
    if args[0] in NODE_COMMANDS and env["DBT_ELEMENTARY_ENABLED"] == "true":
        _record_for_elementary(warehouse_url, results_path.parent)
    if returncode != 0:
        lost = connection_lost(report.failed_nodes, report.statuses["error"] + report.statuses["skipped"], output)
        if lost:
            raise DbtConnectionLost(lost.describe(args[0], warehouse_url))
        detail = "; ".join(report.failures[:10]) or output[-2000:]
        raise DbtError(f"dbt {' '.join(args)} failed (exit {returncode}): {detail}")
    return report


ELEMENTARY_METRICS = "elementary.data_monitoring_metrics"  # Elementary's monitors read and write it


def with_elementary_models(args: list[str], warehouse_url: str) -> list[str]:
    """`args`, with Elementary's own models added to a `build --select` when the warehouse has
    none of them yet: a build of some models only (a scheduled mart, a domain) on a warehouse
    whose first full build has not run would otherwise fail every Elementary monitor of them,
    which reads tables that are not there ("relation none does not exist")."""
    if args[:1] != ["build"] or "--select" not in args:
        return args
    if relation_exists(warehouse_url, ELEMENTARY_METRICS):
        return args
    at = args.index("--select") + 1
    return [*args[:at], "package:elementary", *args[at:]]


def upload_elementary_artifacts(warehouse_url: str, quiet: bool = False) -> bool:
    """Elementary's copy of the project (models, tests, sources, columns: what its report lists),
    uploaded on demand: dbt_project.yml turns the upload at the end of every build off, because
    it can only change when the project does (see orchestration/elt.py). Not a ledger invocation,
    and it leaves the build's manifest and run results in place (`--no-write-json`). False when
    Elementary is not enabled."""
    env = dbt_env(warehouse_url)
    if env["DBT_ELEMENTARY_ENABLED"] != "true":
        return False
    returncode, output = _run_teed([dbt_executable(), "--no-write-json", "run-operation",
                                    "elementary.upload_dbt_artifacts"], env, quiet)
    if returncode != 0:
        raise DbtError(f"dbt run-operation elementary.upload_dbt_artifacts failed (exit {returncode}): "
                       f"{output[-2000:]}")
    return True


def _run_teed(cmd: list[str], env: dict[str, str], quiet: bool) -> tuple[int, str]:
    """Run dbt with its output shown (unless `quiet`) and kept: the exit code and the output's last
    lines. Interrupted (a stage timeout, Ctrl-C, SIGTERM), dbt is stopped too."""
    tail: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)
    process = subprocess.Popen(cmd, cwd=DBT_PROJECT_DIR, env=env, text=True, errors="replace",
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for line in process.stdout:
            tail.append(line)
            if not quiet:
                sys.stdout.write(line)
                sys.stdout.flush()
        return process.wait(), "".join(tail)
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        process.stdout.close()


def _record(warehouse_url: str, results_path: Path) -> None:
    """dbt's results into the run ledger (ops.dbt_invocations); a ledger problem never fails the build."""
    try:
        ledger.record_invocation(warehouse_url, results_path, ledger.CURRENT_RUN.get())
    except Exception as problem:  # noqa: BLE001 - the build's own outcome matters more than its record
        print(f"warning: dbt results not recorded in ops.dbt_invocations: {problem}", file=sys.stderr)


def _record_for_elementary(warehouse_url: str, target_dir: Path) -> None:
    """dbt's results into Elementary's dbt_run_results (orchestration/quality/elementary_run_results.py)."""
    try:
        elementary_run_results.upload(warehouse_url, target_dir)
    except Exception as problem:  # noqa: BLE001 - as for the ledger: the build's outcome matters more
        print(f"warning: dbt results not recorded in {elementary_run_results.TABLE}: {problem}", file=sys.stderr)


def read_run_results(command: str, path: Path) -> DbtReport:
    report = DbtReport(command=command)
    if not path.exists():
        return report
    data = json.loads(path.read_text())
    report.elapsed_seconds = float(data.get("elapsed_time") or 0.0)
    for result in data.get("results", []):
        unique_id = result.get("unique_id", "")
        resource_type = unique_id.split(".", 1)[0]
        status = str(result.get("status"))
        report.statuses[status] += 1
        report.by_type.setdefault(resource_type, Counter())[status] += 1
        if status in ("error", "fail", "runtime error"):
            report.failed_nodes.append((unique_id, (result.get("message") or "").strip()))
    return report


def lint_sql(warehouse_url: str, paths: tuple[str, ...] = ("models", "macros", "tests")) -> int:
    """sqlfluff with the dbt templater (it compiles the project, so it needs the warehouse)."""
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run([str(sqlfluff), "lint", *paths], cwd=DBT_PROJECT_DIR, env=dbt_env(warehouse_url))
    return result.returncode
