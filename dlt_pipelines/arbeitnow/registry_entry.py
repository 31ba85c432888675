"""Arbeitnow in the source registry (dlt_pipelines/registry.py)."""

from __future__ import annotations

from typing import Any

import requests

from dlt_pipelines.arbeitnow import arbeitnow_source, settings
from dlt_pipelines.arbeitnow.config import ArbeitnowConfig
from dlt_pipelines.arbeitnow.sandbox import ArbeitnowSandbox
from dlt_pipelines.common.replay import REPLAY_BASE_URL, ResponseShape
from dlt_pipelines.job_boards import board_source
from dlt_pipelines.registry import BuildContext, Probe


def build(config: ArbeitnowConfig, context: BuildContext):
    return arbeitnow_source(session=context.session, base_url=context.base_url, max_pages=config.max_pages,
                            now=context.now, backfill=context.backfill)


def probe(config: ArbeitnowConfig, base_url: str) -> Probe:
    return Probe(f"{base_url} first page", requests.Request("GET", f"{base_url}{settings.SEARCH_PATH}"))


def _replay_links(body: dict[str, Any], more: bool) -> dict[str, Any]:
    # The captured `links.next` may be absent or point anywhere: the next file is the next page.
    links = body.get("links") if isinstance(body.get("links"), dict) else {}
    body["links"] = {**links, "next": f"{REPLAY_BASE_URL}{settings.SEARCH_PATH}?page=next" if more else None}
    return body


SOURCE = board_source(
    "arbeitnow", settings,
    read_config=ArbeitnowConfig.from_env,
    build=build,
    replay_shape=ResponseShape("arbeitnow", settings.ITEMS_KEY, settings.ID_FIELD,
                               lambda items: {"data": items, "links": {}, "meta": {}}, _replay_links),
    probe=probe,
    fake_api=ArbeitnowSandbox,
)
