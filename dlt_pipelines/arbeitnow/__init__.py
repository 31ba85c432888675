"""dlt source for Arbeitnow (jobs in Germany and remote; public API, no key): `raw_arbeitnow`.

Pages follow `links.next` (dlt's JSONLinkPaginator); the id is `slug`, `created_at` is epoch
seconds, descriptions are HTML, many postings are in German. The board lists newest first, so
paging stops at the first page whose postings are all older than the remembered horizon (they
were loaded before). Only new or changed postings are loaded (see job_boards/incremental.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from dlt_pipelines.arbeitnow.helpers import all_older_than, check_item
from dlt_pipelines.arbeitnow.settings import ID_FIELD, ITEMS_KEY, MAX_PAGES, NEXT_PAGE_PATH, RETENTION, SEARCH_PATH
from dlt_pipelines.common.http import ResilientSession
from dlt_pipelines.job_boards.incremental import Batcher, PostingTracker
from dlt_pipelines.job_boards.records import RAW_TABLE


@dlt.source(name="arbeitnow", max_table_nesting=0)
def arbeitnow_source(
    session: ResilientSession,
    base_url: str,
    max_pages: int = MAX_PAGES,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    backfill: bool = False,
) -> Any:
    client = RESTClient(base_url=base_url, session=session, data_selector=ITEMS_KEY,
                        paginator=JSONLinkPaginator(next_url_path=NEXT_PAGE_PATH))

    @dlt.resource(name=RAW_TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        fetched_at = now()
        tracker = PostingTracker(dlt.current.resource_state(), RETENTION, fetched_at, backfill=backfill)
        batcher = Batcher(tracker, lambda item: check_item(item, fetched_at), ID_FIELD)
        for number, page in enumerate(client.paginate(SEARCH_PATH), start=1):
            yield from batcher.add(page, None)
            if number >= max_pages or (not backfill and all_older_than(page, tracker.horizon)):
                break
        yield from batcher.close()
        tracker.finish("arbeitnow")

    return job_postings
