"""OpenAQ's deterministic fake v3 API, mounted by the one sandbox server (dlt_pipelines/sandbox/
server.py) under `/openaq`: the source's runs without `OPENAQ_API_KEY`.

Same response shapes as the real API (`{"meta": {..., "found": n or ">1000"}, "results": [...]}`):
`/v3/locations` (`iso`, `bbox`, `page`, `limit`), `/v3/locations/{id}`, `/v3/locations/{id}/sensors`,
`/v3/sensors/{id}/hours` (and `/measurements`, hourly here) with `datetime_from`/`datetime_to`
(inclusive, on the period's end; a datetime without a zone is refused with 422, so a client that
sends one is caught). Four locations in three countries; the US one reports o3, no2, co and so2 in
ppm like AirNow, the others µg/m³. Values are a function of (seed, sensor, hour) on the run's clock
(SANDBOX_NOW / ELT_AS_OF, SANDBOX_SEED): a few sentinels (-9999, -999), negatives and absurd values,
an hour served twice now and then, and some hours that only appear `LATE_HOURS` after they end.
SANDBOX_FAULTS (dlt_pipelines/sandbox/faults.py) applies, as set on the server: 429 with Retry-After,
5xx, slow, and malformed items. Every API request is recorded (`requests`), for tests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from dlt_pipelines.sandbox.config import SandboxConfig, parse_time
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import (
    GARBAGE_TIMESTAMP,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_MISSING_JOB_ID,
    break_with,
    malformed_kind,
    server_error_body,
)
from dlt_pipelines.sandbox.hashing import stream_key, text_salt, unit

EPOCH = 1767225600  # 2026-01-01T00:00:00Z: the first hour any sensor reports
LATE_HOURS = 5  # a late hour appears this long after its end
MAX_LIMIT = 1000
DEFAULT_SPAN = 7 * 86400  # without datetime_from: the last week
# parameter -> (OpenAQ id, units, typical value)
PARAMETERS = {"pm25": (2, "µg/m³", 12.0), "pm10": (1, "µg/m³", 25.0), "o3": (3, "µg/m³", 60.0),
              "no2": (5, "µg/m³", 30.0), "o3 ppm": (10, "ppm", 0.035), "no2 ppm": (7, "ppm", 0.012),
              "co ppm": (8, "ppm", 0.3), "so2 ppm": (9, "ppm", 0.002), "temperature": (100, "c", 12.0)}
COUNTRIES = {"US": (155, "United States"), "GB": (79, "United Kingdom"), "DE": (50, "Germany")}
# id, name, locality, timezone, country, latitude, longitude, provider, (sensor id, parameter)...
LOCATIONS = [
    (2178, "Del Norte", "Albuquerque", "America/Denver", "US", 35.1353, -106.584702, "AirNow",
     ((3920, "pm25"), (3917, "o3 ppm"), (3916, "no2 ppm"), (25227, "co ppm"), (3918, "so2 ppm"),
      (3921, "temperature"))),
    (2508, "London Marylebone Road", "London", "Europe/London", "GB", 51.52253, -0.15461, "DEFRA",
     ((8001, "pm25"), (8002, "pm10"), (8003, "no2"), (8004, "o3"))),
    (2601, "Oxford St Ebbes", "Oxford", "Europe/London", "GB", 51.744806, -1.260278, "DEFRA",
     ((8101, "pm25"), (8102, "no2"))),
    (4321, "Berlin Mitte", "Berlin", "Europe/Berlin", "DE", 52.5178, 13.4048, "Umweltbundesamt",
     ((9001, "pm25"), (9002, "pm10"), (9003, "no2"), (9004, "temperature"))),
]
_VALUE, _ODD, _DUP, _LATE = (text_salt(f"openaq.{name}") for name in ("value", "odd", "dup", "late"))


def _iso(epoch: int, tz: str | None = None) -> str:
    moment = datetime.fromtimestamp(epoch, ZoneInfo(tz) if tz else timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if tz is None else moment.isoformat()


def _parameter(name: str) -> dict[str, Any]:
    pid, units, _ = PARAMETERS[name]
    return {"id": pid, "name": name.split()[0], "units": units, "displayName": None}


def location_item(row: tuple) -> dict[str, Any]:
    lid, name, locality, tz, country, lat, lon, provider, sensors = row
    return {"id": lid, "name": name, "locality": locality, "timezone": tz,
            "country": {"id": COUNTRIES[country][0], "code": country, "name": COUNTRIES[country][1]},
            "owner": {"id": 4, "name": "Unknown Governmental Organization"}, "provider": {"id": 119, "name": provider},
            "isMobile": False, "isMonitor": True, "instruments": [{"id": 2, "name": "Government Monitor"}],
            "sensors": [{"id": sid, "name": f"{p.split()[0]} {PARAMETERS[p][1]}", "parameter": _parameter(p)}
                        for sid, p in sensors],
            "coordinates": {"latitude": lat, "longitude": lon}, "bounds": [lon, lat, lon, lat], "distance": None,
            "datetimeFirst": {"utc": _iso(EPOCH), "local": _iso(EPOCH, tz)}}


def sensor_item(sid: int, parameter: str) -> dict[str, Any]:
    return {"id": sid, "name": f"{parameter.split()[0]} {PARAMETERS[parameter][1]}", "parameter": _parameter(parameter),
            "datetimeFirst": {"utc": _iso(EPOCH)}}


def hour_value(seed: int, sid: int, parameter: str, hour: int) -> float:
    """The value of `sensor`'s hour number `hour` (since EPOCH): mostly plausible, sometimes not."""
    typical = PARAMETERS[parameter][2]
    index = sid * 100_000 + hour
    odd = unit(stream_key(seed, _ODD), index)
    if odd < 0.01:
        return -9999.0
    if odd < 0.015:
        return -999.0
    if odd < 0.025:
        return round(-typical * 0.2, 4)
    if odd < 0.03:
        return round(typical * 400, 4)
    return round(typical * (0.3 + 1.4 * unit(stream_key(seed, _VALUE), index)), 4)


