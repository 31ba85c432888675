"""Sandbox configuration, read from ``SANDBOX_*`` environment variables.

The sandbox is the default data source when no ``RAPIDAPI_KEY`` is set, so everything
that changes what it serves is configurable from the environment:

``SANDBOX_SEED``               int, default 42. Same seed => same catalogue everywhere.
``SANDBOX_NOW``                ISO-8601 UTC instant (e.g. ``2026-03-01T12:00:00Z``) freezing the
                               simulated clock. Unset: the clock follows real time.
``SANDBOX_POSTINGS_PER_DAY``   float, default 60. Posting i is posted at
                               ``EPOCH + i * 86400 / postings_per_day`` (EPOCH = 2026-01-01Z).
``SANDBOX_HISTORY_DAYS``       int, default 30. Window served for ``date_posted=all``.
``SANDBOX_MAX_NUM_PAGES``      int, default 20 (like the real API). Larger num_pages -> 400.
``SANDBOX_PAGE_SIZE``          int, default 10 (like the real API).
``SANDBOX_FAULTS``             fault settings, see :mod:`dlt_pipelines.sandbox.faults`.
``SANDBOX_RATE_LIMIT_PER_MIN`` int, default 0 (off). Server-side limit over a sliding 60 s of
                               real time; excess requests get 429 with ``Retry-After``.
``SANDBOX_REPOST_RATE``        float, default 0.05. Share of postings that repost an earlier one.
``SANDBOX_DIRTY_RATE``         float, default 0.03. Share of postings with a dirty value.
``SANDBOX_PAGE_DUP_RATE``      float, default 0.01. Share of page boundaries where the last
                               item of a page is served again first on the next page.
``SANDBOX_SALARY_RATE``        float, default 0.6. Share of postings with a salary range.
``SANDBOX_COUNTRY_FILTER``     bool, default false. The catalogue spans US, GB, DE, FR, NL, CA, IN
                               and AU; by default ``country`` is only echoed (like ``query``) so a
                               client that always sends ``country=us`` still sees every market.
                               True: ``country`` narrows results to that ISO-2 code, as the
                               real API does.
``SANDBOX_CFBD_QUOTA``         int, default 1000 (CFBD's free tier). The CFBD fake API's monthly
                               call quota (dlt_pipelines/cfbd/sandbox.py); once used up every call
                               answers 429 "Monthly call quota exceeded".
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dlt_pipelines.sandbox.faults import FaultConfig

EPOCH = 1767225600  # 2026-01-01T00:00:00Z: posting 0 is posted at this instant
ENV_PREFIX = "SANDBOX_"


def parse_time(value: int | float | str | datetime) -> int:
    """Epoch seconds from an int, an ISO-8601 string (``Z`` allowed) or a datetime; naive = UTC."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a time")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp())
    raise TypeError(f"cannot read a time from {value!r}")


