"""The one sandbox server: it mounts every registry source's fake API under /<source>, on one
clock and with one fault injection, and a registry entry's sandbox is derived from its fake_api."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import requests

from dlt_pipelines import registry
from dlt_pipelines.common.env import ConfigError
from dlt_pipelines.sandbox.config import format_time, parse_time
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox

from .helpers import NOW, frozen_config


class Clockwork:
    """A toy fake API: echoes what it was asked and the shared clock, with the shared faults."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def answer(self, path: str, params: Mapping[str, str], headers: Mapping[str, str]) -> tuple[int, dict, Any]:
        fault = self.ctx.decide()
        if fault.kind == "server_error":
            return fault.status, {}, {"message": "down"}
        if fault.kind == "rate_limit":
            return 429, {"Retry-After": str(fault.retry_after)}, {"message": "slow down"}
        return 200, {"X-Toy": "1"}, {"path": path, "params": dict(params), "key": headers.get("x-toy-key"),
                                     "now": format_time(self.ctx.now()), "url": self.ctx.url}


def test_every_registry_source_with_a_fake_api_is_mounted_under_its_name():
    declared = {name for name, spec in registry.sources().items() if spec.fake_api is not None}
    assert {"jsearch", "remotive", "arbeitnow", "adzuna", "openaq", "github", "cfbd"} <= declared
    with start_sandbox(frozen_config()) as sandbox:
        assert set(sandbox.apis) == declared
        for name in declared:
            assert requests.get(f"{sandbox.base_url(name)}/health", timeout=5).json() == {"status": "ok"}
        assert requests.get(f"{sandbox.url}/openaq/v3/locations", timeout=10).json()["results"]
        assert requests.get(f"{sandbox.url}/jsearch/search", params={"query": "x"}, timeout=10).json()["data"]
        assert requests.get(f"{sandbox.url}/github/users/ada-data", timeout=10).json()["login"] == "ada-data"
        state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["mounted"] == {name: f"{sandbox.url}/{name}" for name in sandbox.apis}
    assert state["requests_by_endpoint"] == {"openaq": {"200": 1}, "jsearch": {"200": 1},
                                           "github": {"200": 1}}  # health is not counted
    with pytest.raises(KeyError, match="not mounted"):
        sandbox.base_url("nosuchsource")


def test_a_fake_api_gets_its_path_below_the_mount_and_the_shared_clock():
    with start_sandbox(frozen_config(), sources={"toy": Clockwork}) as sandbox:
        reply = requests.get(f"{sandbox.url}/toy/v1/things", params={"a": "1"}, headers={"X-Toy-Key": "k"},
                             timeout=5)
        assert reply.status_code == 200 and reply.headers["X-Toy"] == "1"
        assert reply.json() == {"path": "/v1/things", "params": {"a": "1"}, "key": "k", "now": NOW,
                                "url": f"{sandbox.url}/toy"}
        requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 3600}, timeout=5)
        later = requests.get(f"{sandbox.url}/toy/", timeout=5).json()
        assert parse_time(later["now"]) == parse_time(NOW) + 3600
        assert requests.get(f"{sandbox.url}/v1/things", timeout=5).status_code == 404  # not mounted at the root


def test_faults_apply_to_every_mount_or_to_one():
    with start_sandbox(frozen_config(faults=FaultConfig(server_error=1.0)),
                       sources={"toy": Clockwork, "other": Clockwork}) as sandbox:
        assert requests.get(f"{sandbox.url}/toy/x", timeout=5).status_code in (500, 502, 503)
        assert requests.get(f"{sandbox.url}/other/x", timeout=5).status_code in (500, 502, 503)
        requests.post(f"{sandbox.url}/_sandbox/faults", json={}, timeout=5)
        reply = requests.post(f"{sandbox.url}/_sandbox/faults",
                              json={"endpoint": "toy", "rate_limit": 1.0, "retry_after": 7}, timeout=5)
        assert reply.json()["endpoint_faults"]["toy"]["rate_limit"] == 1.0
        limited = requests.get(f"{sandbox.url}/toy/x", timeout=5)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        assert requests.get(f"{sandbox.url}/other/x", timeout=5).status_code == 200
        unknown = requests.post(f"{sandbox.url}/_sandbox/faults", json={"endpoint": "nope", "slow": 1}, timeout=5)
        assert unknown.status_code == 400 and "toy" in unknown.json()["message"]


def toy_spec(**parts: Any) -> registry.SourceSpec:
    return registry.SourceSpec(name="clockwork", domain="toys", api_name="Clockwork", key_variable="CLOCKWORK_KEY",
                               real_base_url="https://clockwork.invalid", read_config=lambda env: None,
                               build=lambda config, context: None, replay_shape=None,
                               probe=lambda config, url: None, **parts)


def test_a_registry_entry_with_a_fake_api_gets_its_sandbox_from_it():
    spec = toy_spec(fake_api=Clockwork)
    with spec.sandbox({"SANDBOX_NOW": "2026-05-01T00:00:00Z", "SANDBOX_FAULTS": ""}) as url:
        assert url.endswith("/clockwork")
        body = requests.get(f"{url}/ping", timeout=5).json()
    assert body["path"] == "/ping" and body["now"] == "2026-05-01T00:00:00Z"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/ping", timeout=5)  # stopped with the block
    with pytest.raises(ConfigError, match="neither a fake_api nor a sandbox"):
        toy_spec()
