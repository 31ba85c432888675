"""Pure functions of the Remotive source: validation, posting time, the daily call budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlt_pipelines.common.incremental import FIRST_SEEN, first_seen_day, require_object_with_id
from dlt_pipelines.common.records import Rejected, iso_time
from dlt_pipelines.remotive.settings import CALL_WINDOW, ID_FIELD, TIME_FIELD


def check_item(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    """(job_id, posted_at, where the time came from); raises Rejected for what cannot be loaded."""
    posting, job_id = require_object_with_id(item, ID_FIELD)
    raw = posting.get(TIME_FIELD)
    if raw is None or raw == "":
        return job_id, first_seen_day(fetched_at), FIRST_SEEN
    posted_at = iso_time(raw)
    if posted_at is None:
        raise Rejected(f"unparseable {TIME_FIELD} {str(raw)[:40]!r}")
    return job_id, posted_at, TIME_FIELD


def calls_in_window(calls: list[str], now: datetime) -> list[str]:
    """The call times (ISO) of the trailing 24 hours; older ones no longer count."""
    return [at for at in calls if now - datetime.fromisoformat(at) < CALL_WINDOW]
