"""dlt source for Remotive (remote jobs; public API, no key): `raw_remotive`.

One call per configured category returns every current posting of it (no paging, no date
filter); HTML descriptions, `publication_date` without a zone (UTC), free-text `salary`. Only new
or changed postings are loaded (see job_boards/incremental.py).

The API asks for at most 4 calls a day: the times of the last calls are kept in the resource
state, and a call that would exceed `max_calls_per_day` in the trailing 24 hours is skipped, with
a warning, loading nothing (0 = no budget: the sandbox and replays).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import SinglePagePaginator

from dlt_pipelines.common.http import ResilientSession
from dlt_pipelines.job_boards.incremental import Batcher, PostingTracker
from dlt_pipelines.job_boards.records import RAW_TABLE
from dlt_pipelines.remotive.helpers import calls_in_window, check_item
from dlt_pipelines.remotive.settings import ID_FIELD, ITEMS_KEY, MAX_CALLS_PER_DAY, RETENTION, SEARCH_PATH

log = logging.getLogger(__name__)


@dlt.source(name="remotive", max_table_nesting=0)
def remotive_source(
    session: ResilientSession,
    base_url: str,
    categories: Sequence[str] = ("software-dev",),
    search: str | None = None,
    limit: int | None = None,
    max_calls_per_day: int = MAX_CALLS_PER_DAY,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    backfill: bool = False,
) -> Any:
    """`categories`: one call each ("" = every category); `search`/`limit` go to every call."""
    client = RESTClient(base_url=base_url, session=session, data_selector=ITEMS_KEY,
                        paginator=SinglePagePaginator())

    @dlt.resource(name=RAW_TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        state = dlt.current.resource_state()
        fetched_at = now()
        tracker = PostingTracker(state, RETENTION, fetched_at, backfill=backfill)
        batcher = Batcher(tracker, lambda item: check_item(item, fetched_at), ID_FIELD)
        for category in categories:
            calls = calls_in_window(state.get("calls", []), fetched_at)
            if max_calls_per_day and len(calls) >= max_calls_per_day:
                log.warning("remotive: skipped the call for category %r: %d calls were made in the last 24 hours "
                            "and the API asks for at most %d a day (REMOTIVE_MAX_CALLS_PER_DAY); nothing loaded",
                            category, len(calls), max_calls_per_day)
                state["skipped_calls"] = state.get("skipped_calls", 0) + 1
                continue
            if not backfill:  # a replay makes no call to Remotive
                state["calls"] = [*calls, fetched_at.isoformat()]  # committed with the data of this run
            params: dict[str, Any] = {"category": category or None, "search": search or None, "limit": limit}
            label = " ".join(part for part in (category, search) if part) or None
            for page in client.paginate(SEARCH_PATH, params={k: v for k, v in params.items() if v}):
                yield from batcher.add(page, label)
        yield from batcher.close()
        tracker.finish("remotive")

    return job_postings
