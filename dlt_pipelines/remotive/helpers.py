"""Pure functions of the Remotive source: validation, posting time, the daily call budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlt_pipelines.job_boards.incremental import check_board_item
from dlt_pipelines.job_boards.records import iso_time
from dlt_pipelines.remotive.settings import CALL_WINDOW, ID_FIELD, TIME_FIELD


def check_item(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    """(job_id, posted_at, where the time came from); raises Rejected for what cannot be loaded."""
    return check_board_item(item, fetched_at, ID_FIELD, TIME_FIELD, iso_time)


def calls_in_window(calls: list[str], now: datetime) -> list[str]:
    """The call times (ISO) of the trailing 24 hours; older ones no longer count."""
    return [at for at in calls if now - datetime.fromisoformat(at) < CALL_WINDOW]
