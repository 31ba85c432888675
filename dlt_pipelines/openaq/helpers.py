"""Pure functions of the OpenAQ source: API items to raw rows (README "Sources", the raw contract
of raw_openaq), UTC timestamps, and what the `x-ratelimit-*` headers ask for."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson


def utc_z(moment: datetime) -> str:
    """`2026-03-01T00:00:00Z`: what every request sends (never a bare, zone-less datetime)."""
    if moment.tzinfo is None:
        raise ValueError(f"a datetime without a time zone is ambiguous: {moment!r}")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(raw: Any) -> datetime | None:
    """An ISO-8601 instant with a zone (`Z` or an offset) as UTC, else None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    text = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def _get(item: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(item, Mapping):
            return None
        item = item.get(key)
    return item


def whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def location_row(item: Mapping[str, Any], fetched_at: datetime) -> dict[str, Any]:
    return {
        "location_id": item["id"], "name": item.get("name"), "locality": item.get("locality"),
        "timezone": item.get("timezone"), "country_code": _get(item, "country", "code"),
        "latitude": _float(_get(item, "coordinates", "latitude")),
        "longitude": _float(_get(item, "coordinates", "longitude")),
        "provider_name": _get(item, "provider", "name"), "owner_name": _get(item, "owner", "name"),
        "is_mobile": item.get("isMobile"), "is_monitor": item.get("isMonitor"),
        "fetched_at": fetched_at, "payload": item,
    }


def sensor_row(item: Mapping[str, Any], location_id: int | None, fetched_at: datetime) -> dict[str, Any]:
    return {
        "sensor_id": item["id"], "location_id": location_id,
        "parameter_id": whole_number(_get(item, "parameter", "id")),
        "parameter_name": _get(item, "parameter", "name"), "units": _get(item, "parameter", "units"),
        "fetched_at": fetched_at, "payload": item,
    }


def is_entity(item: Any) -> bool:
    """A location or sensor item: an object with a whole-number id."""
    return isinstance(item, Mapping) and whole_number(item.get("id")) is not None


def measurement_problem(item: Any, sensor_id: int | None) -> str | None:
    """Why an hourly value cannot be loaded, or None. Out-of-range values (-9999, negatives) are
    loaded as reported: staging quarantines them."""
    if not isinstance(item, Mapping):
        return f"not an object: a JSON {type(item).__name__ if item is not None else 'null'}"
    if sensor_id is None:
        return "no sensor id: the request or the capture's name must say which sensor it is"
    if not isinstance(_get(item, "period"), Mapping):
        return "unreadable period: no period object"
    end = parse_utc(_get(item, "period", "datetimeTo", "utc"))
    if end is None:
        return f"unreadable period: period.datetimeTo.utc is {_get(item, 'period', 'datetimeTo', 'utc')!r}"
    start = _get(item, "period", "datetimeFrom", "utc")
    if start is not None and parse_utc(start) is None:
        return f"unreadable period: period.datetimeFrom.utc is {start!r}"
    value = item.get("value")
    if value is not None and _float(value) is None:
        return f"unreadable value: {value!r}"
    return None


def measurement_row(item: Mapping[str, Any], sensor: Mapping[str, Any], fetched_at: datetime) -> dict[str, Any]:
    """The raw row of a checked item (measurement_problem None); `sensor` has sensor_id,
    location_id and, when the item lacks them, its parameter."""
    parameter = item.get("parameter") if isinstance(item.get("parameter"), Mapping) else {}
    return {
        "sensor_id": sensor["sensor_id"], "location_id": sensor.get("location_id"),
        "parameter_id": whole_number(parameter.get("id")) or sensor.get("parameter_id"),
        "parameter_name": parameter.get("name") or sensor.get("parameter_name"),
        "units": parameter.get("units") or sensor.get("units"),
        "period_start_utc": parse_utc(_get(item, "period", "datetimeFrom", "utc")),
        "period_end_utc": parse_utc(_get(item, "period", "datetimeTo", "utc")),
        "period_end_local": _get(item, "period", "datetimeTo", "local"),
        "value": _float(item.get("value")), "fetched_at": fetched_at, "payload": item,
    }


def rejected_row(item: Any, reason: str, key: str, rejected_at: datetime) -> dict[str, Any]:
    return {"rejected_at": rejected_at, "reason": reason, "raw_json": orjson.dumps(item).decode(),
            "reject_key": key}


def fingerprint(item: Any) -> str:
    """A short hash of an item as served: an hour served again unchanged is not loaded again."""
    return hashlib.sha1(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def page_is_last(results: list[Any], limit: int) -> bool:
    """`meta.found` may be a string (">1000"): paging ends on a page shorter than the limit."""
    return len(results) < limit


def rate_limit_wait(headers: Mapping[str, str], cap: timedelta) -> float | None:
    """Seconds to wait before the next request when `x-ratelimit-remaining` is 0 (until
    `x-ratelimit-reset`, seconds), None when requests remain or the headers are absent. Raises
    ValueError when the wait is longer than `cap` (the hourly quota is spent)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        remaining = int(lowered["x-ratelimit-remaining"])
    except (KeyError, ValueError):
        return None
    if remaining > 0:
        return None
    try:
        reset = max(0.0, float(lowered.get("x-ratelimit-reset", "60")))
    except ValueError:
        reset = 60.0
    if reset > cap.total_seconds():
        raise ValueError(f"the rate limit resets in {reset:.0f}s")
    return reset


# A replayed capture's kind, from its items: hourly values, locations, sensors or something else.
def capture_kind(results: list[Any]) -> str:
    objects = [item for item in results if isinstance(item, Mapping)]
    if any("period" in item or "value" in item for item in objects):
        return "measurements"
    if any("timezone" in item or "sensors" in item for item in objects):
        return "locations"
    if any("parameter" in item and "id" in item for item in objects):
        return "sensors"
    return "measurements" if results and not objects else "other" if results else "empty"


_SENSOR_IN_NAME = re.compile(r"sensors?[_/-](?:measurements[_/-]|hours[_/-])?(\d+)(?![\d])")
_LOCATION_IN_NAME = re.compile(r"locations?[_/-](?:sensors[_/-])?(\d+)(?![\d])")


def sensor_of(capture: Path) -> int | None:
    """The sensor a replayed file of hourly values is of, from its name: `sensor_measurements_3.json`,
    `sensors/3917/hours.json`; None when the name does not say (`python_measurements.json`)."""
    found = _SENSOR_IN_NAME.search(capture.as_posix().lower())
    return int(found.group(1)) if found else None


def location_of(capture: Path) -> int | None:
    """The location a replayed sensors file is of: `location_sensors_3.json`, `locations/2178/sensors.json`."""
    found = _LOCATION_IN_NAME.search(capture.as_posix().lower())
    return int(found.group(1)) if found else None
