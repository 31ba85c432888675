"""Pure functions of the JSearch source: posting time, validation, change hash, windows."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pyarrow as pa

from dlt_pipelines.jsearch.settings import ALL_DATES, DATE_WINDOWS, VOLATILE_FIELDS

RELATIVE_AGE = re.compile(r"^\s*(\d+)\+?\s*(minute|hour|day|week|month)s?\s+ago\s*$", re.IGNORECASE)
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}

POSTINGS_SCHEMA = pa.schema([
    ("job_id", pa.string()),
    ("posted_at", pa.timestamp("us", tz="UTC")),
    ("posted_at_source", pa.string()),
    ("search_query", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
    ("payload", pa.string()),
])

REJECTED_SCHEMA = pa.schema([
    ("rejected_at", pa.timestamp("us", tz="UTC")),
    ("reason", pa.string()),
    ("search_query", pa.string()),
    ("raw_json", pa.string()),  # text, not json: the record may be any JSON value, kept byte-exact
])


class Rejected(ValueError):
    """A record that cannot be loaded as a posting; kept in the rejected table with this reason."""


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{9,11}(\.\d+)?\s*", value):
        number = float(value)
    else:
        return None
    if not 0 < number < 32503680000:  # before year 3000
        return None
    return datetime.fromtimestamp(number, tz=timezone.utc)


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def posted_at_of(item: dict[str, Any], fetched_at: datetime) -> tuple[datetime, str]:
    """When the posting was published, and where that came from.

    The API often omits the time entirely (7 of 10 items in a real capture); such postings get the
    day they were first seen, which the source keeps stable in its state.
    """
    raw_ts = item.get("job_posted_at_timestamp")
    if (ts := _epoch(raw_ts)) is not None:
        return ts, "timestamp"
    if (dt := _iso(item.get("job_posted_at_datetime_utc"))) is not None:
        return dt, "datetime_utc"
    relative = item.get("job_posted_at")
    if isinstance(relative, str) and (match := RELATIVE_AGE.match(relative)):
        age = int(match.group(1)) * UNIT_SECONDS[match.group(2).lower()]
        unit = 3600 if age < 86400 else 86400
        at = fetched_at - timedelta(seconds=age)
        return datetime.fromtimestamp(at.timestamp() // unit * unit, tz=timezone.utc), "relative"
    if raw_ts not in (None, ""):
        raise Rejected(f"unparseable job_posted_at_timestamp {str(raw_ts)[:40]!r} and no other posting time")
    first_seen = fetched_at.replace(hour=0, minute=0, second=0, microsecond=0)
    return first_seen, "first_seen"


def check_item(item: Any) -> dict[str, Any]:
    """Hard validation: only what the load itself needs. Softer rules live in dbt."""
    if not isinstance(item, dict):
        raise Rejected(f"item is not a JSON object but {type(item).__name__}")
    job_id = item.get("job_id")
    if not isinstance(job_id, str) or not job_id.strip():
        raise Rejected("missing job_id")
    return item


def change_hash(item: dict[str, Any]) -> str:
    stable = {k: v for k, v in item.items() if k not in VOLATILE_FIELDS}
    return hashlib.blake2b(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def date_window(since: datetime | None, now: datetime) -> str:
    """The narrowest `date_posted` value that still covers everything posted after `since`."""
    if since is None:
        return ALL_DATES
    age = (now - since).total_seconds()
    for name, covers in DATE_WINDOWS:
        if age <= covers:
            return name
    return ALL_DATES


def postings_table(rows: list[tuple[str, datetime, str, str, datetime, dict[str, Any]]]) -> pa.Table:
    """Rows as an Arrow table: the fast path into Postgres (COPY of csv) with the item untouched as json."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in POSTINGS_SCHEMA]
    payloads = [orjson.dumps(item).decode() for item in columns[5]]
    return pa.Table.from_arrays(
        [pa.array(columns[0], pa.string()), pa.array(columns[1], pa.timestamp("us", tz="UTC")),
         pa.array(columns[2], pa.string()), pa.array(columns[3], pa.string()),
         pa.array(columns[4], pa.timestamp("us", tz="UTC")), pa.array(payloads, pa.string())],
        schema=POSTINGS_SCHEMA,
    )


def rejected_table(rows: list[tuple[datetime, str, str, Any]]) -> pa.Table:
    """Rejected records with their reason; an empty table still creates the table downstream reads."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in REJECTED_SCHEMA]
    raw = [orjson.dumps(item).decode() for item in columns[3]]
    return pa.Table.from_arrays(
        [pa.array(columns[0], pa.timestamp("us", tz="UTC")), pa.array(columns[1], pa.string()),
         pa.array(columns[2], pa.string()), pa.array(raw, pa.string())],
        schema=REJECTED_SCHEMA,
    )
