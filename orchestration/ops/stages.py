"""Per-stage timeouts and retries for the stages of a run (`warehouse`, `el:<source>`, `dbt build`,
`dbt docs`), configured by ELT_STAGE_TIMEOUTS, ELT_STAGE_RETRIES and ELT_STAGE_RETRY_DELAY_SECONDS.

A stage that exceeds its limit is interrupted (SIGALRM in the main thread: a blocked HTTP read,
a dbt subprocess being waited on, a sleep) and fails with "stage 'x' failed: timed out after Ns".
A failed stage is retried only when that is safe and useful: every stage is idempotent (dlt merges
on the key and loads a crashed run's packages first, dbt rebuilds what is pending), but a rejected
key, an exhausted quota or bad configuration fail the same way again, so they are not retried.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from dlt_pipelines.common.http import ApiAuthError, ApiQuotaExceeded
from orchestration.config import ConfigError, Settings

T = TypeVar("T")
NOT_RETRIED = (ApiAuthError, ApiQuotaExceeded, ConfigError, KeyboardInterrupt, SystemExit)  # last: Ctrl-C, SIGTERM
REPEAT_SECONDS = 5.0


class StageTimeout(Exception):
    """Raised inside a stage when its time limit is reached."""


class _Deadline:
    """Arms SIGALRM for `seconds` (0: no limit). Only the main thread can receive signals; elsewhere
    the stage runs without a limit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._armed = seconds > 0 and threading.current_thread() is threading.main_thread()
        self._previous = None

    def _on_alarm(self, signum, frame):
        self.fired = True
        raise StageTimeout(f"timed out after {self.seconds:g}s")

    def __enter__(self) -> _Deadline:
        if self._armed:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
            # fires again every few seconds in case code in the stage swallows the first interruption
            signal.setitimer(signal.ITIMER_REAL, self.seconds, REPEAT_SECONDS)
        return self

    def __exit__(self, *exc) -> bool:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous or signal.SIG_DFL)
        return False


def retryable(exc: BaseException) -> bool:
    """False when the cause will fail the same way again (bad key, exhausted quota, bad settings)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, NOT_RETRIED):
            return False
        seen = seen.__cause__ or seen.__context__
    return True


def run_stage(settings: Settings, name: str, timer: Callable[[], AbstractContextManager], work: Callable[[], T],
              log: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `work` as stage `name` inside `timer()` (orchestration.elt's `_stage`, which turns any
    failure into a StageError naming the stage), under the stage's time limit, retrying as configured."""
    from orchestration.elt import StageError  # elt imports this module

    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    attempts, limit = settings.stage_attempts(name), settings.stage_timeout(name)
    for attempt in range(1, attempts + 1):
        deadline = _Deadline(limit)
        try:
            with deadline, timer():
                return work()
        except (StageError, StageTimeout) as exc:  # StageTimeout: the limit hit just as the stage ended
            failure = exc if isinstance(exc, StageError) else StageError(f"stage '{name}' failed: {exc}")
            if deadline.fired:
                failure = StageError(f"stage '{name}' failed: timed out after {limit:g}s "
                                     "(the limit is set by ELT_STAGE_TIMEOUTS)")
                failure.__cause__ = exc
        if attempt == attempts or not retryable(failure):
            raise failure
        delay = settings.stage_retry_delay_seconds
        log(f"{failure} (attempt {attempt} of {attempts}); retrying in {delay:g}s")
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
