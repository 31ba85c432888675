"""An HTTP session for paid, rate-limited APIs, shared by every HTTP source.

It plugs into dlt's `RESTClient` (which accepts any `requests.Session`) and adds what the
job-board APIs need and dlt's default client does not give together:
- a client-side rate limit (requests per minute), so a paid quota is not burnt;
- retries on 429, 5xx, timeouts and dropped connections with exponential backoff that honours
  `Retry-After` but never waits less than the backoff, so `Retry-After: 0` cannot burn every
  attempt within milliseconds; counted by cause with the time waited (`retry_stats`), for the run summary;
- errors that say what to do: a rejected key names the variable to set, an exhausted quota says
  so instead of retrying.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests
from requests.hooks import dispatch_hook

from dlt_pipelines.common.secrets import ScrubbedError

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class ApiError(ScrubbedError, RuntimeError):
    """An API call failed for good; the message says why and what to do."""


class ApiAuthError(ApiError):
    """The API rejected the key (401/403)."""


class ApiQuotaExceeded(ApiError):
    """The plan's quota is used up: retrying will not help until it resets."""


class ApiUnavailable(ApiError):
    """Retries were exhausted on transient failures."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    timeout_seconds: float = 30.0
    # A server asking for a longer pause than this is treated as a quota problem, not waited out.
    max_retry_after_seconds: float = 300.0

    def backoff(self, attempt: int) -> float:
        """Wait before retry number `attempt` (1-based): base, 2*base, 4*base, ... capped."""
        return min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))


@dataclass
class RetryStats:
    """The retries a session made: how many by cause (`429`, `503`, ..., `timeout`, `connection`) and
    the seconds waited before them, for the run summary."""

    by_cause: Counter = field(default_factory=Counter)
    seconds_waited: float = 0.0

    @property
    def retries(self) -> int:
        return sum(self.by_cause.values())

    def add(self, cause: str, wait: float) -> None:
        self.by_cause[cause] += 1
        self.seconds_waited += wait

    def describe(self) -> str:
        """`12 (429 x8, 503 x4), waited 3.2s`"""
        causes = ", ".join(f"{cause} x{count}" for cause, count in self.by_cause.most_common())
        return f"{self.retries} ({causes}), waited {self.seconds_waited:.1f}s"


def _cause_of(exc: requests.RequestException) -> str:
    return "timeout" if isinstance(exc, requests.Timeout) else "connection"


class RateLimiter:
    """Spaces requests evenly: at most `per_minute` per rolling minute, 0 means no limit."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_at = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            wait = self._next_at - now
            self._next_at = max(now, self._next_at) + self.interval
        if wait > 0:
            self._sleep(wait)


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` as seconds (delta or HTTP date), or None when absent or unreadable."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _rate_limited(response: requests.Response) -> bool:
    """A 403/429 that is a rate limit (Retry-After, or no request left in the window), not a bad key."""
    return response.headers.get("Retry-After") is not None or response.headers.get("x-ratelimit-remaining") == "0"


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("message", "error"):
            if isinstance(body.get(key), str):
                return body[key]
    return str(body)[:200]


class ResilientSession(requests.Session):
    """A `requests.Session` whose `send` rate-limits, retries and explains failures."""

    def __init__(self, *, api_name: str, key_variable: str, rate_limit_per_min: float = 60.0,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__()
        self.api_name = api_name
        self.key_variable = key_variable
        self.retry = retry or RetryPolicy()
        self.limiter = RateLimiter(rate_limit_per_min, sleep=sleep)
        self._sleep = sleep
        self.attempts_made = 0
        self.waits: list[float] = []
        self.retry_stats = RetryStats()

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.retry.timeout_seconds
        # Response hooks (dlt's RESTClient adds one that raises on 4xx/5xx) run once, on the final
        # response: run on every attempt they would raise before a retry could happen.
        hooks, request.hooks = request.hooks, {"response": []}
        try:
            response = self._send_with_retries(request, **kwargs)
        finally:
            request.hooks = hooks
        return dispatch_hook("response", hooks, response, **kwargs)

    def _send_with_retries(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        last_problem = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            self.limiter.acquire()
            self.attempts_made += 1
            try:
                response = super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                cause = _cause_of(exc)
                wait = self.retry.backoff(attempt)
            else:
                wait_or_none = self._judge(response)
                if wait_or_none is None:
                    return response
                last_problem = f"HTTP {response.status_code}: {_message(response)}"
                cause = str(response.status_code)
                wait = max(wait_or_none, self.retry.backoff(attempt))
            if attempt == self.retry.max_attempts:
                break
            self.waits.append(wait)
            self.retry_stats.add(cause, wait)
            self._sleep(wait)
        raise ApiUnavailable(
            f"{self.api_name}: gave up after {self.retry.max_attempts} attempts; last problem: {last_problem}. "
            "Raise HTTP_MAX_ATTEMPTS or try again later."
        )

    def _judge(self, response: requests.Response) -> float | None:
        """None when the response is final; else the server's requested wait (0 if none)."""
        status = response.status_code
        if status in (403, 429) and _rate_limited(response):
            # GitHub's way: its primary limit answers 403/429 with x-ratelimit-remaining 0 (spent until
            # x-ratelimit-reset: not worth retrying), a secondary limit 403/429 with Retry-After
            if retry_after_seconds(response) is None:
                raise ApiQuotaExceeded(
                    f"{self.api_name}: the rate limit is spent (HTTP {status}: {_message(response)}); "
                    "nothing was lost, the next run resumes.")
            status = 429
        if status in (401, 403):
            raise ApiAuthError(
                f"{self.api_name} rejected the API key (HTTP {status}: {_message(response)}). "
                f"Set {self.key_variable} to a valid key with a subscription to this API, "
                f"or unset it to use the local sandbox."
            )
        if status not in RETRYABLE_STATUS:
            return None
        retry_after = retry_after_seconds(response)
        message = _message(response)
        if status == 429 and retry_after is None and "quota" in message.lower():
            raise ApiQuotaExceeded(
                f"{self.api_name}: the plan's request quota is exhausted ({message}). "
                "Wait for the quota to reset or upgrade the plan; nothing was lost, the next run resumes."
            )
        if retry_after is not None and retry_after > self.retry.max_retry_after_seconds:
            raise ApiQuotaExceeded(
                f"{self.api_name}: asked to wait {retry_after:.0f}s (HTTP {status}: {message}), longer than "
                f"{self.retry.max_retry_after_seconds:.0f}s; stopping instead. The next run resumes."
            )
        return retry_after or 0.0
