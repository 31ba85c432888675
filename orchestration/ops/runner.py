"""`run` with its operations around it: the run lock, the run ledger, the alert on failure (and on
warnings with ALERT_ON_WARN), and the GitHub Actions run summary."""

from __future__ import annotations

import re
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from dlt_pipelines.common.secrets import scrub
from orchestration import warehouse
from orchestration.config import Settings, dbt_target_dir
from orchestration.elt import RunSummary, StageError, _stage
from orchestration.ops import OpsError, append_step_summary, run_log, utc
from orchestration.ops.alerts import send_alert, warned_tests
from orchestration.ops.lock import RunLock, live_run_ids
from orchestration.quality import ledger

T = TypeVar("T")
_STAGE_NAME = re.compile(r"^stage '([^']+)'")


def last_run_manifest(settings: Settings) -> Path:
    """dbt's manifest as of the last successful run: the production state for `make ci-slim`."""
    return settings.build_dir / "last-run" / "manifest.json"


def keep_manifest(settings: Settings, target_dir: Path | None = None) -> None:
    source = (target_dir or dbt_target_dir()) / "manifest.json"
    if source.is_file():
        destination = last_run_manifest(settings)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def _stage_of(exc: BaseException) -> str | None:
    found = _STAGE_NAME.match(str(exc))
    return found.group(1) if found else None


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"terminated by signal {signal.Signals(signum).name}")


def _connected_warehouse(settings: Settings) -> str:
    """The warehouse URL, once a connection to it worked (else stage 'warehouse' fails, saying why)."""
    with _stage(RunSummary(""), "warehouse"):
        url = warehouse.resolve_url(settings)
        warehouse.check_connection(url)
    return url


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def mark_killed_runs(url: str, holder: str, log: Callable[[str], None]) -> list[run_log.RunRecord]:
    """Runs left `running` by a killed process (their lock is free), marked `killed` in ops.run_log;
    called by `holder` (a run's id, or el-/ci-...) while it holds the run lock."""
    marked = run_log.mark_killed(url, holder, live_run_ids(url))
    for record in marked:
        log(f"run {record.run_id} (started {utc(record.started_at)}) never finished and holds no lock: "
            "marked killed in ops.run_log")
    return marked


def under_run_lock(settings: Settings, work: Callable[[str], T], label: str = "el",
                   log: Callable[[str], None] | None = None) -> T:
    """`make el` (and replays), `make ci-slim`: `work(url)` under the same run lock as `run`, after
    checking the warehouse connection, so an extract-load never shares dlt's working folder with a run.
    Like a run, it marks the runs it finds killed."""
    url = _connected_warehouse(settings)
    holder = f"{label}-{uuid.uuid4().hex[:9]}"
    with RunLock(url, settings.run_lock_wait_seconds, holder, log=log):
        mark_killed_runs(url, holder, log or _stderr)
        return work(url)


def guarded_run(settings: Settings, work: Callable[[], RunSummary],
                log: Callable[[str], None] | None = None) -> RunSummary:
    """Run `work` (run_all) holding the run lock, recorded in ops.run_log; alert when it fails.
    SIGTERM (a cancelled or timed-out CI job) ends it like Ctrl-C: recorded as failed and alerted."""
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        return _guarded_run(settings, work, log)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)


def _guarded_run(settings: Settings, work: Callable[[], RunSummary],
                 log: Callable[[str], None] | None = None) -> RunSummary:
    log = log or _stderr
    run_id = settings.run_id or uuid.uuid4().hex[:12]
    secrets = settings.secrets()
    url = None
    recorded = False
    try:
        settings.run_sources()  # an unknown name fails before the warehouse is touched
        url = _connected_warehouse(settings)
        with RunLock(url, settings.run_lock_wait_seconds, run_id, log=log):
            run_log.record_start(url, run_id, datetime.now(timezone.utc))
            recorded = True
            mark_killed_runs(url, run_id, log)
            with ledger.run_context(run_id):  # dbt results and loads are recorded under this run id
                summary = work()
            warnings = summary.build.count("test", "warn") if summary.build else 0
            message = "; ".join(summary.lines())
            run_log.record_finish(url, run_id, "succeeded", scrub(message, secrets))
    except (Exception, KeyboardInterrupt) as exc:
        stage = _stage_of(exc) or ("run lock" if isinstance(exc, OpsError) else None)
        cause = scrub(str(exc) or type(exc).__name__, secrets)
        if recorded:
            try:
                run_log.record_finish(url, run_id, "failed", cause, stage)
            except Exception as ledger_problem:  # noqa: BLE001 - the run's own failure matters more
                log(f"warning: could not record the failure in ops.run_log: {scrub(str(ledger_problem), secrets)}")
        where = f" in stage '{stage}'" if stage else ""
        target = f" on {scrub(url)}" if url else ""
        send_alert(settings, f"ELT run {run_id} failed{where}{target}: {cause}", log)
        append_step_summary(settings, f"ELT run {run_id} failed", [cause])
        if cause != str(exc) and isinstance(exc, (StageError, OpsError)):
            raise type(exc)(cause) from exc
        raise
    lines = summary.lines()
    append_step_summary(settings, f"ELT run {run_id} succeeded", lines)
    keep_manifest(settings)
    if warnings and settings.alert_on_warn:
        names = ", ".join(warned_tests()[:10])
        send_alert(settings, f"ELT run {run_id} succeeded with {warnings} data-quality warnings"
                             f"{' (' + names + ')' if names else ''} on {scrub(url)}", log)
    return summary
