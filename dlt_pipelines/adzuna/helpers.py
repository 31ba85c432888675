"""Pure functions of the Adzuna source: validation, posting time, the `max_days_old` to ask for."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dlt_pipelines.adzuna.settings import ID_FIELD, TIME_FIELD
from dlt_pipelines.job_boards.incremental import check_board_item
from dlt_pipelines.job_boards.records import iso_time

PAGE_IN_PATH = re.compile(r"/search/\d+(?=$|\?)")


def check_item(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    """(job_id, posted_at, where the time came from); raises Rejected for what cannot be loaded."""
    return check_board_item(item, fetched_at, ID_FIELD, TIME_FIELD, iso_time)


def max_days_old(newest: datetime | None, now: datetime, lookback: timedelta, first_run_days: int) -> int:
    """Whole days back from now that cover everything posted after `newest - lookback`."""
    if newest is None:
        return first_run_days
    return max(1, min(first_run_days, math.ceil((now - (newest - lookback)).total_seconds() / 86400)))


def with_page(url: str, page: int) -> str:
    """The search URL for another page: Adzuna has the page in the path, not in a parameter."""
    return PAGE_IN_PATH.sub(f"/search/{page}", url, count=1)


# Adzuna's country endpoints; a capture named like `search_gb.json` or `gb/page_1.json` is that country's
ADZUNA_COUNTRIES = frozenset("at au be br ca ch de es fr gb in it mx nl nz pl sg us za".split())


def country_of(path: Path) -> str | None:
    """The Adzuna country a capture's file or folder name gives, if any (else the first configured)."""
    for part in reversed(path.with_suffix("").parts[-2:]):
        for token in re.split(r"[^a-z]+", part.lower()):
            if token in ADZUNA_COUNTRIES:
                return token
    return None
