"""Pure functions of the Arbeitnow source: validation and posting time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dlt_pipelines.arbeitnow.settings import ID_FIELD, TIME_FIELD
from dlt_pipelines.job_boards.incremental import check_board_item
from dlt_pipelines.job_boards.records import epoch_time


def check_item(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    """(job_id = slug, posted_at, where the time came from); raises Rejected for what cannot be loaded."""
    return check_board_item(item, fetched_at, ID_FIELD, TIME_FIELD, epoch_time)


def all_older_than(items: list[Any], horizon: datetime | None) -> bool:
    """True when every posting time on the page is before `horizon` (the board lists newest first)."""
    if horizon is None:
        return False
    times = [epoch_time(item.get(TIME_FIELD)) for item in items if isinstance(item, dict)]
    return bool(times) and all(t is not None and t < horizon for t in times)