def _parse_bool(text: str, name: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={text!r} is not a boolean")


def format_time(epoch_seconds: int) -> str:
    """ISO-8601 UTC with a ``Z`` suffix, second precision."""
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that determines what the sandbox serves; immutable so it can be shared."""

    seed: int = 42
    postings_per_day: float = 60.0
    history_days: int = 30
    max_num_pages: int = 20
    page_size: int = 10
    now: int | None = None  # epoch seconds; ISO strings and datetimes are accepted and converted
    faults: FaultConfig = field(default_factory=FaultConfig)
    rate_limit_per_min: int = 0
    repost_rate: float = 0.05
    dirty_rate: float = 0.03
    page_dup_rate: float = 0.01
    salary_rate: float = 0.6
    country_filter: bool = False
    cfbd_quota: int = 1000

    def __post_init__(self) -> None:
        if self.now is not None and not isinstance(self.now, int):
            object.__setattr__(self, "now", parse_time(self.now))
        if isinstance(self.faults, str):
            object.__setattr__(self, "faults", FaultConfig.parse(self.faults))
        elif isinstance(self.faults, Mapping):
            object.__setattr__(self, "faults", FaultConfig.from_mapping(self.faults))
        if self.postings_per_day <= 0:
            raise ValueError("postings_per_day must be > 0")
        if self.history_days < 0:
            raise ValueError("history_days must be >= 0")
        if self.page_size < 1 or self.max_num_pages < 1:
            raise ValueError("page_size and max_num_pages must be >= 1")
        if self.rate_limit_per_min < 0:
            raise ValueError("rate_limit_per_min must be >= 0")
        if self.cfbd_quota < 0:
            raise ValueError("cfbd_quota must be >= 0")
        for name in ("repost_rate", "dirty_rate", "page_dup_rate", "salary_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")

    @property
    def interval_seconds(self) -> float:
        """Seconds between two consecutive postings."""
        return 86400.0 / self.postings_per_day

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SandboxConfig:
        """Read ``SANDBOX_*`` variables (from ``os.environ`` unless a mapping is given)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value if value not in (None, "") else None

        kwargs: dict[str, Any] = {}
        casts = {
            "SEED": ("seed", int),
            "POSTINGS_PER_DAY": ("postings_per_day", float),
            "HISTORY_DAYS": ("history_days", int),
            "MAX_NUM_PAGES": ("max_num_pages", int),
            "PAGE_SIZE": ("page_size", int),
            "RATE_LIMIT_PER_MIN": ("rate_limit_per_min", int),
            "REPOST_RATE": ("repost_rate", float),
            "DIRTY_RATE": ("dirty_rate", float),
            "PAGE_DUP_RATE": ("page_dup_rate", float),
            "SALARY_RATE": ("salary_rate", float),
            "CFBD_QUOTA": ("cfbd_quota", int),
        }
        for env_name, (attr, cast) in casts.items():
            raw = get(env_name)
            if raw is not None:
                try:
                    kwargs[attr] = cast(raw)
                except ValueError as exc:
                    raise ValueError(
                        f"{ENV_PREFIX}{env_name}={raw!r} is not a valid {cast.__name__}"
                    ) from exc
        country_filter = get("COUNTRY_FILTER")
        if country_filter is not None:
            kwargs["country_filter"] = _parse_bool(country_filter, ENV_PREFIX + "COUNTRY_FILTER")
        now = get("NOW")
        if now is not None:
            kwargs["now"] = parse_time(now)
        faults = get("FAULTS")
        if faults is not None:
            try:
                kwargs["faults"] = FaultConfig.parse(faults)
            except ValueError as exc:
                raise ValueError(f"{ENV_PREFIX}FAULTS: {exc} (e.g. {ENV_PREFIX}FAULTS=rate_limit=0.1,retry_after=1)"
                                 ) from None
        return cls(**kwargs)

    def to_env(self) -> dict[str, str]:
        """``SANDBOX_*`` variables that reproduce this config in another process."""
        env = {
            "SANDBOX_SEED": str(self.seed),
            "SANDBOX_POSTINGS_PER_DAY": repr(float(self.postings_per_day)),
            "SANDBOX_HISTORY_DAYS": str(self.history_days),
            "SANDBOX_MAX_NUM_PAGES": str(self.max_num_pages),
            "SANDBOX_PAGE_SIZE": str(self.page_size),
            "SANDBOX_FAULTS": self.faults.to_string(),
            "SANDBOX_RATE_LIMIT_PER_MIN": str(self.rate_limit_per_min),
            "SANDBOX_REPOST_RATE": repr(self.repost_rate),
            "SANDBOX_DIRTY_RATE": repr(self.dirty_rate),
            "SANDBOX_PAGE_DUP_RATE": repr(self.page_dup_rate),
            "SANDBOX_SALARY_RATE": repr(self.salary_rate),
            "SANDBOX_COUNTRY_FILTER": "true" if self.country_filter else "false",
            "SANDBOX_CFBD_QUOTA": str(self.cfbd_quota),
        }
        env["SANDBOX_NOW"] = format_time(self.now) if self.now is not None else ""
        return env

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view (used by ``GET /_sandbox/state``)."""
        data = dataclasses.asdict(self)
        data["now"] = format_time(self.now) if self.now is not None else None
        return data

    def replace(self, **changes: Any) -> SandboxConfig:
        return dataclasses.replace(self, **changes)
