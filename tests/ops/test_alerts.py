"""Alerts to a Slack-compatible webhook on loopback: what is sent, when, and that no secret (API key,
database password, the webhook URL itself) is ever printed or sent."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone

import pytest

from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration.config import REPO_ROOT
from orchestration.dbt_runner import DbtReport
from orchestration.elt import RunSummary
from orchestration.ops.alerts import ATTEMPTS, send_alert
from orchestration.ops.health import check_last_run
from orchestration.ops.runner import guarded_run
from tests.conftest import make_settings, query
from tests.ops.conftest import API_KEY, HOOK_TOKEN, PASSWORD, Receiver, clean_env, cli, with_password

SECRETS = (API_KEY, PASSWORD, HOOK_TOKEN)


def test_an_alert_is_slack_json_with_secrets_scrubbed(receiver, tmp_path):
    settings = make_settings(tmp_path, ALERT_WEBHOOK_URL=receiver.url, RAPIDAPI_KEY=API_KEY)
    said = []
    assert send_alert(settings, f"failed with key {API_KEY} at postgresql://u:{PASSWORD}@db:5432/w", log=said.append)
    assert len(receiver.requests) == 1 and said == []
    request = receiver.requests[0]
    assert request["content_type"] == "application/json"
    assert list(json.loads(request["body"])) == ["text"]
    text = receiver.texts()[0]
    assert "failed with key ***" in text and "postgresql://u:***@db:5432/w" in text
    assert not any(secret in text for secret in SECRETS)


def test_an_undeliverable_alert_is_reported_without_the_url_and_never_raises(tmp_path):
    failing = Receiver(status=500)
    try:
        settings = make_settings(tmp_path, ALERT_WEBHOOK_URL=failing.url)
        said = []
        assert not send_alert(settings, "run failed", log=said.append, sleep=lambda _: None)
        assert len(failing.requests) == ATTEMPTS
        assert said == ["warning: the alert could not be delivered to ALERT_WEBHOOK_URL (HTTP 500)"]
    finally:
        failing.close()
    nobody = make_settings(tmp_path, ALERT_WEBHOOK_URL=failing.url)  # closed: connection refused
    said = []
    assert not send_alert(nobody, "run failed", log=said.append, sleep=lambda _: None)
    assert len(said) == 1 and "ConnectionError" in said[0] and HOOK_TOKEN not in said[0]
    assert not send_alert(make_settings(tmp_path), "no webhook configured")


def test_a_failed_run_exits_non_zero_names_the_stage_alerts_and_is_logged(fresh_database, receiver, tmp_path):
    url = with_password(fresh_database)
    summary_file = tmp_path / "step-summary.md"
    config = SandboxConfig(now=datetime(2026, 3, 1, tzinfo=timezone.utc).isoformat(),
                           faults=FaultConfig.parse("server_error=1.0"))
    with start_sandbox(config) as sandbox:
        result = cli("run", WAREHOUSE_URL=url, RAPIDAPI_KEY=API_KEY, JSEARCH_BASE_URL=sandbox.base_url("jsearch"),
                     HTTP_MAX_ATTEMPTS="1", ALERT_WEBHOOK_URL=receiver.url, ELT_BUILD_DIR=str(tmp_path / "build"),
                     GITHUB_STEP_SUMMARY=str(summary_file))
    assert result.returncode == 1
    assert "error: stage 'el:jsearch' failed:" in result.stderr
    [alert] = receiver.texts()
    assert "ELT run" in alert and "failed in stage 'el:jsearch'" in alert and "postgresql://postgres:***@" in alert
    [(status, stage, message)] = query(url, "select status, stage_failed, message from ops.run_log")
    assert (status, stage) == ("failed", "el:jsearch") and "el:jsearch" in message
    assert check_last_run(url).status == "fail"
    assert "failed" in summary_file.read_text()
    for text in (result.stdout, result.stderr, alert, message, summary_file.read_text()):
        assert not any(secret in text for secret in SECRETS)


def test_quality_warnings_alert_only_with_alert_on_warn(fresh_database, receiver, tmp_path):
    def run_with_warnings() -> RunSummary:
        build = DbtReport(command="build", by_type={"test": Counter({"pass": 10, "warn": 2}), "model": Counter()})
        return RunSummary(fresh_database, build=build)

    quiet = make_settings(tmp_path, WAREHOUSE_URL=fresh_database, ALERT_WEBHOOK_URL=receiver.url)
    guarded_run(quiet, run_with_warnings)
    assert receiver.texts() == []
    loud = make_settings(tmp_path, WAREHOUSE_URL=fresh_database, ALERT_WEBHOOK_URL=receiver.url, ALERT_ON_WARN="true")
    guarded_run(loud, run_with_warnings)
    [alert] = receiver.texts()
    assert "succeeded with 2 data-quality warnings" in alert
    assert query(fresh_database, "select count(*) from ops.run_log where status = 'succeeded'") == [(2,)]


def test_a_terminated_run_is_recorded_as_failed_and_alerted(fresh_database, receiver, tmp_path):
    silent = socket.socket()  # an API that accepts connections and never answers: the run hangs in el
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    env = clean_env(WAREHOUSE_URL=fresh_database, RAPIDAPI_KEY=API_KEY,
                    JSEARCH_BASE_URL=f"http://127.0.0.1:{silent.getsockname()[1]}", HTTP_TIMEOUT_SECONDS="120",
                    ALERT_WEBHOOK_URL=receiver.url, ELT_BUILD_DIR=str(tmp_path), ELT_STAGE_RETRIES="el=3",
                    ELT_SOURCES="jsearch")
    run = subprocess.Popen([sys.executable, "-m", "orchestration", "run"], cwd=REPO_ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def started() -> bool:
            return bool(query(fresh_database, "select to_regclass('ops.run_log') is not null")[0][0] and query(
                fresh_database, "select count(*) from ops.run_log where status = 'running'")[0][0])

        for _ in range(3000):  # polls, a guard against a hang, not a measurement
            if started():
                break
            assert run.poll() is None, run.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("the run never recorded itself as running")
        time.sleep(1)  # well inside the extract-load stage
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()
        silent.close()
    assert run.returncode != 0
    [(status, stage, message)] = query(fresh_database, "select status, stage_failed, message from ops.run_log "
                                                       "order by started_at desc limit 1")
    assert (status, stage) == ("failed", "el:jsearch") and "terminated by signal SIGTERM" in message
    assert "retrying" not in err  # stopping is not a failure to retry
    assert any("terminated by signal SIGTERM" in text for text in receiver.texts())
