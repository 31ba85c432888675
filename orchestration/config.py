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
from urllib.parse import unquote, urlsplit

from dlt_pipelines.common.secrets import ScrubbedError

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


class ConfigError(ScrubbedError, RuntimeError):
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



# Operations (orchestration/ops): per-stage limits, the run lock, alerts, backups.
# Stage keys are a stage's name (`warehouse`, `el:jsearch`, `dbt build`, `dbt docs`), its family
# before the colon (`el` for every source) or `*` for every other stage.
DEFAULT_STAGE_TIMEOUTS = "warehouse=300,el=7200,dbt build=3600,dbt docs=900"
DEFAULT_STAGE_RETRIES = "*=0"


def _stage_map(env: dict[str, str], name: str, default: str, kind: type) -> tuple[tuple[str, float], ...]:
    """`stage=value,...` over the defaults, e.g. ELT_STAGE_TIMEOUTS="el=1800,dbt build=600"."""
    values: dict[str, float] = {}
    for text in (default, env.get(name, "")):
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            key, sep, raw = item.rpartition("=")
            try:
                value = kind(raw.strip())
            except ValueError:
                value = -1
            if not sep or not key.strip() or value < 0:
                raise ConfigError(f"{name} must be stage=value pairs separated by ',' with values >= 0 "
                                  f"(stages: warehouse, el or el:<source>, dbt build, dbt docs, *), got {item!r}")
            values[key.strip()] = value
    return tuple(values.items())


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def packages_cache(env: dict[str, str]) -> Path | None:
    """Where released dbt packages are kept for offline installs: DBT_PACKAGES_CACHE, else
    `$XDG_CACHE_HOME` (or `~/.cache`) + `/dbt-packages` when that folder exists, else none."""
    configured = env.get("DBT_PACKAGES_CACHE", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    home = env.get("HOME", "").strip()
    base = env.get("XDG_CACHE_HOME", "").strip() or (str(Path(home) / ".cache") if home else "")
    default = Path(base) / "dbt-packages" if base else None
    return default.resolve() if default and default.is_dir() else None


def elementary_switch(env: dict[str, str]) -> bool:
    """ELT_ELEMENTARY: `auto` (default) runs Elementary's models and monitors wherever its dbt
    packages are installed (make deps); `off` builds without them."""
    raw = env.get("ELT_ELEMENTARY", "").strip().lower() or "auto"
    if raw not in ("auto", "off"):
        raise ConfigError(f"ELT_ELEMENTARY must be auto or off, got {raw!r}")
    return raw == "auto"


def _stage_value(pairs: tuple[tuple[str, float], ...], stage: str, default: float) -> float:
    found = dict(pairs)
    for key in (stage, stage.split(":", 1)[0], "*"):
        if key in found:
            return found[key]
    return default


def _list(env: dict[str, str], name: str, default: str, sep: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    return tuple(part.strip() for part in (raw if raw.strip() else default).split(sep) if part.strip())


def _board_settings(env: dict[str, str]) -> dict[str, object]:
    """Settings of the Remotive, Arbeitnow and Adzuna sources (README "Sources")."""
    live = _bool(env, "ELT_LIVE_PUBLIC_APIS", False)
    remotive_url = env.get("REMOTIVE_BASE_URL", "").strip() or None
    arbeitnow_url = env.get("ARBEITNOW_BASE_URL", "").strip() or None
    app_id = env.get("ADZUNA_APP_ID", "").strip() or None
    app_key = env.get("ADZUNA_APP_KEY", "").strip() or None
    if bool(app_id) != bool(app_key):
        missing = "ADZUNA_APP_KEY" if app_id else "ADZUNA_APP_ID"
        raise ConfigError(f"{missing} is not set: Adzuna needs both ADZUNA_APP_ID and ADZUNA_APP_KEY "
                          "(from https://developer.adzuna.com), or neither to use the local sandbox")
    adzuna_url = env.get("ADZUNA_BASE_URL", "").strip() or None
    countries = tuple(c.lower() for c in _list(env, "ADZUNA_COUNTRIES", "us,gb,de", ","))
    bad = [c for c in countries if not (len(c) == 2 and c.isalpha())]
    if not countries or bad:
        raise ConfigError(f"ADZUNA_COUNTRIES must be two-letter country codes separated by ',' (e.g. us,gb,de), "
                          f"got {env.get('ADZUNA_COUNTRIES')!r}")
    what = _list(env, "ADZUNA_WHAT", "data engineer;software developer", ";")
    per_page = _int(env, "ADZUNA_RESULTS_PER_PAGE", 50, minimum=1)
    if per_page > 50:
        raise ConfigError(f"ADZUNA_RESULTS_PER_PAGE must be at most 50 (the API's maximum), got {per_page}")
    limit = env.get("REMOTIVE_LIMIT", "").strip()
    remotive_live = live or remotive_url is not None
    return {
        "live_public_apis": live,
        "remotive_base_url": remotive_url,
        # "" (all categories) is allowed: REMOTIVE_CATEGORIES=","
        "remotive_categories": _list(env, "REMOTIVE_CATEGORIES", "software-dev,data", ",") or ("",),
        "remotive_search": env.get("REMOTIVE_SEARCH", "").strip() or None,
        "remotive_limit": _int(env, "REMOTIVE_LIMIT", 0, minimum=1) if limit else None,
        # the API asks for at most 4 calls a day; the sandbox started for the run has no such rule
        "remotive_max_calls_per_day": _int(env, "REMOTIVE_MAX_CALLS_PER_DAY", 4 if remotive_live else 0),
        "arbeitnow_base_url": arbeitnow_url,
        "arbeitnow_max_pages": _int(env, "ARBEITNOW_MAX_PAGES", 100, minimum=1),
        "arbeitnow_rate_limit_per_min": _float(env, "ARBEITNOW_RATE_LIMIT_PER_MIN",
                                               30.0 if live or arbeitnow_url else 600.0),
        "adzuna_app_id": app_id,
        "adzuna_app_key": app_key,
        "adzuna_base_url": adzuna_url,
        "adzuna_countries": countries,
        "adzuna_what": what or ("data engineer",),
        "adzuna_results_per_page": per_page,
        "adzuna_max_pages": _int(env, "ADZUNA_MAX_PAGES", 20, minimum=1),
        "adzuna_max_days_old": _int(env, "ADZUNA_MAX_DAYS_OLD", 30, minimum=1),
        "adzuna_lookback_hours": _int(env, "ADZUNA_LOOKBACK_HOURS", 24),
        # the free plan allows 25 calls a minute
        "adzuna_rate_limit_per_min": _float(env, "ADZUNA_RATE_LIMIT_PER_MIN", 24.0 if app_id or adzuna_url else 600.0),
    }


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
    # operations (see README "Operations"); defaults apply when Settings is built directly
    stage_timeouts: tuple[tuple[str, float], ...] = ()  # ELT_STAGE_TIMEOUTS, seconds, 0 = none
    stage_retries: tuple[tuple[str, float], ...] = ()  # ELT_STAGE_RETRIES, extra attempts after a failure
    stage_retry_delay_seconds: float = 10.0  # ELT_STAGE_RETRY_DELAY_SECONDS
    run_lock_wait_seconds: float = 60.0  # ELT_RUN_LOCK_WAIT_SECONDS: how long a second run waits
    alert_webhook_url: str | None = field(default=None, repr=False)  # ALERT_WEBHOOK_URL, a secret
    alert_on_warn: bool = False  # ALERT_ON_WARN
    backup_dir: Path | None = None  # BACKUP_DIR, default <repo>/backups (git-ignored, kept by make clean)
    backup_keep_daily: int = 30  # BACKUP_KEEP_DAILY
    backup_keep_weekly: int = 0  # BACKUP_KEEP_WEEKLY
    github_step_summary: Path | None = None  # GITHUB_STEP_SUMMARY, set by GitHub Actions
    sources: tuple[str, ...] = ()  # ELT_SOURCES: the sources `run` extract-loads, empty = all
    # job boards besides JSearch (see README "Sources"); defaults apply when Settings is built directly
    live_public_apis: bool = False  # ELT_LIVE_PUBLIC_APIS: Remotive and Arbeitnow from the real APIs
    remotive_base_url: str | None = None  # REMOTIVE_BASE_URL
    remotive_categories: tuple[str, ...] = ("software-dev", "data")  # REMOTIVE_CATEGORIES, one call each
    remotive_search: str | None = None  # REMOTIVE_SEARCH
    remotive_limit: int | None = None  # REMOTIVE_LIMIT
    remotive_max_calls_per_day: int = 4  # REMOTIVE_MAX_CALLS_PER_DAY, 0 = no budget
    arbeitnow_base_url: str | None = None  # ARBEITNOW_BASE_URL
    arbeitnow_max_pages: int = 100  # ARBEITNOW_MAX_PAGES
    arbeitnow_rate_limit_per_min: float = 600.0  # ARBEITNOW_RATE_LIMIT_PER_MIN
    adzuna_app_id: str | None = field(default=None, repr=False)  # ADZUNA_APP_ID
    adzuna_app_key: str | None = field(default=None, repr=False)  # ADZUNA_APP_KEY, a secret
    adzuna_base_url: str | None = None  # ADZUNA_BASE_URL
    adzuna_countries: tuple[str, ...] = ("us", "gb", "de")  # ADZUNA_COUNTRIES
    adzuna_what: tuple[str, ...] = ("data engineer", "software developer")  # ADZUNA_WHAT, ';'-separated
    adzuna_results_per_page: int = 50  # ADZUNA_RESULTS_PER_PAGE, at most 50
    adzuna_max_pages: int = 20  # ADZUNA_MAX_PAGES per country and search
    adzuna_max_days_old: int = 30  # ADZUNA_MAX_DAYS_OLD: how far the first run reaches back
    adzuna_lookback_hours: int = 24  # ADZUNA_LOOKBACK_HOURS
    adzuna_rate_limit_per_min: float = 600.0  # ADZUNA_RATE_LIMIT_PER_MIN
    # data quality (orchestration/quality): optional dbt packages and Elementary
    dbt_packages_cache: Path | None = None  # DBT_PACKAGES_CACHE, default ~/.cache/dbt-packages when it exists
    elementary: bool = True  # ELT_ELEMENTARY: auto (True) where its packages are installed, off (False)
    slack_webhook_url: str | None = field(default=None, repr=False)  # SLACK_WEBHOOK_URL for `edr monitor`, a secret

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
            stage_timeouts=_stage_map(env, "ELT_STAGE_TIMEOUTS", DEFAULT_STAGE_TIMEOUTS, float),
            stage_retries=_stage_map(env, "ELT_STAGE_RETRIES", DEFAULT_STAGE_RETRIES, int),
            stage_retry_delay_seconds=_float(env, "ELT_STAGE_RETRY_DELAY_SECONDS", 10.0),
            run_lock_wait_seconds=_float(env, "ELT_RUN_LOCK_WAIT_SECONDS", 60.0),
            alert_webhook_url=env.get("ALERT_WEBHOOK_URL", "").strip() or None,
            alert_on_warn=_bool(env, "ALERT_ON_WARN", False),
            backup_dir=Path(env["BACKUP_DIR"]).resolve() if env.get("BACKUP_DIR", "").strip() else None,
            backup_keep_daily=_int(env, "BACKUP_KEEP_DAILY", 30),
            backup_keep_weekly=_int(env, "BACKUP_KEEP_WEEKLY", 0),
            github_step_summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
            sources=tuple(s.strip() for s in env.get("ELT_SOURCES", "").split(",") if s.strip() not in ("", "all")),
            **_board_settings(env),
            dbt_packages_cache=packages_cache(env),
            elementary=elementary_switch(env),
            slack_webhook_url=env.get("SLACK_WEBHOOK_URL", "").strip() or None,
        )

    @property
    def uses_sandbox(self) -> bool:
        """No key means the local sandbox API, unless a base URL is given explicitly."""
        return self.rapidapi_key is None and self.jsearch_base_url is None

    def uses_sandbox_for(self, source: str) -> bool:
        """Whether `source` is read from the local sandbox: no key (or, for the public APIs, no
        base URL and no ELT_LIVE_PUBLIC_APIS) and no base URL."""
        if source == "remotive":
            return self.remotive_base_url is None and not self.live_public_apis
        if source == "arbeitnow":
            return self.arbeitnow_base_url is None and not self.live_public_apis
        if source == "adzuna":
            return self.adzuna_app_id is None and self.adzuna_base_url is None
        return self.uses_sandbox

    def now(self) -> datetime:
        return self.as_of or datetime.now(timezone.utc)

    def stage_timeout(self, stage: str) -> float:
        """Seconds stage `stage` may take (0: no limit), from ELT_STAGE_TIMEOUTS."""
        pairs = self.stage_timeouts or _stage_map({}, "ELT_STAGE_TIMEOUTS", DEFAULT_STAGE_TIMEOUTS, float)
        return _stage_value(pairs, stage, 0.0)

    def stage_attempts(self, stage: str) -> int:
        """Attempts for stage `stage`: 1 plus its retries from ELT_STAGE_RETRIES."""
        return 1 + int(_stage_value(self.stage_retries, stage, 0))

    @property
    def backups(self) -> Path:
        return self.backup_dir or REPO_ROOT / "backups"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log or an alert: keys, passwords, the webhook URL."""
        found = [self.rapidapi_key, self.alert_webhook_url, self.adzuna_app_id, self.adzuna_app_key,
                 self.slack_webhook_url]
        password = urlsplit(self.warehouse_url).password if self.warehouse_url else None
        found += [password, unquote(password) if password else None]
        return tuple(value for value in found if value)
