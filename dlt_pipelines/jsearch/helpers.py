"""Pure functions of the JSearch source: posting time, validation, change hash, windows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from dlt_pipelines.job_boards import records
from dlt_pipelines.job_boards.records import (  # noqa: F401 - re-exported: the source and its tests use them here
    Rejected,
    postings_table,
    rejected_table,
)
from dlt_pipelines.job_boards.records import epoch_time as _epoch
from dlt_pipelines.job_boards.records import iso_time as _iso
from dlt_pipelines.jsearch.settings import ALL_DATES, DATE_WINDOWS, ID_FIELD, VOLATILE_FIELDS

RELATIVE_AGE = re.compile(r"^\s*(\d+)\+?\s*(minute|hour|day|week|month)s?\s+ago\s*$", re.IGNORECASE)
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400}


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
    job_id = item.get(ID_FIELD)
    if not isinstance(job_id, str) or not job_id.strip():
        raise Rejected("missing job_id")
    return item


def change_hash(item: dict[str, Any]) -> str:
    return records.change_hash(item, VOLATILE_FIELDS)


def date_window(since: datetime | None, now: datetime) -> str:
    """The narrowest `date_posted` value that still covers everything posted after `since`."""
    if since is None:
        return ALL_DATES
    age = (now - since).total_seconds()
    for name, covers in DATE_WINDOWS:
        if age <= covers:
            return name
    return ALL_DATES
