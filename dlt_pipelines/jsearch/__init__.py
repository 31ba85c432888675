"""dlt source for JSearch (RapidAPI) job postings: the real API with a key, the sandbox without.

Loads `raw_jsearch.job_postings` (merge on `job_id`; the API item kept untouched as `payload`
jsonb beside the few columns the load needs) and `raw_jsearch.job_postings_rejected` (append;
records that cannot be loaded, with the reason, never dropped).

Incremental: the resource keeps, in dlt's resource state, the newest posting time loaded and a
change hash of every posting inside the lookback window. A run asks the API only for the
narrowest `date_posted` window that covers `newest - lookback`, and yields a posting only if it is
new or changed. The lookback catches postings the API indexes late; the hashes keep a rerun from
reloading them. (dlt's `incremental` cursor is not used because it drops late postings older
than the cursor and cannot see the rejected records routed from the same stream.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import dlt
from dlt.common import logger
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import RangePaginator

from dlt_pipelines.common.http import ResilientSession
from dlt_pipelines.jsearch.helpers import (
    Rejected,
    change_hash,
    check_item,
    date_window,
    posted_at_of,
    postings_table,
    rejected_table,
)
from dlt_pipelines.jsearch.settings import (
    PAGE_SIZE,
    RAPIDAPI_HOST,
    RAW_TABLE,
    REJECTED_TABLE,
    SEARCH_PATH,
)

BATCH_ROWS = 5000
POSTINGS_HINTS = dlt.mark.make_hints(
    table_name=RAW_TABLE,
    primary_key="job_id",
    write_disposition={"disposition": "merge", "strategy": "delete-insert"},
    columns={
        "job_id": {"data_type": "text", "nullable": False, "unique": True},
        "payload": {"data_type": "json"},
        "posted_at": {"data_type": "timestamp", "nullable": False},
    },
)
REJECTED_HINTS = dlt.mark.make_hints(
    table_name=REJECTED_TABLE,
    write_disposition="append",
    columns={"reason": {"data_type": "text", "nullable": False}},
)
FIRST_SEEN_RETENTION = timedelta(days=31)  # the API lists a posting for about a month


class JSearchPaginator(RangePaginator):
    """`page` advances by `num_pages`; a short response is the last one (no extra empty call)."""

    def __init__(self, num_pages: int, max_pages: int) -> None:
        super().__init__(param_name="page", initial_value=1, value_step=num_pages, base_index=1,
                         maximum_value=max_pages + 1, total_path=None, stop_after_empty_page=True)
        self.full_response = num_pages * PAGE_SIZE

    def _stop_after_this_page(self, data: list[Any] | None = None) -> bool:
        return not data or len(data) < self.full_response


@dlt.source(name="jsearch", max_table_nesting=0)
def jsearch_source(
    queries: Sequence[str],
    session: ResilientSession,
    base_url: str,
    api_key: str | None = None,
    country: str = "us",
    num_pages: int = 20,
    max_pages: int = 500,
    lookback_hours: int = 24,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> Any:
    headers = {"X-RapidAPI-Host": RAPIDAPI_HOST}
    if api_key:
        headers["X-RapidAPI-Key"] = api_key
    client = RESTClient(base_url=base_url, headers=headers, session=session, data_selector="data")

    # Table hints travel with the data (two tables from one stream): see POSTINGS_HINTS.
    @dlt.resource(name=RAW_TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        state = dlt.current.resource_state()
        newest = datetime.fromisoformat(state["newest_posted_at"]) if state.get("newest_posted_at") else None
        recent: dict[str, list[Any]] = state.setdefault("recent", {})
        fetched_at = now()
        window_start = newest - timedelta(hours=lookback_hours) if newest else None
        params = {"country": country, "num_pages": num_pages, "date_posted": date_window(window_start, fetched_at)}

        rows: list[tuple[Any, ...]] = []
        rejected: list[tuple[Any, ...]] = []
        emitted: set[str] = set()
        skipped_old = 0
        for query in queries:
            pages = client.paginate(SEARCH_PATH, params={**params, "query": query},
                                    paginator=JSearchPaginator(num_pages, max_pages))
            for page in pages:
                for item in page:
                    try:
                        posting = check_item(item)
                        posted_at, posted_from = posted_at_of(posting, fetched_at)
                    except Rejected as problem:
                        rejected.append((fetched_at, str(problem), query, item))
                        continue
                    job_id = posting["job_id"]
                    digest = change_hash(posting)
                    known = recent.get(job_id)
                    if job_id in emitted or (known and known[1] == digest):
                        continue  # served twice in this run, or unchanged since it was loaded
                    timed = posted_from != "first_seen"
                    if known and not timed:
                        posted_at = datetime.fromisoformat(known[0])  # keep the first-seen day stable
                    elif not known and timed and window_start and posted_at < window_start:
                        skipped_old += 1  # older than the lookback: loaded before and since forgotten
                        continue
                    recent[job_id] = [posted_at.isoformat(), digest, posted_from]
                    emitted.add(job_id)
                    rows.append((job_id, posted_at, posted_from, query, fetched_at, posting))
                    if timed and (newest is None or posted_at > newest):
                        newest = posted_at
                if len(rows) >= BATCH_ROWS:
                    yield dlt.mark.with_hints(postings_table(rows), POSTINGS_HINTS, create_table_variant=True)
                    rows = []
                if rejected:
                    yield dlt.mark.with_hints(rejected_table(rejected), REJECTED_HINTS, create_table_variant=True)
                    rejected = []
        if rows:
            yield dlt.mark.with_hints(postings_table(rows), POSTINGS_HINTS, create_table_variant=True)
        # always declared, so the quarantine model has a table to read even before the first reject
        yield dlt.mark.with_hints(rejected_table([]), REJECTED_HINTS, create_table_variant=True)
        if skipped_old:
            logger.info("jsearch: skipped %d postings older than the lookback window", skipped_old)
        if newest is not None:
            state["newest_posted_at"] = newest.isoformat()
            _prune(recent, newest - timedelta(hours=lookback_hours), fetched_at - FIRST_SEEN_RETENTION)

    return job_postings


def _prune(recent: dict[str, list[Any]], window_start: datetime, first_seen_cutoff: datetime) -> None:
    """Forget postings that can no longer come back inside the window, so state stays small."""
    for job_id in [k for k, (posted, _, source) in recent.items()
                   if datetime.fromisoformat(posted) < (first_seen_cutoff if source == "first_seen" else window_start)]:
        del recent[job_id]
