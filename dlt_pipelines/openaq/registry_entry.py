"""OpenAQ in the source registry (dlt_pipelines/registry.py).

Replay (`make el SOURCE=openaq REPLAY=<folder>`): each captured file is one request of its own
kind, read from its items (hourly values, locations, sensors; anything else, such as countries or
licenses, is rejected with the reason). A file of hourly values is its sensor's by its name
(`sensor_measurements_3.json`, `sensors/3917/hours.json`), else the last replayed sensor's of its
parameter (in file-name order, `python_locations.json` comes before `python_measurements.json`);
a sensors file is its location's by its name (`location_sensors_3.json`), else the location that
lists the sensor.
"""

from __future__ import annotations

import requests

from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.openaq import openaq_source, settings
from dlt_pipelines.openaq.config import OpenAQConfig
from dlt_pipelines.openaq.sandbox import OpenAQSandbox
from dlt_pipelines.registry import BuildContext, Probe, SourceSpec

DOMAIN = "air_quality"


def build(config: OpenAQConfig, context: BuildContext):
    replay = context.capture if context.backfill else None
    return openaq_source(
        session=context.session,
        base_url=context.base_url,
        api_key=None if replay else config.api_key,
        location_ids=config.location_ids,
        discovery=tuple(config.discovery_queries()),
        max_locations=config.max_locations,
        lookback_hours=config.lookback_hours,
        first_run_days=config.first_run_days,
        now=context.now,
        replay=replay,
    )


def probe(config: OpenAQConfig, base_url: str) -> Probe:
    headers = {settings.KEY_HEADER: config.api_key} if config.api_key else {}
    return Probe(f"{base_url} one location", requests.Request(
        "GET", f"{base_url}{settings.LOCATIONS_PATH}", params={"limit": 1}, headers=headers))


SOURCE = SourceSpec(
    name="openaq",
    domain=DOMAIN,
    api_name=settings.API_NAME,
    key_variable=settings.KEY_VARIABLE,
    real_base_url=settings.REAL_BASE_URL,
    read_config=OpenAQConfig.from_env,
    build=build,
    # hourly values have no id of their own: `period` marks them as OpenAQ's
    replay_shape=ResponseShape("openaq", settings.ITEMS_KEY, settings.ID_FIELD, lambda items: {
        "meta": {"name": "openaq-api", "website": "/", "page": 1, "limit": 100, "found": len(items)},
        "results": items}, other_id_keys=("period", "value")),
    probe=probe,
    schedule="0 */2 * * *",
    fake_api=OpenAQSandbox,
)
