"""Settings of the Arbeitnow source, read from the environment (README "Sources")."""

from __future__ import annotations

from dataclasses import dataclass

from dlt_pipelines.arbeitnow.settings import MAX_PAGES
from dlt_pipelines.common.env import Env, number, text, whole
from dlt_pipelines.job_boards import live_public_apis


@dataclass(frozen=True)
class ArbeitnowConfig:
    base_url: str | None = None  # ARBEITNOW_BASE_URL: the real API or another server
    live: bool = False  # ELT_LIVE_PUBLIC_APIS: the real API at its usual address
    max_pages: int = MAX_PAGES  # ARBEITNOW_MAX_PAGES
    rate_limit_per_min: float = 600.0  # ARBEITNOW_RATE_LIMIT_PER_MIN, 30 against the real API

    @classmethod
    def from_env(cls, env: Env) -> ArbeitnowConfig:
        base_url, live = text(env, "ARBEITNOW_BASE_URL"), live_public_apis(env)
        return cls(
            base_url=base_url,
            live=live,
            max_pages=whole(env, "ARBEITNOW_MAX_PAGES", MAX_PAGES, minimum=1),
            rate_limit_per_min=number(env, "ARBEITNOW_RATE_LIMIT_PER_MIN", 30.0 if live or base_url else 600.0),
        )

    def uses_sandbox(self) -> bool:
        return self.base_url is None and not self.live

    def secrets(self) -> tuple[str, ...]:
        return ()
