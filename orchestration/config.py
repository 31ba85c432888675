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

from dlt_pipelines import registry
from dlt_pipelines.common.env import ConfigError, Env, flag, items, number, whole
from orchestration.spark.settings import SparkSettings, engine

__all__ = ["ConfigError", "Settings"]

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def dbt_target_dir() -> Path:
    """Where dbt writes its artifacts: DBT_TARGET_PATH (dbt's own variable; the test suite gives each
    parallel worker its own), else dbt_project/target."""
    configured = os.environ.get("DBT_TARGET_PATH", "").strip()
    return Path(configured) if configured else DBT_PROJECT_DIR / "target"


def parse_as_of(raw: str | None) -> datetime | None:
    """`ELT_AS_OF` pins the run's clock (ISO-8601, UTC assumed) for reproducible runs."""
    if not raw or not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"ELT_AS_OF must be an ISO-8601 time such as 2026-03-01T00:00:00Z, got {raw!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _run_id(env: Env) -> str | None:
    raw = env.get("ELT_RUN_ID", "").strip()
    if raw and not (raw.isalnum() and len(raw) <= 40):
        raise ConfigError(f"ELT_RUN_ID must be letters and digits (at most 40), got {raw!r}")
    return raw or None


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


def source_configs(env: Env) -> dict[str, object]:
    """Every registered source's settings (dlt_pipelines/<source>/config.py), read now so that a
    bad value fails the run before anything starts."""
    return {name: spec.read_config(env) for name, spec in registry.sources().items()}


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None
    local_warehouse_dir: Path
    build_dir: Path
    max_attempts: int
    backoff_base_seconds: float
    backoff_max_seconds: float
    request_timeout_seconds: float
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
    domains: tuple[str, ...] = ()  # ELT_DOMAINS: only the sources of these domains (job_market, ...), empty = all
    schedule: str = ""  # ELT_SCHEDULE: the cron that fired, for `make scheduled` (orchestration/schedule.py)
    # each source's own settings by source name (dlt_pipelines/<source>/config.py): see source_config
    source_configs: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    # data quality (orchestration/quality): optional dbt packages and Elementary
    dbt_packages_cache: Path | None = None  # DBT_PACKAGES_CACHE, default ~/.cache/dbt-packages when it exists
    elementary: bool = True  # ELT_ELEMENTARY: auto (True) where its packages are installed, off (False)
    slack_webhook_url: str | None = field(default=None, repr=False)  # SLACK_WEBHOOK_URL for `edr monitor`, a secret
    run_id: str | None = None  # ELT_RUN_ID: the id `run` records in ops.run_log (the REST API names its runs)
    # WAREHOUSE_ENGINE: postgres (default) or spark; the cluster's settings (orchestration/spark/settings.py)
    engine: str = "postgres"
    spark: SparkSettings | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("WAREHOUSE_URL", "").strip() or None
        if url:
            validate_warehouse_url(url)
        return cls(
            warehouse_url=url,
            local_warehouse_dir=Path(env.get("LOCAL_WAREHOUSE_DIR") or REPO_ROOT / ".warehouse").resolve(),
            build_dir=Path(env.get("ELT_BUILD_DIR") or REPO_ROOT / "build").resolve(),
            max_attempts=whole(env, "HTTP_MAX_ATTEMPTS", 6, minimum=1),
            backoff_base_seconds=number(env, "HTTP_BACKOFF_BASE_SECONDS", 1.0),
            backoff_max_seconds=number(env, "HTTP_BACKOFF_MAX_SECONDS", 60.0),
            request_timeout_seconds=number(env, "HTTP_TIMEOUT_SECONDS", 30.0, minimum=0.1),
            as_of=parse_as_of(env.get("ELT_AS_OF")),
            env=env,
            stage_timeouts=_stage_map(env, "ELT_STAGE_TIMEOUTS", DEFAULT_STAGE_TIMEOUTS, float),
            stage_retries=_stage_map(env, "ELT_STAGE_RETRIES", DEFAULT_STAGE_RETRIES, int),
            stage_retry_delay_seconds=number(env, "ELT_STAGE_RETRY_DELAY_SECONDS", 10.0),
            run_lock_wait_seconds=number(env, "ELT_RUN_LOCK_WAIT_SECONDS", 60.0),
            alert_webhook_url=env.get("ALERT_WEBHOOK_URL", "").strip() or None,
            alert_on_warn=flag(env, "ALERT_ON_WARN", False),
            backup_dir=Path(env["BACKUP_DIR"]).resolve() if env.get("BACKUP_DIR", "").strip() else None,
            backup_keep_daily=whole(env, "BACKUP_KEEP_DAILY", 30),
            backup_keep_weekly=whole(env, "BACKUP_KEEP_WEEKLY", 0),
            github_step_summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
            sources=tuple(s for s in items(env, "ELT_SOURCES", "", ",") if s != "all"),
            domains=items(env, "ELT_DOMAINS", "", ","),
            schedule=" ".join(env.get("ELT_SCHEDULE", "").split()),
            source_configs=source_configs(env),
            dbt_packages_cache=packages_cache(env),
            elementary=elementary_switch(env),
            slack_webhook_url=env.get("SLACK_WEBHOOK_URL", "").strip() or None,
            run_id=_run_id(env),
            engine=engine(env),
            spark=SparkSettings.from_env(env, Path(env.get("ELT_BUILD_DIR") or REPO_ROOT / "build") / "spark"),
        )

    def source_config(self, source: str):
        """The settings of source `source` (an unknown name is an error listing the known ones)."""
        if source not in self.source_configs:
            self.source_configs[source] = registry.get(source).read_config(self.env)
        return self.source_configs[source]

    def run_sources(self) -> tuple[str, ...]:
        """The sources a run extract-loads: ELT_SOURCES, else every registered one, narrowed to the
        domains of ELT_DOMAINS."""
        known = registry.names()
        unknown = sorted(set(self.sources) - set(known))
        if unknown:
            raise ConfigError(f"ELT_SOURCES names unknown sources {', '.join(unknown)}; known: {', '.join(known)}")
        domains = sorted({spec.domain for spec in registry.sources().values()})
        unknown = sorted(set(self.domains) - set(domains))
        if unknown:
            raise ConfigError(f"ELT_DOMAINS names unknown domains {', '.join(unknown)}; known: {', '.join(domains)}")
        chosen = tuple(name for name in self.sources or known
                       if not self.domains or registry.get(name).domain in self.domains)
        if not chosen:
            raise ConfigError(f"ELT_SOURCES ({', '.join(self.sources)}) has no source of the domains in ELT_DOMAINS "
                              f"({', '.join(self.domains)})")
        return chosen

    def uses_sandbox_for(self, source: str) -> bool:
        """Whether `source` is read from its local sandbox: no key and no base URL configured."""
        return self.source_config(source).uses_sandbox()

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
        found = [self.alert_webhook_url, self.slack_webhook_url]
        found += [secret for name in registry.names() for secret in self.source_config(name).secrets()]
        password = urlsplit(self.warehouse_url).password if self.warehouse_url else None
        found += [password, unquote(password) if password else None]
        return tuple(value for value in found if value)
