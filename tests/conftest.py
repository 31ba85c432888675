"""Shared fixtures: a real Postgres (WAREHOUSE_URL's server, else the project's embedded one) and
a fresh database per test module, so tests never see each other's data."""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from orchestration.config import REPO_ROOT, Settings
from orchestration.warehouse import LocalServer, with_database

SHARED = REPO_ROOT.parent / "shared"


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skip, saying why, where ../shared (third-party data the product never ships) or the part of
    it a test reads is absent, as in a user's clone."""
    path = SHARED.joinpath(*parts)
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is absent: this test reads ../shared, "
                                                       "which only the project's CI has beside the clone")

# Elementary adds its models and hooks to every dbt build; the suite builds without it (proving the core
# project needs none of it) except tests/quality, which switches it on for its one shared warehouse.
# `ELT_ELEMENTARY=auto make test` runs every build with it.
os.environ.setdefault("ELT_ELEMENTARY", "off")


# `make test` runs modules in parallel (pytest-xdist, one module a worker at a time): each worker keeps
# its dbt artifacts and logs apart, as two dbt processes must never share a target folder.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER:
    os.environ.setdefault("DBT_TARGET_PATH", str(REPO_ROOT / "build" / "pytest" / WORKER / "dbt-target"))
    os.environ.setdefault("DBT_LOG_PATH", str(REPO_ROOT / "build" / "pytest" / WORKER / "dbt-logs"))

TEST_SERVER = LocalServer(REPO_ROOT / "build" / "test-warehouse")
_STARTED_BY_US = pytest.StashKey[bool]()


def _configured_url() -> str:
    return os.environ.get("WAREHOUSE_URL", "").strip()


def pytest_configure(config: pytest.Config) -> None:
    """The session (the controller, under xdist) notes whether the test server already ran, so that
    it stops, at the end, only a server the tests started."""
    if not WORKER and not _configured_url():
        config.stash[_STARTED_BY_US] = not TEST_SERVER.is_running()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_STARTED_BY_US, False) and TEST_SERVER.is_running():
        TEST_SERVER.stop()
    if not WORKER:  # the Spark test cluster any worker started (tests/spark/conftest.py)
        from tests.spark.conftest import stop_test_cluster

        stop_test_cluster()


# Session fixtures that build a whole warehouse: the modules using one run on the same worker, so
# it is built once (`make test` runs `--dist loadgroup`: one group a worker at a time).
SHARED_BUILDS = ("quality_run", "spark_cluster")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups into the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each module is one xdist group (its module fixtures are built once), except that modules
    sharing a whole-warehouse session fixture form one group of that fixture's name."""
    group: dict[str, str] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        shared = next((name for name in SHARED_BUILDS if name in getattr(item, "fixturenames", ())), None)
        if shared or module not in group:
            group[module] = shared or group.get(module, module)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(group[item.nodeid.split("::")[0]]))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Admin URL of the Postgres server the tests use (database `postgres`): WAREHOUSE_URL's, else the
    embedded one in build/test-warehouse, started once for all workers (under a file lock)."""
    configured = _configured_url()
    if configured:
        yield with_database(configured, "postgres")
        return
    TEST_SERVER.root.mkdir(parents=True, exist_ok=True)
    with open(TEST_SERVER.root.parent / "test-warehouse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        TEST_SERVER.start()
    yield TEST_SERVER.url("postgres")


def _admin(server_url: str, statement: str) -> None:
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh_database(server_url: str) -> Iterator[str]:
    """URL of a new, empty database, dropped after the module."""
    name = f"elt_test_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall() if cur.description else []
    conn.close()
    return rows


def make_settings(tmp_dir: Path, **overrides: str) -> Settings:
    """Settings as a user would set them, isolated from the developer's own environment."""
    env = {
        "ELT_BUILD_DIR": str(tmp_dir),
        "JSEARCH_RATE_LIMIT_PER_MIN": "0",
        "HTTP_BACKOFF_BASE_SECONDS": "0.01",
        "PATH": os.environ.get("PATH", ""),
    }
    env.update(overrides)
    return Settings.from_env(env)
