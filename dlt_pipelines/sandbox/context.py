"""What the one sandbox server shares between the fake APIs it mounts: one clock, one fault
injection, one server-side rate limit, and request counts per mounted source.

:class:`SandboxState` is the server's (the control endpoints ``/_sandbox/*`` change it);
:class:`SandboxContext` is one mounted source's view of it, handed to the source's ``fake_api``
factory (dlt_pipelines/registry.py). A fake API reads the clock with ``ctx.now()``, asks
``ctx.decide(salt)`` for this request's fault (429 with Retry-After, 5xx or slow; its own request
counter keeps the faults deterministic), reads ``ctx.faults`` for item faults (malformed records,
schema drift) and may honour ``SANDBOX_RATE_LIMIT_PER_MIN`` with ``ctx.admit()``.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from dlt_pipelines.sandbox.config import SandboxConfig, format_time, parse_time
from dlt_pipelines.sandbox.faults import FaultConfig, RequestFault, decide_request


class SandboxState:
    """Mutable runtime state (clock, faults, counters) shared by every request thread and mount."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.faults = config.faults
        self.rate_limit_per_min = config.rate_limit_per_min
        self._frozen_at = config.now  # None: follow the wall clock (plus an offset)
        self._offset = 0
        self.mount_faults: dict[str, FaultConfig] = {}  # a source's own faults, set at runtime
        self.request_numbers: collections.Counter[str] = collections.Counter()
        self.status: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self._window: collections.deque[float] = collections.deque()
        self.mounted: tuple[str, ...] = ()  # the sources the server mounts (set by the server)

    # clock
    def now(self) -> int:
        """Simulated now, epoch seconds."""
        frozen = self._frozen_at
        return frozen if frozen is not None else int(time.time()) + self._offset

    def set_now(self, value: Any) -> int:
        """Freeze the clock at ``value`` (ISO string, datetime or epoch seconds)."""
        with self.lock:
            self._frozen_at = parse_time(value)
            return self._frozen_at

    def advance(self, seconds: float) -> int:
        """Move the clock forward (or back, if negative); a running clock keeps running."""
        with self.lock:
            if self._frozen_at is not None:
                self._frozen_at += int(seconds)
            else:
                self._offset += int(seconds)
            return self.now()

    def use_real_time(self) -> int:
        with self.lock:
            self._frozen_at = None
            self._offset = 0
            return self.now()

    # faults and limits
    def set_faults(self, faults: FaultConfig, rate_limit_per_min: int | None = None,
                   endpoint: str | None = None) -> None:
        """Faults of every mount, or of one (``endpoint``: a mounted source's name); restarts
        the request counters they are drawn with."""
        if endpoint is not None:
            if endpoint not in self.mounted:
                raise ValueError(f"endpoint must be one of {', '.join(self.mounted)}")
            with self.lock:
                self.mount_faults[endpoint] = faults
                self.request_numbers[endpoint] = 0
            return
        with self.lock:
            self.faults = faults
            self.request_numbers.clear()
            if rate_limit_per_min is not None:
                if rate_limit_per_min < 0:
                    raise ValueError("rate_limit_per_min must be >= 0")
                self.rate_limit_per_min = rate_limit_per_min
                self._window.clear()

    def faults_for(self, name: str) -> FaultConfig:
        return self.mount_faults.get(name, self.faults)

    def next_request_number(self, name: str) -> int:
        with self.lock:
            number = self.request_numbers[name]
            self.request_numbers[name] += 1
            return number

    def admit(self) -> int | None:
        """None if the request is within the server-side limit, else seconds to wait."""
        limit = self.rate_limit_per_min
        if not limit:
            return None
        with self.lock:
            moment = time.monotonic()
            window = self._window
            while window and window[0] <= moment - 60.0:
                window.popleft()
            if len(window) >= limit:
                return max(1, math.ceil(60.0 - (moment - window[0])))
            window.append(moment)
            return None

    def count(self, name: str, status: int) -> None:
        with self.lock:
            self.status[name][str(status)] += 1

    def reset(self) -> None:
        """Zero the request counts, the fault counters and the rate-limit window."""
        with self.lock:
            self.status.clear()
            self.request_numbers.clear()
            self._window.clear()

    def snapshot(self, mounted: dict[str, str] | None = None) -> dict[str, Any]:
        with self.lock:
            total: collections.Counter[str] = collections.Counter()
            for counts in self.status.values():
                total.update(counts)
            return {
                "config": self.config.as_dict(),
                "now": format_time(self.now()),
                "clock": "frozen" if self._frozen_at is not None else "running",
                "faults": self.faults.as_dict(),
                "rate_limit_per_min": self.rate_limit_per_min,
                "mounted": dict(mounted or {}),
                "requests": {"total": sum(total.values()), "by_status": dict(sorted(total.items()))},
                "requests_by_endpoint": {name: dict(sorted(c.items())) for name, c in self.status.items()},
                "endpoint_faults": {name: f.as_dict() for name, f in self.mount_faults.items()},
            }


@dataclass(frozen=True)
class SandboxContext:
    """One mounted source's view of the server: what its ``fake_api`` factory is given."""

    name: str  # the source's registry name; its API is served under /<name>
    state: SandboxState
    url: str  # the base URL its clients call (http://host:port/<name>)

    @property
    def config(self) -> SandboxConfig:
        return self.state.config

    @property
    def faults(self) -> FaultConfig:
        """The faults in force for this source (its own if set at runtime, else the server's)."""
        return self.state.faults_for(self.name)

    def now(self) -> int:
        """The server's simulated now (SANDBOX_NOW / ELT_AS_OF, moved by POST /_sandbox/clock)."""
        return self.state.now()

    def admit(self) -> int | None:
        """None within SANDBOX_RATE_LIMIT_PER_MIN (shared by every mount), else seconds to wait."""
        return self.state.admit()

    def decide(self, salt: int = 0) -> RequestFault:
        """This request's fault, drawn from (seed ^ salt, this source's request number)."""
        return decide_request(self.faults, self.config.seed ^ salt, self.state.next_request_number(self.name))
