"""What the job-board sources (JSearch, Remotive, Arbeitnow, Adzuna) share beyond `common/`:
the switch to the public boards' real APIs, and the generated postings their fake APIs serve
(dlt_pipelines/job_boards/sandbox; each board's fake API is its own sandbox.py)."""

from __future__ import annotations

from types import ModuleType

from dlt_pipelines.common.env import Env, flag
from dlt_pipelines.registry import SourceSpec

DOMAIN = "job_market"


def live_public_apis(env: Env) -> bool:
    """ELT_LIVE_PUBLIC_APIS: read Remotive and Arbeitnow (no key needed) from their real APIs."""
    return flag(env, "ELT_LIVE_PUBLIC_APIS", False)


def board_source(name: str, api: ModuleType, **parts) -> SourceSpec:
    """A job board's registry entry: the job_market domain, and the API's name, key variable and
    address from its settings module (`api`); `parts` are the rest of SourceSpec (read_config,
    build, replay_shape, probe, fake_api)."""
    return SourceSpec(name=name, domain=DOMAIN, api_name=api.API_NAME, key_variable=api.KEY_VARIABLE,
                      real_base_url=api.REAL_BASE_URL, **parts)
