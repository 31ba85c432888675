"""The registry of sources. Each source declares itself once, in its own package, as
`SOURCE = SourceSpec(...)` in `dlt_pipelines/<source>/registry_entry.py` (a package of several, such
as the generic sources of sources.yml, declares `SOURCES = [...]`): its name and domain, its
settings (a config object read from the environment), how its dlt source is built, its sandbox,
its replay shape, its health probe, its schedule and its fake API (`fake_api`, mounted by the one
sandbox server, dlt_pipelines/sandbox/server.py). Orchestration, `make health`, replay, the run
summary and the run ledger only read the registry, so adding a source needs no edit there.

Sources outside this package (a plugin, a test) join with `register(spec)`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dlt_pipelines.common.env import ConfigError, Env

if TYPE_CHECKING:
    import requests

    from dlt_pipelines.common.http import ResilientSession
    from dlt_pipelines.common.replay import ResponseShape
    from dlt_pipelines.sandbox.context import SandboxContext

ENTRY_MODULE = "registry_entry"


class SourceConfig(Protocol):
    """What orchestration needs of every source's settings (each source adds its own fields)."""

    base_url: str | None  # a configured base URL (the real API's, or any other server)
    rate_limit_per_min: float  # 0 = no limit

    def uses_sandbox(self) -> bool:
        """True when no key or base URL points at a real API: the local sandbox serves the run."""

    def secrets(self) -> tuple[str, ...]:
        """Values never to print: keys and tokens."""


@dataclass(frozen=True)
class BuildContext:
    """Everything a source is built with besides its own settings."""

    session: ResilientSession  # retries, rate limit and timeouts (dlt_pipelines/common/http.py)
    base_url: str
    now: Callable[[], datetime]
    backfill: bool = False  # a replay: no keys, no call budget, the first query only, every posting
    capture: Path | None = None  # a replay's next captured file (its name may say what it holds)
    build_dir: Path | None = None  # the run's build folder (ELT_BUILD_DIR), where a source may write files


@dataclass(frozen=True)
class Probe:
    """`make health`'s one cheap call to the real API; `request` None means it is not called
    (it would cost too much of a small quota), `what` says so."""

    what: str
    request: requests.Request | None


class FakeApi(Protocol):
    """A source's fake API (dlt_pipelines/<source>/sandbox.py), mounted by the one sandbox server
    under /<source>. `path` is the request's path below the mount (`/v3/locations`), `params` its
    query parameters (each name's last value), `headers` its request headers (case-insensitive
    `get`). Returns (status, response headers, body: JSON-able or bytes). Its factory is given a
    SandboxContext (dlt_pipelines/sandbox/context.py): the shared clock `ctx.now()`, this request's
    fault `ctx.decide()`, the item faults `ctx.faults`, its config (seed) and its base URL.
    It may define `truth()`, served at GET /_sandbox/truth."""

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str]) -> tuple[int, Mapping[str, str], Any]: ...


@dataclass(frozen=True)
class SourceSpec:
    name: str  # the ELT_SOURCES name; it loads dataset raw_<name>, staged in models/staging/<name>
    domain: str  # the marts folder it feeds: models/marts/<domain>
    api_name: str  # for messages
    key_variable: str  # what to set when the API refuses the call
    real_base_url: str
    read_config: Callable[[Env], Any]  # its SourceConfig from the environment; errors name the variable
    build: Callable[[Any, BuildContext], Any]  # (its config, context) -> dlt source
    replay_shape: ResponseShape
    probe: Callable[[Any, str], Probe]  # (its config, base URL) -> health's probe
    # starts its fake API, yields the URL; by default its `fake_api` on a sandbox server of its own
    sandbox: Callable[[Env], contextlib.AbstractContextManager[str]] | None = None
    schedule: str = "0 2 * * *"  # cron (UTC) of its scheduled run in .github/workflows/elt.yml
    fake_api: Callable[[SandboxContext], FakeApi] | None = None  # what the one sandbox server mounts

    def __post_init__(self) -> None:
        if self.sandbox is None:
            if self.fake_api is None:
                raise ConfigError(f"source {self.name!r} declares neither a fake_api nor a sandbox")
            object.__setattr__(self, "sandbox", functools.partial(_own_sandbox, self.name, self.fake_api))

    @property
    def dataset(self) -> str:
        return f"raw_{self.name}"

    @property
    def record_id_key(self) -> str:
        """The key of a record's id in the API's items."""
        return self.replay_shape.id_key

    def base_url(self, config: SourceConfig) -> str:
        return config.base_url or self.real_base_url


def _own_sandbox(name: str, fake_api: Callable[[SandboxContext], FakeApi],
                 env: Env) -> contextlib.AbstractContextManager[str]:
    from dlt_pipelines.sandbox.server import serve_source

    return serve_source(name, fake_api, env)


class UnknownSourceError(ConfigError):
    """A source name the registry does not know; the message lists the known ones."""


_registered: dict[str, SourceSpec] = {}


def _discover() -> dict[str, SourceSpec]:
    import dlt_pipelines

    found: dict[str, SourceSpec] = {}
    for package in sorted(pkgutil.iter_modules(dlt_pipelines.__path__), key=lambda m: m.name):
        if not package.ispkg:
            continue
        module_name = f"dlt_pipelines.{package.name}.{ENTRY_MODULE}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name == module_name:
                continue  # a package of shared code, not a source
            raise
        declared = getattr(module, "SOURCES", None)
        for spec in (module.SOURCE,) if declared is None else declared:
            if spec.name in found:
                raise ConfigError(f"{module_name} declares source {spec.name!r}, which is already taken")
            found[spec.name] = spec
    return dict(sorted(found.items()))


_discovered: dict[str, SourceSpec] | None = None


def sources() -> Mapping[str, SourceSpec]:
    """Every source by name, those of this package first (in name order), then registered ones."""
    global _discovered
    if _discovered is None:
        _discovered = _discover()
    return {**_discovered, **_registered}


def names() -> tuple[str, ...]:
    return tuple(sources())


def get(name: str) -> SourceSpec:
    found = sources().get(name)
    if found is None:
        raise UnknownSourceError(f"unknown source {name!r}; known sources: {', '.join(names())}")
    return found


def register(spec: SourceSpec) -> SourceSpec:
    """Add a source from outside this package. A name already taken is an error."""
    if spec.name in sources():
        raise ConfigError(f"a source named {spec.name!r} is already registered")
    _registered[spec.name] = spec
    return spec


@contextlib.contextmanager
def registered(spec: SourceSpec) -> Iterator[SourceSpec]:
    """`register` for a block (tests)."""
    register(spec)
    try:
        yield spec
    finally:
        _registered.pop(spec.name, None)
