"""Adzuna in the source registry (dlt_pipelines/registry.py)."""

from __future__ import annotations

import requests

from dlt_pipelines.adzuna import adzuna_source, settings
from dlt_pipelines.adzuna.config import AdzunaConfig
from dlt_pipelines.adzuna.helpers import country_of
from dlt_pipelines.adzuna.sandbox import AdzunaSandbox
from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.job_boards import board_source
from dlt_pipelines.registry import BuildContext, Probe


def build(config: AdzunaConfig, context: BuildContext):
    backfill = context.backfill
    # a replayed capture named for a country (`search_gb.json`, `gb/page_1.json`) is that country's
    country = country_of(context.capture) if context.capture else None
    return adzuna_source(
        session=context.session,
        base_url=context.base_url,
        app_id=None if backfill else config.app_id,
        app_key=None if backfill else config.app_key,
        countries=(country,) if country else config.countries[:1] if backfill else config.countries,
        what=config.what[:1] if backfill else config.what,
        results_per_page=config.results_per_page,
        max_pages=config.max_pages,
        first_run_days=config.max_days_old,
        lookback_hours=config.lookback_hours,
        now=context.now,
        backfill=backfill,
    )


def probe(config: AdzunaConfig, base_url: str) -> Probe:
    keys = {"app_id": config.app_id, "app_key": config.app_key} if config.app_id else {}
    return Probe(f"{base_url} one-result search", requests.Request(
        "GET", f"{base_url}{settings.SEARCH_PATH.format(country=config.countries[0], page=1)}",
        params={**keys, "results_per_page": 1}))


SOURCE = board_source(
    "adzuna", settings,
    read_config=AdzunaConfig.from_env,
    build=build,
    replay_shape=ResponseShape("adzuna", settings.ITEMS_KEY, settings.ID_FIELD, lambda items: {
        "__CLASS__": "Adzuna::API::Response::JobSearchResults", "count": len(items), "results": items}),
    probe=probe,
    fake_api=AdzunaSandbox,
)
