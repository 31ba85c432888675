"""What the job-board sources (JSearch, Remotive, Arbeitnow, Adzuna) share beyond `common/`:
the switch to the public boards' real APIs and the one sandbox server that fakes all four."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import ModuleType

from dlt_pipelines.common.env import Env, flag
from dlt_pipelines.registry import SourceSpec

DOMAIN = "job_market"


def live_public_apis(env: Env) -> bool:
    """ELT_LIVE_PUBLIC_APIS: read Remotive and Arbeitnow (no key needed) from their real APIs."""
    return flag(env, "ELT_LIVE_PUBLIC_APIS", False)


@contextlib.contextmanager
def board_sandbox(env: Env) -> Iterator[str]:
    """The local sandbox serving every board's API (dlt_pipelines/sandbox), configured by SANDBOX_*."""
    from dlt_pipelines.sandbox.config import SandboxConfig
    from dlt_pipelines.sandbox.server import start_sandbox

    with start_sandbox(SandboxConfig.from_env(dict(env))) as handle:
        yield handle.url


def board_source(name: str, api: ModuleType, **parts) -> SourceSpec:
    """A job board's registry entry: the job_market domain, the one board sandbox, and the API's
    name, key variable and address from its settings module (`api`); `parts` are the rest of
    SourceSpec (read_config, build, replay_shape, probe)."""
    return SourceSpec(name=name, domain=DOMAIN, api_name=api.API_NAME, key_variable=api.KEY_VARIABLE,
                      real_base_url=api.REAL_BASE_URL, sandbox=board_sandbox, **parts)
