"""GitHub candidate profiles in the source registry (dlt_pipelines/registry.py).

Replay (`make el SOURCE=github REPLAY=<folder>`): each captured file is one recording of HTTP
interactions (PyGithub's ReplayData as `{"interactions": [{"method", "url", "status",
"response_headers", "body"}]}`, or octokit's fixtures as `[{"method", "path", "status",
"response"}]`), read as one request: users, repo listings, single repos and repo languages are
loaded; 304s are counted as not modified; anything else (other endpoints, writes, errors) is
rejected with the reason.
"""

from __future__ import annotations

import requests

from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.github import github_source, settings
from dlt_pipelines.github.config import GitHubConfig
from dlt_pipelines.github.sandbox import LOGINS, GitHubSandbox
from dlt_pipelines.registry import BuildContext, Probe, SourceSpec

DOMAIN = "careers"


def build(config: GitHubConfig, context: BuildContext):
    replay = context.capture if context.backfill else None
    return github_source(
        session=context.session,
        base_url=context.base_url,
        token=None if replay else config.token,
        users=config.users or (LOGINS if config.uses_sandbox() else ()),
        batch_size=config.batch_size,
        per_page=config.per_page,
        now=context.now,
        replay=replay,
    )


def probe(config: GitHubConfig, base_url: str) -> Probe:
    # /rate_limit costs no quota
    headers = {"Accept": settings.ACCEPT, **({"Authorization": f"Bearer {config.token}"} if config.token else {})}
    return Probe(f"{base_url}/rate_limit (free of quota)", requests.Request(
        "GET", f"{base_url}/rate_limit", headers=headers))


SOURCE = SourceSpec(
    name="github",
    domain=DOMAIN,
    api_name=settings.API_NAME,
    key_variable=settings.KEY_VARIABLE,
    real_base_url=settings.REAL_BASE_URL,
    read_config=GitHubConfig.from_env,
    build=build,
    # a capture is a list of recorded interactions; every interaction has a status
    replay_shape=ResponseShape("github", "interactions", "id", lambda items: {"interactions": items},
                               other_id_keys=("status",)),
    probe=probe,
    schedule="30 */6 * * *",
    fake_api=GitHubSandbox,
)
