"""Settings of the Remotive source, read from the environment (README "Sources")."""

from __future__ import annotations

from dataclasses import dataclass

from dlt_pipelines.common.env import Env, items, text, whole
from dlt_pipelines.job_boards import live_public_apis
from dlt_pipelines.remotive.settings import MAX_CALLS_PER_DAY


@dataclass(frozen=True)
class RemotiveConfig:
    base_url: str | None = None  # REMOTIVE_BASE_URL: the real API or another server
    live: bool = False  # ELT_LIVE_PUBLIC_APIS: the real API at its usual address
    categories: tuple[str, ...] = ("software-dev", "data")  # REMOTIVE_CATEGORIES, one call each; "," = all
    search: str | None = None  # REMOTIVE_SEARCH
    limit: int | None = None  # REMOTIVE_LIMIT
    # REMOTIVE_MAX_CALLS_PER_DAY, 0 = no budget: the API asks for at most 4 calls a day, the sandbox
    # started for the run has no such rule
    max_calls_per_day: int = 0
    rate_limit_per_min: float = 0.0  # the daily call budget is the limit

    @classmethod
    def from_env(cls, env: Env) -> RemotiveConfig:
        base_url, live = text(env, "REMOTIVE_BASE_URL"), live_public_apis(env)
        return cls(
            base_url=base_url,
            live=live,
            categories=items(env, "REMOTIVE_CATEGORIES", ",".join(cls.categories), ",") or ("",),
            search=text(env, "REMOTIVE_SEARCH"),
            limit=whole(env, "REMOTIVE_LIMIT", 0, minimum=1) if text(env, "REMOTIVE_LIMIT") else None,
            max_calls_per_day=whole(env, "REMOTIVE_MAX_CALLS_PER_DAY",
                                    MAX_CALLS_PER_DAY if live or base_url else 0),
        )

    def uses_sandbox(self) -> bool:
        return self.base_url is None and not self.live

    def secrets(self) -> tuple[str, ...]:
        return ()
