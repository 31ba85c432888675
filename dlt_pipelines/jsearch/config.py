"""Settings of the JSearch source, read from the environment (README "Sources")."""

from __future__ import annotations

from dataclasses import dataclass, field

from dlt_pipelines.common.env import ConfigError, Env, number, text, whole


@dataclass(frozen=True)
class JSearchConfig:
    api_key: str | None = field(default=None, repr=False)  # RAPIDAPI_KEY, a secret; none = the sandbox
    base_url: str | None = None  # JSEARCH_BASE_URL: another server (also leaves the sandbox)
    queries: tuple[str, ...] = ("data engineer", "software developer")  # JSEARCH_QUERIES, ';'-separated
    country: str = "us"  # JSEARCH_COUNTRY
    num_pages: int = 20  # JSEARCH_NUM_PAGES: pages per call (10 postings each)
    max_pages: int = 500  # JSEARCH_MAX_PAGES per query
    lookback_hours: int = 24  # JSEARCH_LOOKBACK_HOURS: how far back changed postings are looked for
    # JSEARCH_RATE_LIMIT_PER_MIN: 60 protects a paid quota; the local sandbox has none to protect
    rate_limit_per_min: float = 600.0

    @classmethod
    def from_env(cls, env: Env) -> JSearchConfig:
        queries = tuple(q.strip() for q in env.get("JSEARCH_QUERIES", ";".join(cls.queries)).split(";") if q.strip())
        if not queries:
            raise ConfigError("JSEARCH_QUERIES must hold at least one query (separate several with ';')")
        api_key, base_url = text(env, "RAPIDAPI_KEY"), text(env, "JSEARCH_BASE_URL")
        return cls(
            api_key=api_key,
            base_url=base_url,
            queries=queries,
            country=text(env, "JSEARCH_COUNTRY") or cls.country,
            num_pages=whole(env, "JSEARCH_NUM_PAGES", cls.num_pages, minimum=1),
            max_pages=whole(env, "JSEARCH_MAX_PAGES", cls.max_pages, minimum=1),
            lookback_hours=whole(env, "JSEARCH_LOOKBACK_HOURS", cls.lookback_hours),
            rate_limit_per_min=number(env, "JSEARCH_RATE_LIMIT_PER_MIN", 60.0 if api_key or base_url else 600.0),
        )

    def uses_sandbox(self) -> bool:
        return self.api_key is None and self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()
