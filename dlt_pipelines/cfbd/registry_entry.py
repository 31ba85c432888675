"""CollegeFootballData in the source registry (dlt_pipelines/registry.py).

Replay (`make el SOURCE=cfbd REPLAY=<folder>`): each captured file is one request of the kind its
name says (games.json, gamesTeams.json, teams.json, teamsFbs.json, conferences.json,
rankings.json; else by its items); other endpoints' captures (calendar, lines, venues) are
served and not loaded. FBS teams and box scores carry no season: theirs is the season of the
games replayed before them (games.json comes first in name order). A capture in API v1's
snake_case shape is refused with a message saying so.
"""

from __future__ import annotations

import requests

from dlt_pipelines.cfbd import cfbd_source, settings
from dlt_pipelines.cfbd.config import CfbdConfig
from dlt_pipelines.cfbd.sandbox import CfbdSandbox
from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.registry import BuildContext, Probe, SourceSpec

DOMAIN = "college_football"


def build(config: CfbdConfig, context: BuildContext):
    replay = context.capture if context.backfill else None
    return cfbd_source(
        session=context.session,
        base_url=context.base_url,
        api_key=None if replay else config.api_key,
        seasons=config.seasons,
        conferences=config.conferences,
        division=config.division,
        max_calls_per_run=config.max_calls_per_run,
        recent_weeks=config.recent_weeks,
        box_scores=config.box_scores,
        rankings=config.rankings,
        now=context.now,
        replay=replay,
    )


def probe(config: CfbdConfig, base_url: str) -> Probe:
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    return Probe(f"{base_url} conferences (1 of the month's calls)", requests.Request(
        "GET", f"{base_url}{settings.CONFERENCES_PATH}", headers=headers))


SOURCE = SourceSpec(
    name="cfbd",
    domain=DOMAIN,
    api_name=settings.API_NAME,
    key_variable=settings.KEY_VARIABLE,
    real_base_url=settings.REAL_BASE_URL,
    read_config=CfbdConfig.from_env,
    build=build,
    # CFBD answers bare JSON arrays; rankings and calendar weeks have no id of their own
    replay_shape=ResponseShape("cfbd", "items", settings.ID_FIELD, lambda items: items,
                               other_id_keys=("season", "polls", "teams")),
    probe=probe,
    schedule="0 6 * * *",
    fake_api=CfbdSandbox,
)
