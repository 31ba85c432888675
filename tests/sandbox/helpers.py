"""Helpers shared by the sandbox tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.server import SandboxHandle

NOW = "2026-03-01T12:00:00Z"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "api_samples" / "jsearch"


def frozen_config(**changes: Any) -> SandboxConfig:
    """Default config with the clock frozen at NOW, so every test sees the same catalogue."""
    return SandboxConfig(now=NOW, **changes)


def search(session: requests.Session, sandbox: SandboxHandle, **params: Any) -> requests.Response:
    """GET /search with ``query`` defaulting to a fixed value."""
    headers = params.pop("headers", None)
    timeout = params.pop("timeout", 10)
    params.setdefault("query", "data engineer")
    return session.get(f"{sandbox.url}/jsearch/search", params=params, headers=headers, timeout=timeout)


def walk(session: requests.Session, sandbox: SandboxHandle, num_pages: int = 20, **params: Any) -> list[Any]:
    """Every item of a full paging walk, in served order (stops at the first short response)."""
    items: list[Any] = []
    page = 1
    full = num_pages * sandbox.config.page_size
    while True:
        response = search(session, sandbox, page=page, num_pages=num_pages, **params)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        items.extend(data)
        if len(data) < full:
            return items
        page += num_pages
