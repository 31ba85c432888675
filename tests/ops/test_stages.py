"""Per-stage time limits and retries: configured per stage, enforced on real stages (a dlt extract
stuck on an API that never answers), retried only when the cause can go away."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from orchestration.config import ConfigError, Settings
from orchestration.elt import RunSummary, StageError, _stage, extract_load
from orchestration.ops.stages import run_stage
from tests.conftest import make_settings


def stage(summary: RunSummary, name: str):
    return lambda: _stage(summary, name)


def test_limits_and_retries_are_read_per_stage_with_family_and_default_keys():
    settings = Settings.from_env({"ELT_STAGE_TIMEOUTS": "el=60,el:jsearch=30,*=5", "ELT_STAGE_RETRIES": "el=2"})
    assert settings.stage_timeout("el:jsearch") == 30
    assert settings.stage_timeout("el:other") == 60
    assert settings.stage_timeout("dbt build") == 3600  # a default the variable did not override
    assert settings.stage_timeout("something new") == 5
    assert settings.stage_attempts("el:jsearch") == 3 and settings.stage_attempts("dbt build") == 1
    defaults = Settings.from_env({})
    assert defaults.stage_attempts("el:jsearch") == 1 and defaults.stage_timeout("warehouse") == 300
    for bad in ("el", "el=-1", "el=soon", "=5"):
        with pytest.raises(ConfigError, match="ELT_STAGE_RETRIES must be stage=value pairs"):
            Settings.from_env({"ELT_STAGE_RETRIES": bad})


def test_a_stage_over_its_limit_is_interrupted_and_named(tmp_path):
    settings = make_settings(tmp_path, ELT_STAGE_TIMEOUTS="dbt docs=0.5")
    summary = RunSummary("")
    finished = threading.Event()

    def work() -> None:
        time.sleep(30)
        finished.set()

    with pytest.raises(StageError, match=r"stage 'dbt docs' failed: timed out after 0\.5s \(.*ELT_STAGE_TIMEOUTS"):
        run_stage(settings, "dbt docs", stage(summary, "dbt docs"), work)
    assert not finished.is_set()  # interrupted, not waited for
    assert "dbt docs" in summary.seconds_by_stage


def test_an_extract_stuck_on_a_silent_api_is_stopped_by_the_stage_limit(fresh_database, tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the backlog and are never answered
    port = silent.getsockname()[1]
    settings = make_settings(tmp_path, WAREHOUSE_URL=fresh_database, JSEARCH_BASE_URL=f"http://127.0.0.1:{port}",
                             RAPIDAPI_KEY="k", HTTP_TIMEOUT_SECONDS="120", ELT_STAGE_TIMEOUTS="el=1.5")
    try:  # the stage limit (1.5 s), not the 120 s HTTP timeout, ends it: the message says which
        with pytest.raises(StageError, match=r"stage 'el:jsearch' failed: timed out after 1\.5s"):
            extract_load(settings, fresh_database, ("jsearch",))
    finally:
        silent.close()


def test_a_failed_stage_is_retried_as_configured(tmp_path):
    settings = make_settings(tmp_path, ELT_STAGE_RETRIES="el=2", ELT_STAGE_RETRY_DELAY_SECONDS="0")
    calls, said = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionResetError("connection reset by peer")
        return "loaded"

    assert run_stage(settings, "el:jsearch", stage(RunSummary(""), "el:jsearch"), flaky, log=said.append) == "loaded"
    assert len(calls) == 3
    assert said[0].startswith("stage 'el:jsearch' failed: connection reset by peer (attempt 1 of 3)")

    calls.clear()

    def down():
        calls.append(1)
        raise ConnectionRefusedError("connection refused")

    with pytest.raises(StageError, match="stage 'el:jsearch' failed: connection refused"):
        run_stage(settings, "el:jsearch", stage(RunSummary(""), "el:jsearch"), down, log=said.append)
    assert len(calls) == 3  # 1 + 2 retries, then the failure stands


def test_what_fails_the_same_way_again_is_not_retried(tmp_path):
    settings = make_settings(tmp_path, ELT_STAGE_RETRIES="*=3", ELT_STAGE_RETRY_DELAY_SECONDS="0")
    calls = []

    def misconfigured():
        calls.append(1)
        raise ConfigError("RAPIDAPI_KEY must be set")

    with pytest.raises(StageError, match="stage 'el:jsearch' failed: RAPIDAPI_KEY must be set"):
        run_stage(settings, "el:jsearch", stage(RunSummary(""), "el:jsearch"), misconfigured, log=lambda _: None)
    assert len(calls) == 1
