"""Fixtures for the JSearch sandbox tests: in-thread servers on loopback and an HTTP session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.server import SandboxHandle, start_sandbox

from .helpers import frozen_config


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxHandle]]:
    """Start sandboxes with ``make_sandbox(**config_changes)``; all are stopped after the test."""
    started: list[SandboxHandle] = []

    def make(config: SandboxConfig | None = None, **changes: Any) -> SandboxHandle:
        handle = start_sandbox(config or frozen_config(**changes))
        started.append(handle)
        return handle

    yield make
    for handle in started:
        handle.stop()


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxHandle]:
    """One default sandbox per module, for tests that only read."""
    with start_sandbox(frozen_config()) as handle:
        yield handle


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
