"""JSearch in the source registry (dlt_pipelines/registry.py)."""

from __future__ import annotations

import requests

from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.job_boards import board_source
from dlt_pipelines.jsearch import jsearch_source, settings
from dlt_pipelines.jsearch.config import JSearchConfig
from dlt_pipelines.jsearch.sandbox import JSearchSandbox
from dlt_pipelines.registry import BuildContext, Probe


def build(config: JSearchConfig, context: BuildContext):
    backfill = context.backfill
    return jsearch_source(
        queries=config.queries[:1] if backfill else config.queries,
        session=context.session,
        base_url=context.base_url,
        api_key=None if backfill else config.api_key,
        country=config.country,
        num_pages=1 if backfill else config.num_pages,  # one captured file per page
        max_pages=config.max_pages,
        lookback_hours=config.lookback_hours,
        now=context.now,
        backfill=backfill,
    )


def probe(config: JSearchConfig, base_url: str) -> Probe:
    headers = {"X-RapidAPI-Host": settings.RAPIDAPI_HOST}
    if config.api_key:
        headers["X-RapidAPI-Key"] = config.api_key
    return Probe(f"{base_url} one-page search", requests.Request(
        "GET", f"{base_url}{settings.SEARCH_PATH}", headers=headers,
        params={"query": config.queries[0], "page": 1, "num_pages": 1}))


SOURCE = board_source(
    "jsearch", settings,
    read_config=JSearchConfig.from_env,
    build=build,
    replay_shape=ResponseShape("jsearch", "data", settings.ID_FIELD, lambda items: {
        "status": "OK", "request_id": "replay", "parameters": {}, "data": items}),
    probe=probe,
    fake_api=JSearchSandbox,
)
