"""Settings of the OpenAQ source, read from the environment (README "Sources")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlt_pipelines.common.env import ConfigError, Env, items, number, text, whole

_ISO = re.compile(r"^[A-Z]{2}$")


def _ids(env: Env, name: str) -> tuple[int, ...]:
    found = items(env, name, "", ",")
    if not all(part.isdigit() and int(part) > 0 for part in found):
        raise ConfigError(f"{name} must be comma-separated OpenAQ location ids (e.g. 2178,8118), got {env[name]!r}")
    return tuple(int(part) for part in found)


def _countries(env: Env, name: str) -> tuple[str, ...]:
    found = tuple(part.upper() for part in items(env, name, "", ","))
    if not all(_ISO.match(code) for code in found):
        raise ConfigError(f"{name} must be comma-separated ISO 3166-1 alpha-2 codes (e.g. US,GB), got {env[name]!r}")
    return found


def _bbox(env: Env, name: str) -> tuple[float, float, float, float] | None:
    raw = text(env, name)
    if raw is None:
        return None
    try:
        minlon, minlat, maxlon, maxlat = (float(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name} must be minlon,minlat,maxlon,maxlat (e.g. -0.5,51.3,0.3,51.7), got {raw!r}"
                          ) from None
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise ConfigError(f"{name}: need -180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90, got {raw!r}")
    return minlon, minlat, maxlon, maxlat


@dataclass(frozen=True)
class OpenAQConfig:
    api_key: str | None = None  # OPENAQ_API_KEY (secret); none = the local sandbox
    base_url: str | None = None  # OPENAQ_BASE_URL: the real API (the default with a key) or another server
    location_ids: tuple[int, ...] = ()  # OPENAQ_LOCATION_IDS; else discovery by countries or bbox
    countries: tuple[str, ...] = ()  # OPENAQ_COUNTRIES: ISO codes, /v3/locations?iso=..
    bbox: tuple[float, float, float, float] | None = None  # OPENAQ_BBOX: minlon,minlat,maxlon,maxlat
    lookback_hours: int = 8  # OPENAQ_LOOKBACK_HOURS: values arrive up to this late, re-read every run
    first_run_days: int = 3  # OPENAQ_FIRST_RUN_DAYS: how far back the first run starts
    rate_limit_per_min: float = 600.0  # OPENAQ_RATE_LIMIT_PER_MIN: 60 against the real API (the free plan)
    max_locations: int = 10  # OPENAQ_MAX_LOCATIONS: discovery keeps the first this many

    @classmethod
    def from_env(cls, env: Env) -> OpenAQConfig:
        api_key, base_url = text(env, "OPENAQ_API_KEY"), text(env, "OPENAQ_BASE_URL")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"OPENAQ_BASE_URL must be an http(s) URL, got {base_url!r}")
        real = bool(api_key or base_url)
        return cls(
            api_key=api_key,
            base_url=base_url.rstrip("/") if base_url else None,
            location_ids=_ids(env, "OPENAQ_LOCATION_IDS"),
            countries=_countries(env, "OPENAQ_COUNTRIES"),
            bbox=_bbox(env, "OPENAQ_BBOX"),
            lookback_hours=whole(env, "OPENAQ_LOOKBACK_HOURS", 8),
            first_run_days=whole(env, "OPENAQ_FIRST_RUN_DAYS", 3, minimum=1),
            rate_limit_per_min=number(env, "OPENAQ_RATE_LIMIT_PER_MIN", 60.0 if real else 600.0),
            max_locations=whole(env, "OPENAQ_MAX_LOCATIONS", 10, minimum=1),
        )

    def uses_sandbox(self) -> bool:
        return self.api_key is None and self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def discovery_queries(self) -> list[dict[str, str]]:
        """The /v3/locations filters when no location ids are configured: the box, else one listing
        per country, else every location (capped at max_locations in any case)."""
        if self.bbox:
            return [{"bbox": ",".join(f"{v:g}" for v in self.bbox)}]
        return [{"iso": code} for code in self.countries] or [{}]
