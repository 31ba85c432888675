"""One warehouse for all the data-quality tests (built once per session): two recorded runs of the
whole ELT against the sandbox (a first load, then new postings), the dbt docs site and Elementary's
report of it; plus a loopback web server and headless Chromium for the browser tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT, Settings, dbt_target_dir
from orchestration.dbt_runner import dbt_executable
from orchestration.elt import run_all
from orchestration.ops.runner import guarded_run
from orchestration.quality import browser, packages
from orchestration.warehouse import with_database
from tests.conftest import _admin, make_settings
from tests.ops.conftest import make

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
LATER = T0 + timedelta(hours=12)
FAULTS = "malformed=0.02"
ARTIFACTS = REPO_ROOT / "build" / "test-artifacts" / "quality"  # screenshots (git-ignored)


@pytest.fixture(scope="session")
def elementary_availability() -> packages.Availability:
    """What `make deps` does before `make test`, for a bare `pytest` run too."""
    return packages.install(Settings.from_env(), dbt_executable())


@contextlib.contextmanager
def elementary_switched_on() -> Iterator[None]:
    """Elementary switched on (tests/conftest.py switches it off for the rest of the suite), then
    back: a test that runs on this worker later must not build with it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELT_ELEMENTARY", "auto")
        yield


@pytest.fixture(autouse=True)
def elementary_on(monkeypatch) -> None:
    """Every data-quality test runs with Elementary on (the session fixture below switches it on
    only while it builds)."""
    monkeypatch.setenv("ELT_ELEMENTARY", "auto")


@pytest.fixture(scope="session")
def quality_run(server_url, tmp_path_factory, elementary_availability) -> Iterator[dict]:
    name = f"elt_quality_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    with elementary_switched_on():
        built = _build(with_database(server_url, name), tmp_path_factory, elementary_availability)
    yield built
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def _build(url: str, tmp_path_factory, elementary_availability) -> dict:
    build = tmp_path_factory.mktemp("quality")
    env = {"WAREHOUSE_URL": url, "JSEARCH_QUERIES": "data engineer", "SANDBOX_FAULTS": FAULTS}
    summaries = []
    for as_of, docs in ((T0, False), (LATER, True)):
        settings = make_settings(build, ELT_AS_OF=as_of.isoformat(), **env)
        summaries.append(guarded_run(settings, lambda s=settings, d=docs: run_all(s, with_docs=d),
                                     log=lambda line: None))
    site = build / "site"  # the docs artifacts of this warehouse, before another test's dbt overwrites them
    site.mkdir()
    for artifact in ("manifest.json", "catalog.json", "static_index.html"):
        shutil.copyfile(dbt_target_dir() / artifact, site / artifact)
    report, report_output = None, ""
    if elementary_availability.available:
        done = make("report", WAREHOUSE_URL=url, ELT_BUILD_DIR=str(build))  # as a user runs it
        report_output = done.stdout + done.stderr
        assert done.returncode == 0, report_output[-3000:]
        report = build / "elementary" / "report.html"
    return {"url": url, "build": build, "runs": summaries, "site": site, "report": report,
            "report_output": report_output, "settings": make_settings(build, **env)}


@pytest.fixture(scope="session")
def chromium() -> str:
    found, why = browser.ensure(install=False)
    if not found:
        pytest.skip(f"no headless browser: {why} (`make browser` installs Debian's chromium as root)")
    return found


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator:
    """serve(folder) -> base URL of a web server on loopback for that folder."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser_page(chromium) -> Iterator:
    """new_page() -> a Playwright page in headless Debian Chromium that can reach loopback only."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = browser.fresh_profile()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True,
            args=[flag for flag in browser.FLAGS if flag != "--headless"], viewport={"width": 1400, "height": 900})
        # nothing outside this machine: the report's web fonts would only wait for a network there is none of
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            ("http://127.0.0.1", "data:", "blob:", "about:")) else route.abort())
        yield context.new_page
        context.close()
    shutil.rmtree(profile, ignore_errors=True)
