"""dlt source for JSearch (RapidAPI) job postings: the real API with a key, the sandbox without.

Loads `raw_jsearch.job_postings` (merge on `job_id`; the API item kept untouched as `payload`
jsonb beside the few columns the load needs, `search_country` the `country` the search asked for,
as every board's raw contract has them) and `raw_jsearch.job_postings_rejected` (stored once
per bad record; records that cannot be loaded, with the reason, never dropped).

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
from dlt.sources.helpers.rest_client.paginators import RangePaginator

from dlt_pipelines.common.http import ResilientSession
from dlt_pipelines.common.paging import JsonClient, prefetched
from dlt_pipelines.job_boards.incremental import Batcher, PostingTracker
from dlt_pipelines.job_boards.records import RAW_TABLE
from dlt_pipelines.jsearch.helpers import check_item, date_window, posted_at_of
from dlt_pipelines.jsearch.settings import ID_FIELD, PAGE_SIZE, RAPIDAPI_HOST, SEARCH_PATH, VOLATILE_FIELDS

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
    backfill: bool = False,
) -> Any:
    """`backfill`: load every new or changed posting whatever its age (replay of captured responses)."""
    headers = {"X-RapidAPI-Host": RAPIDAPI_HOST}
    if api_key:
        headers["X-RapidAPI-Key"] = api_key
    client = JsonClient(base_url=base_url, headers=headers, session=session, data_selector="data")

    # Table hints travel with the data (two tables from one stream): see job_boards/records.py.
    @dlt.resource(name=RAW_TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        fetched_at = now()
        tracker = PostingTracker(dlt.current.resource_state(), timedelta(hours=lookback_hours), fetched_at,
                                 backfill=backfill, first_seen_retention=FIRST_SEEN_RETENTION)
        batcher = Batcher(tracker, lambda item: _checked(item, fetched_at), ID_FIELD, VOLATILE_FIELDS,
                          legacy_keys_with_country=False)
        params = {"country": country, "num_pages": num_pages, "date_posted": date_window(tracker.horizon, fetched_at)}

        def pages() -> Iterator[tuple[str, Any]]:
            for query in queries:
                for page in client.paginate(SEARCH_PATH, params={**params, "query": query},
                                            paginator=JSearchPaginator(num_pages, max_pages)):
                    yield query, page

        for query, page in prefetched(pages()):  # the next response comes while this one is processed
            yield from batcher.add(page, query, country)
        yield from batcher.close()
        tracker.finish("jsearch")

    return job_postings


def _checked(item: Any, fetched_at: datetime) -> tuple[str, datetime, str]:
    posting = check_item(item)
    posted_at, posted_from = posted_at_of(posting, fetched_at)
    return posting["job_id"], posted_at, posted_from
