"""Settings of the CollegeFootballData source, read from the environment (dlt_pipelines/cfbd/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlt_pipelines.common.env import ConfigError, Env, flag, items, number, text, whole

_SEASONS = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
DIVISIONS = ("fbs", "fcs", "ii", "iii")


def _seasons(env: Env, name: str) -> tuple[int, ...]:
    """`2023-2024`, `2021,2023` or a mix; none = the previous and the current season by the run clock."""
    found: set[int] = set()
    for part in items(env, name, "", ","):
        match = _SEASONS.match(part)
        first, last = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
        if not match or not 1869 <= first <= last <= 2100:
            raise ConfigError(f"{name} must be seasons such as 2023-2024 or 2021,2023 (years 1869-2100, "
                              f"ranges ascending), got {env[name]!r}")
        found.update(range(first, last + 1))
    return tuple(sorted(found))


def _division(env: Env, name: str) -> str:
    value = (text(env, name) or "fbs").lower()
    if value not in DIVISIONS:
        raise ConfigError(f"{name} must be one of {', '.join(DIVISIONS)}, got {value!r}")
    return value


@dataclass(frozen=True)
class CfbdConfig:
    api_key: str | None = None  # CFBD_API_KEY (secret, sent as a Bearer token); none = the local sandbox
    base_url: str | None = None  # CFBD_BASE_URL: the real API (the default with a key) or another server
    seasons: tuple[int, ...] = ()  # CFBD_SEASONS: e.g. 2023-2024; none = the previous and current season
    conferences: tuple[str, ...] = ()  # CFBD_CONFERENCES: abbreviations (SEC,B1G); one /games call each; none = all
    division: str = "fbs"  # CFBD_DIVISION: the `classification` games and box scores are asked for
    max_calls_per_run: int = 40  # CFBD_MAX_CALLS_PER_RUN: a run plans its calls within this (1,000/month free)
    recent_weeks: int = 2  # CFBD_RECENT_WEEKS: the current season reloads this many played weeks and the next
    box_scores: bool = True  # CFBD_BOX_SCORES: /games/teams per played week, after everything else
    rankings: bool = True  # CFBD_RANKINGS: /rankings per season
    rate_limit_per_min: float = 600.0  # CFBD_RATE_LIMIT_PER_MIN: 60 against the real API

    @classmethod
    def from_env(cls, env: Env) -> CfbdConfig:
        api_key, base_url = text(env, "CFBD_API_KEY"), text(env, "CFBD_BASE_URL")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"CFBD_BASE_URL must be an http(s) URL, got {base_url!r}")
        real = bool(api_key or base_url)
        return cls(
            api_key=api_key,
            base_url=base_url.rstrip("/") if base_url else None,
            seasons=_seasons(env, "CFBD_SEASONS"),
            conferences=items(env, "CFBD_CONFERENCES", "", ","),
            division=_division(env, "CFBD_DIVISION"),
            max_calls_per_run=whole(env, "CFBD_MAX_CALLS_PER_RUN", 40, minimum=1),
            recent_weeks=whole(env, "CFBD_RECENT_WEEKS", 2, minimum=1),
            box_scores=flag(env, "CFBD_BOX_SCORES", True),
            rankings=flag(env, "CFBD_RANKINGS", True),
            rate_limit_per_min=number(env, "CFBD_RATE_LIMIT_PER_MIN", 60.0 if real else 600.0),
        )

    def uses_sandbox(self) -> bool:
        return self.api_key is None and self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()
