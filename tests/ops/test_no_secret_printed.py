"""No secret reaches an output: distinct fake secrets are planted in the environment, every entry point
runs as a subprocess into its failure path (a loopback API answering 401 with the key echoed, an
unreachable API, a bad capture, an unreachable warehouse), and the planted values, raw and URL-encoded,
are looked for in all stdout and stderr, every file under the build and backup folders, every table of
the warehouse and every alert the webhook received."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import requests

from orchestration.config import REPO_ROOT
from tests.conftest import query
from tests.ops.conftest import HOOK_TOKEN, Receiver, clean_env, cli, with_password

PASSWORD = "pw/Planted@Pass3"  # in the URL as pw%2FPlanted%40Pass3
PLANTED = {
    "RAPIDAPI_KEY": "rapid-Planted/Key+1",
    "ADZUNA_APP_ID": "adzId-Planted7",
    "ADZUNA_APP_KEY": "adz-Planted Key/2",
    "GITHUB_TOKEN": "ghp_Planted/Token9",
    "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/services/slackPlantedToken",
}


def forms(value: str) -> set[str]:
    return {value, quote(value), quote(value, safe=""), quote_plus(value)}


class EchoApi:
    """A loopback 'real API' that rejects every call with 401, echoing the keys and the URL it got."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body = json.dumps({"message": f"invalid key {self.headers.get('X-RapidAPI-Key')!s} for {self.path}",
                                   "headers": dict(self.headers)}).encode()
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_sandbox_verbose(secrets: dict[str, str]) -> subprocess.CompletedProcess:
    """The sandbox API logging every request (--verbose), called with keys in the query and headers."""
    sandbox = subprocess.Popen([sys.executable, "-m", "dlt_pipelines.sandbox", "serve", "--verbose"], cwd=REPO_ROOT,
                               env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = sandbox.stdout.readline().strip()
        requests.get(f"{base}/jsearch/search", params={"query": "x", "api_key": secrets["RAPIDAPI_KEY"]},
                     headers={"X-RapidAPI-Key": secrets["RAPIDAPI_KEY"]}, timeout=30)
        requests.get(f"{base}/adzuna/v1/api/jobs/us/search/1", timeout=30,
                     params={"app_id": secrets["ADZUNA_APP_ID"], "app_key": secrets["ADZUNA_APP_KEY"]})
    finally:
        sandbox.terminate()
        out, err = sandbox.communicate(timeout=30)
    return subprocess.CompletedProcess(sandbox.args, sandbox.returncode, out, err)


@pytest.fixture(scope="module")
def planted(fresh_database, tmp_path_factory) -> Iterator[dict]:
    """Every entry point run once with the planted secrets: their outputs, folders, warehouse, alerts."""
    root = tmp_path_factory.mktemp("no-secret")
    api, hook = EchoApi(), Receiver()
    url = with_password(fresh_database, quote(PASSWORD, safe=""))
    build, backups = root / "build", root / "backups"
    build.mkdir()
    env = {**PLANTED, "WAREHOUSE_URL": url, "ALERT_WEBHOOK_URL": hook.url, "ELT_BUILD_DIR": str(build),
           "BACKUP_DIR": str(backups), "GITHUB_STEP_SUMMARY": str(build / "step_summary.md"),
           "HTTP_MAX_ATTEMPTS": "2", "HTTP_BACKOFF_BASE_SECONDS": "0.01", "ELT_RUN_LOCK_WAIT_SECONDS": "5"}
    wrong_capture = root / "capture.json"  # its keys are named in the error: one of them is the key
    wrong_capture.write_text(json.dumps({PLANTED["RAPIDAPI_KEY"]: [], "note": "not a capture"}))
    unreachable_db = with_password(fresh_database.rsplit("/", 1)[0] + "/no_such_db", quote(PASSWORD, safe=""))
    runs = {
        "el adzuna 401": cli("el", "--source", "adzuna", **env, ADZUNA_BASE_URL=api.url),
        "el adzuna unreachable": cli("el", "--source", "adzuna", **env, ADZUNA_BASE_URL="http://127.0.0.1:1"),
        "el jsearch 401": cli("el", "--source", "jsearch", **env, JSEARCH_BASE_URL=api.url),
        "el github 401": cli("el", "--source", "github", **env, GITHUB_BASE_URL=api.url, GITHUB_USERS="someone"),
        "el --replay": cli("el", "--source", "remotive", "--replay", str(wrong_capture), **env),
        "health": cli("health", **env, JSEARCH_BASE_URL=api.url, ADZUNA_BASE_URL=api.url,
                      ELT_SOURCES="jsearch,adzuna"),
        "backup": cli("backup", **env),
        "backup unreachable": cli("backup", **{**env, "WAREHOUSE_URL": unreachable_db}),
        "run": cli("run", **env, JSEARCH_BASE_URL=api.url, ELT_SOURCES="jsearch"),
        "sandbox api": serve_sandbox_verbose(PLANTED),
    }
    yield {"runs": runs, "url": fresh_database, "dirs": (build, backups), "alerts": hook.texts()}
    api.close()
    hook.close()


def planted_values() -> set[str]:
    values = {*PLANTED.values(), PASSWORD, HOOK_TOKEN}
    return {form for value in values for form in forms(value)}


def leaks(text: str) -> list[str]:
    return sorted(value for value in planted_values() if value in text)


def test_every_entry_point_reached_its_failure_path(planted):
    runs = planted["runs"]
    for name in ("el adzuna 401", "el jsearch 401", "el github 401"):
        assert runs[name].returncode == 1 and "rejected the API key" in runs[name].stderr, (name, runs[name].stderr)
    assert "gave up after 2 attempts" in runs["el adzuna unreachable"].stderr
    assert "app_key=***" in runs["el adzuna unreachable"].stderr  # the URL is there, its key masked
    assert runs["el --replay"].returncode == 1 and "not a remotive capture" in runs["el --replay"].stderr
    assert runs["health"].returncode == 1 and "the API key was rejected" in runs["health"].stdout
    assert runs["backup"].returncode == 0 and list(planted["dirs"][1].glob("*.dump"))
    assert runs["backup unreachable"].returncode == 1 and "cannot connect" in runs["backup unreachable"].stderr
    assert runs["run"].returncode == 1 and "stage 'el:jsearch' failed" in runs["run"].stderr
    assert "app_key=***" in runs["sandbox api"].stderr  # the request line was logged, masked


@pytest.mark.parametrize("name", ["el adzuna 401", "el adzuna unreachable", "el jsearch 401", "el github 401",
                                  "el --replay", "health",
                                  "backup", "backup unreachable", "run", "sandbox api"])
def test_no_planted_secret_is_printed(planted, name):
    run = planted["runs"][name]
    assert leaks(run.stdout + run.stderr) == [], run.stdout + run.stderr


def test_no_planted_secret_in_any_file_written(planted):
    files = [path for folder in planted["dirs"] for path in folder.rglob("*") if path.is_file()]
    assert any(path.name == "step_summary.md" for path in files) and any(path.suffix == ".json" for path in files)
    found = {str(path): leaks(path.read_bytes().decode("utf-8", "replace")) for path in files}
    assert {path: values for path, values in found.items() if values} == {}


def test_no_planted_secret_in_the_warehouse(planted):
    url = planted["url"]
    assert query(url, "select status, stage_failed from ops.run_log") == [("failed", "el:jsearch")]
    tables = query(url, """select table_schema, table_name from information_schema.tables
                           where table_schema not in ('pg_catalog', 'information_schema')""")
    assert ("ops", "run_log") in tables
    for schema, table in tables:
        rows = query(url, f'select row_to_json(t)::text from "{schema}"."{table}" as t')
        assert leaks("\n".join(text for (text,) in rows)) == [], f"{schema}.{table}"


def test_no_planted_secret_in_any_alert(planted):
    alerts = planted["alerts"]
    assert len(alerts) >= 3  # health, backup unreachable, run
    assert leaks("\n".join(alerts)) == []


def test_the_planted_values_would_be_found(planted):
    """The search itself works: the planted values are where a scrubber-less program would print them."""
    assert leaks(f"?app_key={quote_plus(PLANTED['ADZUNA_APP_KEY'])}") == [quote_plus(PLANTED["ADZUNA_APP_KEY"])]
    assert Path(planted["dirs"][0]).is_dir()