def is_late(seed: int, sid: int, hour: int) -> bool:
    return unit(stream_key(seed, _LATE), sid * 100_000 + hour) < 0.04


def hours_items(seed: int, sid: int, now: int, start: int, end: int) -> list[tuple[int, dict[str, Any]]]:
    """(item index, item) for the hours of `sid` ending within [start, end] and published by `now`."""
    location = next(row for row in LOCATIONS if any(s == sid for s, _ in row[8]))
    parameter = dict(location[8])[sid]
    items = []
    first = max(1, -(-(start - EPOCH) // 3600))
    for hour in range(first, (min(end, now) - EPOCH) // 3600 + 1):
        ends = EPOCH + hour * 3600
        if is_late(seed, sid, hour) and now < ends + LATE_HOURS * 3600:
            continue
        item = {"value": hour_value(seed, sid, parameter, hour), "flagInfo": {"hasFlags": False},
                "parameter": _parameter(parameter),
                "period": {"label": "1hour", "interval": "01:00:00",
                           "datetimeFrom": {"utc": _iso(ends - 3600), "local": _iso(ends - 3600, location[3])},
                           "datetimeTo": {"utc": _iso(ends), "local": _iso(ends, location[3])}},
                "coordinates": None, "summary": None}
        copies = 2 if unit(stream_key(seed, _DUP), sid * 100_000 + hour) < 0.02 else 1
        items.extend([(sid * 100_000 + hour, item)] * copies)
    return items


def _break_hour(broken: dict[str, Any], kind: str) -> None:
    if kind == MALFORMED_MISSING_JOB_ID:
        del broken["period"]
    elif kind == MALFORMED_GARBAGE_TIMESTAMP:
        broken["period"]["datetimeTo"]["utc"] = GARBAGE_TIMESTAMP
    else:
        broken["period"]["datetimeTo"] = None


def break_hour(item: dict[str, Any], kind: str) -> Any:
    """One of the faults' malformed kinds, applied to an hourly value."""
    return break_with(item, kind, _break_hour)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _when(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.endswith(("Z", "z")) and "+" not in raw[10:] and "-" not in raw[10:]:
        raise ApiError(422, f"{name}={raw!r} has no time zone: send UTC with a Z")
    try:
        return parse_time(raw)
    except ValueError:
        raise ApiError(422, f"{name}={raw!r} is not a datetime") from None


class OpenAQSandbox:
    """The fake API (a registry FakeApi). Tests may set `now` (overrides the server's clock) and
    `rate_headers` (overrides the x-ratelimit-* headers)."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.url = ctx.url
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.now: int | None = None
        self.rate_headers: dict[str, str] = {}
        self._lock = threading.Lock()

    def clock(self) -> int:
        return self.now if self.now is not None else self.ctx.now()

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        params = dict(params)
        with self._lock:
            number = len(self.requests)
            self.requests.append((path, params))
        headers = {"x-ratelimit-limit": "2000", "x-ratelimit-remaining": str(max(1, 2000 - number - 1)),
                   "x-ratelimit-reset": "3600", **self.rate_headers}
        fault = self.ctx.decide()
        if fault.kind == "rate_limit":
            return 429, {**headers, "Retry-After": str(fault.retry_after)}, {"message": "Too many requests"}
        if fault.kind == "server_error":
            return fault.status, headers, server_error_body(fault.status, f"req-{number}")
        time.sleep(fault.sleep_seconds)
        try:
            return 200, headers, self.results(path, params)
        except ApiError as problem:
            return problem.status, headers, {"detail": str(problem)}

    def results(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        limit, page = int(params.get("limit", "100")), int(params.get("page", "1"))
        if not 1 <= limit <= MAX_LIMIT or page < 1:
            raise ApiError(422, f"limit must be 1..{MAX_LIMIT} and page >= 1")
        parts = path.strip("/").split("/")
        if parts[:2] == ["v3", "locations"] and len(parts) == 2:
            rows = [r for r in LOCATIONS if params.get("iso", r[4]).upper() == r[4] and _inside(r, params.get("bbox"))]
            items = [location_item(r) for r in rows]
        elif parts[:2] == ["v3", "locations"] and len(parts) in (3, 4) and parts[2].isdigit():
            row = next((r for r in LOCATIONS if r[0] == int(parts[2])), None)
            if row is None or len(parts) == 4 and parts[3] != "sensors":
                raise ApiError(404, "not found")
            items = [location_item(row)] if len(parts) == 3 else [sensor_item(s, p) for s, p in row[8]]
        elif parts[:2] == ["v3", "sensors"] and len(parts) == 4 and parts[2].isdigit() and parts[3] in ("hours",
                                                                                                        "measurements"):
            sid, now = int(parts[2]), self.clock()
            if not any(sid == s for r in LOCATIONS for s, _ in r[8]):
                raise ApiError(404, "sensor not found")
            start, end = _when(params, "datetime_from", now - DEFAULT_SPAN), _when(params, "datetime_to", now)
            items = []
            for index, item in hours_items(self.config.seed, sid, now, start, end):
                kind = malformed_kind(self.ctx.faults, self.config.seed, index)
                items.append(break_hour(item, kind) if kind else item)
        else:
            raise ApiError(404, f"no such endpoint {path}")
        found = len(items)
        return {"meta": {"name": "openaq-api", "website": "/", "page": page, "limit": limit,
                         "found": found if found <= 1000 else ">1000"},
                "results": items[(page - 1) * limit:page * limit]}


def _inside(row: tuple, bbox: str | None) -> bool:
    if not bbox:
        return True
    minlon, minlat, maxlon, maxlat = (float(v) for v in bbox.split(","))
    return minlon <= row[6] <= maxlon and minlat <= row[5] <= maxlat


@contextlib.contextmanager
def serve(config: SandboxConfig) -> Iterator[OpenAQSandbox]:
    """The fake API alone on a sandbox server in a thread of this process (tests); `.url` is its
    base URL."""
    from dlt_pipelines.sandbox.server import start_sandbox

    with start_sandbox(config, sources={"openaq": OpenAQSandbox}) as handle:
        yield handle.apis["openaq"]
