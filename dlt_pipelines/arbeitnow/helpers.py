"""Pure functions of the Arbeitnow source: validation and posting time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlt_pipelines.arbeitnow.settings import ID_FIELD, TIME_FIELD
from dlt_pipelines.common.incremental import FIRST_SEEN, first_seen_day, require_object_with_id
from dlt_pipelines.common.records import Rejected, epoch_time


def check_item(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    """(job_id = slug, posted_at, where the time came from); raises Rejected for what cannot be loaded."""
    posting, job_id = require_object_with_id(item, ID_FIELD)
    raw = posting.get(TIME_FIELD)
    if raw is None or raw == "":
        return job_id, first_seen_day(fetched_at), FIRST_SEEN
    posted_at = epoch_time(raw)
    if posted_at is None:
        raise Rejected(f"unparseable {TIME_FIELD} {str(raw)[:40]!r}")
    return job_id, posted_at, TIME_FIELD


def all_older_than(items: list[Any], horizon: datetime | None) -> bool:
    """True when every posting time on the page is before `horizon` (the board lists newest first)."""
    if horizon is None:
        return False
    times = [epoch_time(item.get(TIME_FIELD)) for item in items if isinstance(item, dict)]
    return bool(times) and all(t is not None and t < horizon for t in times)
