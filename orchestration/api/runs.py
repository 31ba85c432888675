"""Runs the API starts: `python -m orchestration run` in its own process, named by ELT_RUN_ID, so
its row of ops.run_log is found; it takes the run lock like any run (a second one waits for it,
ELT_RUN_LOCK_WAIT_SECONDS, never overlapping). Its output goes to build/api/runs/<run id>.log."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import REPO_ROOT, Settings


@dataclass
class Launched:
    run_id: str
    sources: tuple[str, ...]
    full_build: bool
    log_path: Path
    process: subprocess.Popen

    @property
    def exit_code(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = 5) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


class RunLauncher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.launched: dict[str, Launched] = {}
        self._lock = threading.Lock()

    def start(self, sources: tuple[str, ...], full_build: bool) -> Launched:
        run_id = uuid.uuid4().hex[:12]
        folder = self.settings.build_dir / "api" / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / f"{run_id}.log"
        env = {**self.settings.env, "ELT_RUN_ID": run_id, "ELT_SOURCES": ",".join(sources)}
        command = [sys.executable, "-m", "orchestration", "run", *(["--full-build"] if full_build else [])]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        launched = Launched(run_id, sources, full_build, log_path, process)
        with self._lock:
            self.launched[run_id] = launched
        return launched

    def get(self, run_id: str) -> Launched | None:
        with self._lock:
            return self.launched.get(run_id)

    def stop_all(self) -> None:
        """At shutdown: the runs still going are ended (recorded as failed by their own handler)."""
        with self._lock:
            running = [item.process for item in self.launched.values() if item.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
