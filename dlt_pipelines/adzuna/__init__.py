"""dlt source for Adzuna (job search per country; app_id/app_key): `raw_adzuna`.

`GET /v1/api/jobs/{country}/search/{page}` per country and search (`what`), newest first
(`sort_by=date`), `max_days_old` narrowed to what the remembered newest posting time and the
lookback require. Ids are numeric strings, descriptions truncated, `salary_is_predicted` "0"/"1",
company/location/category nested. `search_country` records the country endpoint. Only new or
changed postings are loaded (see job_boards/incremental.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from dlt_pipelines.adzuna.helpers import check_item, max_days_old, with_page
from dlt_pipelines.adzuna.settings import (
    ID_FIELD,
    ITEMS_KEY,
    MAX_RESULTS_PER_PAGE,
    RETENTION,
    SEARCH_PATH,
    SORT_BY,
    VOLATILE_FIELDS,
)
from dlt_pipelines.common.http import ResilientSession
from dlt_pipelines.job_boards.incremental import Batcher, PostingTracker
from dlt_pipelines.job_boards.records import RAW_TABLE


class PathPagePaginator(BasePaginator):
    """Page number in the URL path (`.../search/{page}`); a short page is the last one."""

    def __init__(self, results_per_page: int, max_pages: int) -> None:
        super().__init__()
        self.results_per_page = results_per_page
        self.max_pages = max_pages
        self.page = 1

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        if not data or len(data) < self.results_per_page or self.page >= self.max_pages:
            self._has_next_page = False
        else:
            self.page += 1

    def update_request(self, request: Request) -> None:
        request.url = with_page(request.url, self.page)


@dlt.source(name="adzuna", max_table_nesting=0)
def adzuna_source(
    session: ResilientSession,
    base_url: str,
    app_id: str | None = None,
    app_key: str | None = None,
    countries: Sequence[str] = ("us", "gb", "de"),
    what: Sequence[str] = ("data engineer",),
    results_per_page: int = MAX_RESULTS_PER_PAGE,
    max_pages: int = 20,
    first_run_days: int = 30,
    lookback_hours: int = 24,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    backfill: bool = False,
) -> Any:
    client = RESTClient(base_url=base_url, session=session, data_selector=ITEMS_KEY)
    auth = {"app_id": app_id, "app_key": app_key} if app_id and app_key else {}

    @dlt.resource(name=RAW_TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        fetched_at = now()
        tracker = PostingTracker(dlt.current.resource_state(), RETENTION, fetched_at, backfill=backfill)
        batcher = Batcher(tracker, lambda item: check_item(item, fetched_at), ID_FIELD, VOLATILE_FIELDS)
        days = max_days_old(tracker.newest, fetched_at, timedelta(hours=lookback_hours), first_run_days)
        for country in countries:
            for search in what:
                params = {**auth, "results_per_page": results_per_page, "what": search,
                          "max_days_old": days, "sort_by": SORT_BY}
                pages = client.paginate(SEARCH_PATH.format(country=country, page=1), params=params,
                                        paginator=PathPagePaginator(results_per_page, max_pages))
                for page in pages:
                    yield from batcher.add(page, search, country)
        yield from batcher.close()
        tracker.finish("adzuna")

    return job_postings
