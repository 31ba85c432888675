"""Remotive in the source registry (dlt_pipelines/registry.py)."""

from __future__ import annotations

from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.job_boards import board_source
from dlt_pipelines.registry import BuildContext, Probe
from dlt_pipelines.remotive import remotive_source, settings
from dlt_pipelines.remotive.config import RemotiveConfig
from dlt_pipelines.remotive.sandbox import RemotiveSandbox


def build(config: RemotiveConfig, context: BuildContext):
    backfill = context.backfill
    return remotive_source(
        session=context.session,
        base_url=context.base_url,
        categories=config.categories[:1] if backfill else config.categories,
        search=config.search,
        limit=config.limit,
        max_calls_per_day=0 if backfill else config.max_calls_per_day,
        now=context.now,
        backfill=backfill,
    )


def probe(config: RemotiveConfig, base_url: str) -> Probe:
    return Probe(f"{base_url} not called (the API allows {config.max_calls_per_day} calls a day)", None)


SOURCE = board_source(
    "remotive", settings,
    read_config=RemotiveConfig.from_env,
    build=build,
    replay_shape=ResponseShape("remotive", settings.ITEMS_KEY, settings.ID_FIELD,
                               lambda items: {"job-count": len(items), "jobs": items}),
    probe=probe,
    fake_api=RemotiveSandbox,
)
