"""Settings of the Adzuna source, read from the environment (README "Sources")."""

from __future__ import annotations

from dataclasses import dataclass, field

from dlt_pipelines.adzuna.settings import MAX_RESULTS_PER_PAGE
from dlt_pipelines.common.env import ConfigError, Env, items, number, text, whole


@dataclass(frozen=True)
class AdzunaConfig:
    # ADZUNA_APP_ID and ADZUNA_APP_KEY (free at https://developer.adzuna.com), both or neither (the sandbox)
    app_id: str | None = field(default=None, repr=False)
    app_key: str | None = field(default=None, repr=False)  # a secret
    base_url: str | None = None  # ADZUNA_BASE_URL
    countries: tuple[str, ...] = ("us", "gb", "de")  # ADZUNA_COUNTRIES, ','-separated
    what: tuple[str, ...] = ("data engineer", "software developer")  # ADZUNA_WHAT, ';'-separated
    results_per_page: int = MAX_RESULTS_PER_PAGE  # ADZUNA_RESULTS_PER_PAGE, at most 50
    max_pages: int = 20  # ADZUNA_MAX_PAGES per country and search
    max_days_old: int = 30  # ADZUNA_MAX_DAYS_OLD: how far the first run reaches back
    lookback_hours: int = 24  # ADZUNA_LOOKBACK_HOURS
    rate_limit_per_min: float = 600.0  # ADZUNA_RATE_LIMIT_PER_MIN; the free plan allows 25 calls a minute

    @classmethod
    def from_env(cls, env: Env) -> AdzunaConfig:
        app_id, app_key = text(env, "ADZUNA_APP_ID"), text(env, "ADZUNA_APP_KEY")
        if bool(app_id) != bool(app_key):
            missing = "ADZUNA_APP_KEY" if app_id else "ADZUNA_APP_ID"
            raise ConfigError(f"{missing} is not set: Adzuna needs both ADZUNA_APP_ID and ADZUNA_APP_KEY "
                              "(from https://developer.adzuna.com), or neither to use the local sandbox")
        countries = tuple(c.lower() for c in items(env, "ADZUNA_COUNTRIES", ",".join(cls.countries), ","))
        if not countries or any(not (len(c) == 2 and c.isalpha()) for c in countries):
            raise ConfigError("ADZUNA_COUNTRIES must be two-letter country codes separated by ',' "
                              f"(e.g. us,gb,de), got {env.get('ADZUNA_COUNTRIES')!r}")
        per_page = whole(env, "ADZUNA_RESULTS_PER_PAGE", MAX_RESULTS_PER_PAGE, minimum=1)
        if per_page > MAX_RESULTS_PER_PAGE:
            raise ConfigError(f"ADZUNA_RESULTS_PER_PAGE must be at most {MAX_RESULTS_PER_PAGE} (the API's maximum), "
                              f"got {per_page}")
        base_url = text(env, "ADZUNA_BASE_URL")
        return cls(
            app_id=app_id,
            app_key=app_key,
            base_url=base_url,
            countries=countries,
            what=items(env, "ADZUNA_WHAT", ";".join(cls.what), ";") or ("data engineer",),
            results_per_page=per_page,
            max_pages=whole(env, "ADZUNA_MAX_PAGES", cls.max_pages, minimum=1),
            max_days_old=whole(env, "ADZUNA_MAX_DAYS_OLD", cls.max_days_old, minimum=1),
            lookback_hours=whole(env, "ADZUNA_LOOKBACK_HOURS", cls.lookback_hours),
            rate_limit_per_min=number(env, "ADZUNA_RATE_LIMIT_PER_MIN", 24.0 if app_id or base_url else 600.0),
        )

    def uses_sandbox(self) -> bool:
        return self.app_id is None and self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        return tuple(value for value in (self.app_id, self.app_key) if value)
