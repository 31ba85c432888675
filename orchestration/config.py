"""Every setting of the project, read from the environment in one place.

Each part (dlt sources, dbt, tests, benchmarks, make targets) gets its configuration from
`Settings.from_env()`, so a variable documented here is the only knob there is. Errors name
the variable to set and what it expects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which variable to set."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: dict[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}, got {value}")
    return value


def parse_as_of(raw: str | None) -> datetime | None:
    """`ELT_AS_OF` pins the run's clock (ISO-8601, UTC assumed) for reproducible runs."""
    if not raw or not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"ELT_AS_OF must be an ISO-8601 time such as 2026-03-01T00:00:00Z, got {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def validate_warehouse_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            "WAREHOUSE_URL must be a postgresql:// URL such as "
            f"postgresql://user:password@host:5432/dbname, got scheme {parts.scheme or '(none)'!r}"
        )
    if not parts.path.strip("/"):
        raise ConfigError("WAREHOUSE_URL must name a database, e.g. postgresql://user@host:5432/warehouse")
    return url


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None
    local_warehouse_dir: Path
    build_dir: Path
    rapidapi_key: str | None
    jsearch_base_url: str | None
    jsearch_queries: tuple[str, ...]
    jsearch_country: str
    jsearch_num_pages: int
    jsearch_max_pages: int
    rate_limit_per_min: float
    max_attempts: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    request_timeout_seconds: float
    lookback_hours: int
    as_of: datetime | None
    env: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("WAREHOUSE_URL", "").strip() or None
        if url:
            validate_warehouse_url(url)
        queries = tuple(
            q.strip() for q in env.get("JSEARCH_QUERIES", "data engineer;software developer").split(";") if q.strip()
        )
        if not queries:
            raise ConfigError("JSEARCH_QUERIES must hold at least one query (separate several with ';')")
        sandbox_off = bool(env.get("RAPIDAPI_KEY", "").strip() or env.get("JSEARCH_BASE_URL", "").strip())
        return cls(
            warehouse_url=url,
            local_warehouse_dir=Path(env.get("LOCAL_WAREHOUSE_DIR") or REPO_ROOT / ".warehouse").resolve(),
            build_dir=Path(env.get("ELT_BUILD_DIR") or REPO_ROOT / "build").resolve(),
            rapidapi_key=env.get("RAPIDAPI_KEY", "").strip() or None,
            jsearch_base_url=env.get("JSEARCH_BASE_URL", "").strip() or None,
            jsearch_queries=queries,
            jsearch_country=env.get("JSEARCH_COUNTRY", "us").strip() or "us",
            jsearch_num_pages=_int(env, "JSEARCH_NUM_PAGES", 20, minimum=1),
            jsearch_max_pages=_int(env, "JSEARCH_MAX_PAGES", 500, minimum=1),
            # 60/min protects a paid quota; the local sandbox has none to protect
            rate_limit_per_min=_float(env, "JSEARCH_RATE_LIMIT_PER_MIN", 60.0 if sandbox_off else 600.0),
            max_attempts=_int(env, "HTTP_MAX_ATTEMPTS", 6, minimum=1),
            backoff_base_seconds=_float(env, "HTTP_BACKOFF_BASE_SECONDS", 1.0),
            backoff_max_seconds=_float(env, "HTTP_BACKOFF_MAX_SECONDS", 60.0),
            request_timeout_seconds=_float(env, "HTTP_TIMEOUT_SECONDS", 30.0, minimum=0.1),
            lookback_hours=_int(env, "JSEARCH_LOOKBACK_HOURS", 24),
            as_of=parse_as_of(env.get("ELT_AS_OF")),
            env=env,
        )

    @property
    def uses_sandbox(self) -> bool:
        """No key means the local sandbox API, unless a base URL is given explicitly."""
        return self.rapidapi_key is None and self.jsearch_base_url is None

    def now(self) -> datetime:
        return self.as_of or datetime.now(timezone.utc)
