"""The REST API over real HTTP (uvicorn on loopback, `python -m orchestration.api`) against a real
warehouse: the bearer token on every endpoint but health; sources and schedules; a run started
while another holds the run lock waits for it (and says so), then succeeds and is reported from
ops.run_log; a profile's recommendations and skill gaps; quality scores; backups created, listed
and verified; 4xx with a clear message on bad input."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from dlt_pipelines import registry
from orchestration.api.config import ApiConfig
from orchestration.config import REPO_ROOT
from orchestration.ops.lock import RunLock
from tests.conftest import query

TOKEN = "api-Token-For-Tests-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AS_OF = "2026-03-01T12:00:00Z"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def api(fresh_database, tmp_path_factory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("api")
    port = free_port()
    keep = ("PATH", "HOME", "LANG", "DBT_PACKAGES_CACHE", "ELT_ELEMENTARY", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({"PYTHONPATH": str(REPO_ROOT), "WAREHOUSE_URL": fresh_database, "ELT_BUILD_DIR": str(root / "build"),
                "BACKUP_DIR": str(root / "backups"), "API_PORT": str(port), "API_TOKEN": TOKEN,
                "ELT_AS_OF": AS_OF, "JSEARCH_QUERIES": "data engineer", "JSEARCH_NUM_PAGES": "3",
                "ELT_RUN_LOCK_WAIT_SECONDS": "600", "HTTP_BACKOFF_BASE_SECONDS": "0.01",
                "DBT_TARGET_PATH": str(root / "target")})
    log = (root / "api.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "orchestration.api"], cwd=REPO_ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a hang guard, not a timing assertion
    while True:
        try:
            requests.get(f"{base}/openapi.json", timeout=5)
            break
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((root / "api.log").read_text()) from None
            time.sleep(0.2)
    yield {"base": base, "url": fresh_database, "log": root / "api.log"}
    server.terminate()
    server.wait(timeout=60)
    log.close()


def wait_for(base: str, run_id: str, statuses: set[str]) -> dict:
    deadline = time.monotonic() + 900  # a hang guard
    while time.monotonic() < deadline:
        body = requests.get(f"{base}/runs/{run_id}", headers=AUTH, timeout=30).json()
        if body["status"] in statuses:
            return body
        time.sleep(1)
    raise AssertionError(f"run {run_id} never reached {statuses}")


def test_every_endpoint_but_health_needs_the_token(api):
    base = api["base"]
    for path in ("/sources", "/runs", "/quality", "/backups", "/profiles/ada-data/recommendations"):
        assert requests.get(base + path, timeout=30).status_code == 401, path
        wrong = requests.get(base + path, headers={"Authorization": "Bearer not-the-token"}, timeout=30)
        assert wrong.status_code == 401 and "Bearer" in wrong.json()["detail"], path
    assert requests.post(f"{base}/runs", json={}, timeout=30).status_code == 401
    health = requests.get(f"{base}/health", timeout=300)
    assert health.status_code in (200, 503) and {c["name"] for c in health.json()["checks"]} >= {"warehouse"}
    assert TOKEN not in health.text
    assert "/runs" in requests.get(f"{base}/openapi.json", timeout=30).json()["paths"]


def test_sources_list_the_registry_with_schedules(api):
    found = {s["name"]: s for s in requests.get(f"{api['base']}/sources", headers=AUTH, timeout=30).json()}
    assert found["github"]["schedule_cron_utc"] == "30 */6 * * *" and found["github"]["domain"] == "careers"
    assert found["openaq"]["schedule_cron_utc"] == "0 */2 * * *"
    assert set(found) == set(registry.names())
    # no key is set: every source with a fake API reads it (the generic ones read their files)
    assert all(found[name]["uses_sandbox"] for name, spec in registry.sources().items() if spec.fake_api)


def test_bad_input_gets_a_clear_4xx(api):
    base = api["base"]
    unknown = requests.post(f"{base}/runs", json={"sources": ["nope"]}, headers=AUTH, timeout=30)
    assert unknown.status_code == 422 and "unknown sources nope; known:" in unknown.json()["detail"]
    extra = requests.post(f"{base}/runs", json={"source": "github"}, headers=AUTH, timeout=30)
    assert extra.status_code == 422 and "source" in extra.text
    assert requests.get(f"{base}/runs?limit=0", headers=AUTH, timeout=30).status_code == 422
    assert requests.get(f"{base}/runs/no-such-run", headers=AUTH, timeout=30).status_code == 422
    assert requests.get(f"{base}/runs/abc123", headers=AUTH, timeout=30).status_code == 404
    assert requests.get(f"{base}/profiles/bad..login/skill-gaps", headers=AUTH, timeout=30).status_code == 422
    missing = requests.post(f"{base}/backups/verify", json={"backup": "nope.dump"}, headers=AUTH, timeout=30)
    assert missing.status_code == 404 and "GET /backups" in missing.json()["detail"]


def test_a_run_waits_for_the_run_lock_then_succeeds_and_serves_recommendations(api):
    base, url = api["base"], api["url"]
    with RunLock(url, 0, "testholder"):
        started = requests.post(f"{base}/runs", json={"sources": ["github", "jsearch"]}, headers=AUTH, timeout=60)
        assert started.status_code == 202, started.text
        body = started.json()
        assert "another run holds the run lock" in body["run_lock"] and "never overlaps" in body["run_lock"]
        assert requests.get(f"{base}{body['status_url']}", headers=AUTH, timeout=30).json()["status"] == "waiting"
    done = wait_for(base, body["run_id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done
    history = requests.get(f"{base}/runs", headers=AUTH, timeout=30).json()
    assert history[0]["run_id"] == body["run_id"]
    assert query(url, "select status from ops.run_log where run_id = %s", (body["run_id"],)) == [("succeeded",)]

    recommended = requests.get(f"{base}/profiles/ada-data/recommendations", headers=AUTH, timeout=30)
    assert recommended.status_code == 200
    expected = query(url, "select posting_key from marts.mart_profile_recommendations where login = 'ada-data' "
                          "order by recommendation_rank")
    assert [r["posting_key"] for r in recommended.json()] == [key for (key,) in expected] and expected
    gaps = requests.get(f"{base}/profiles/ADA-data/skill-gaps", headers=AUTH, timeout=30).json()
    assert [g["gap_rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert requests.get(f"{base}/profiles/nobody-here/recommendations", headers=AUTH, timeout=30).status_code == 404
    scores = requests.get(f"{base}/quality", headers=AUTH, timeout=30)
    assert scores.status_code == 200 and all("quality_score" in row for row in scores.json())


def test_backups_are_created_listed_and_verified(api):
    base = api["base"]
    created = requests.post(f"{base}/backups", headers=AUTH, timeout=600)
    assert created.status_code == 201, created.text
    listed = requests.get(f"{base}/backups", headers=AUTH, timeout=30).json()
    assert created.json()["name"] in [b["name"] for b in listed]
    verified = requests.post(f"{base}/backups/verify", json={"backup": created.json()["name"]}, headers=AUTH,
                             timeout=600)
    assert verified.status_code == 200 and verified.json()["verified"] is True and verified.json()["tables"] > 0


def test_without_a_token_it_binds_to_loopback_only_and_says_so():
    open_host = ApiConfig.from_env({"API_HOST": "0.0.0.0"})
    assert open_host.host == "127.0.0.1" and "API_TOKEN is not set" in open_host.note
    assert ApiConfig.from_env({"API_HOST": "0.0.0.0", "API_TOKEN": TOKEN}).host == "0.0.0.0"
    with pytest.raises(Exception, match="API_PORT"):
        ApiConfig.from_env({"API_PORT": "70000"})
