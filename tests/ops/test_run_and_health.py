"""`make run` with its operations (run lock, ledger, step summary, last-run manifest), `make health`,
`make ci-slim`, `make docs-site` and a backup of what a real run loaded: real Postgres, the sandbox
over HTTP, real dlt and dbt, each through make as a user or a workflow would call it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from dlt_pipelines import registry
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration.config import REPO_ROOT, dbt_target_dir
from orchestration.ops.health import check_source, freshness_rules
from orchestration.ops.lock import lock_holder
from tests.conftest import make_settings, query
from tests.ops.conftest import HOOK_TOKEN, PASSWORD, make, with_password

# One sandbox clock for every command of the module (the hour the tests started): a later command
# (ci-slim, backup) must see exactly what `make run` loaded, not postings published meanwhile.
AS_OF = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0).isoformat()
SMALL = {"JSEARCH_QUERIES": "data engineer", "JSEARCH_NUM_PAGES": "1", "JSEARCH_MAX_PAGES": "2", "ELT_AS_OF": AS_OF}


@pytest.fixture(scope="module")
def run(fresh_database, tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    env = {"WAREHOUSE_URL": with_password(fresh_database), "ELT_BUILD_DIR": str(build), **SMALL}
    summary = build / "step-summary.md"
    result = make("run", GITHUB_STEP_SUMMARY=str(summary), **env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"env": env, "result": result, "summary": summary, "build": build, "url": env["WAREHOUSE_URL"]}


def test_make_run_is_recorded_releases_its_lock_and_summarises(run):
    [(status, stage, message, took)] = query(run["url"], "select status, stage_failed, message, "
                                                         "finished_at - started_at from ops.run_log")
    assert status == "succeeded" and stage is None and "dbt build:" in message and took > timedelta(0)
    assert lock_holder(run["url"]) is None
    assert "== run summary ==" in run["result"].stdout
    summary = run["summary"].read_text()
    assert "succeeded" in summary and "extract-load jsearch: 20 rows loaded" in summary
    manifest = json.loads((run["build"] / "last-run" / "manifest.json").read_text())
    assert "model.warehouse.fct_job_postings" in manifest["nodes"]
    assert PASSWORD not in run["result"].stdout + run["result"].stderr + summary


def test_make_health_is_healthy_after_a_run(run):
    result = make("health", **run["env"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    lines = lines[lines.index("== health =="):]
    for check in ("warehouse", "source jsearch", "freshness raw_jsearch.job_postings", "last run"):
        assert any(line.startswith("ok") and check in line for line in lines), (check, lines)
    # warehouse, each source's reachability and freshness, last run
    assert lines[-1] == f"healthy: {2 + 2 * len(registry.names())} ok, 0 warnings, 0 failed"
    assert PASSWORD not in result.stdout


def test_health_fails_on_stale_sources_and_alerts(run, receiver):
    later = (datetime.now(timezone.utc) + timedelta(hours=30)).isoformat()
    warned = make("health", **{**run["env"], "ELT_AS_OF": later})
    assert "warn  freshness raw_jsearch.job_postings" in warned.stdout
    # the daily job boards only warn after 30 hours; hourly air quality (error after 8 hours) is stale by then
    failed = [line.split()[2] for line in warned.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == (["raw_openaq.measurements"] if "openaq" in registry.names() else [])
    stale = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    result = make("health", ALERT_WEBHOOK_URL=receiver.url, **{**run["env"], "ELT_AS_OF": stale})
    assert result.returncode != 0 and "Error 1" in result.stderr  # make reports the command's exit 1
    assert "FAIL  freshness raw_jsearch.job_postings" in result.stdout and "error after 48.0h" in result.stdout
    # every source's freshness fails but the monthly ones' (salary surveys: an error after 62 days);
    # warehouse, reachability and the last run stay ok
    monthly = sum(rule.error_after > timedelta(days=3) for rule in freshness_rules()
                  if rule.relation.split(".")[0] in {spec.dataset for spec in registry.sources().values()})
    failing = len(registry.names()) - monthly
    assert f"UNHEALTHY: {2 + len(registry.names()) + monthly} ok, 0 warnings, {failing} failed" in result.stdout
    [alert] = receiver.texts()
    assert "health check failed" in alert and "freshness raw_jsearch.job_postings" in alert
    assert HOOK_TOKEN not in result.stdout + result.stderr


def test_health_fails_when_the_warehouse_is_unreachable(tmp_path):
    result = make("health", WAREHOUSE_URL=f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/none",
                  ELT_BUILD_DIR=str(tmp_path))
    assert result.returncode != 0 and "Error 1" in result.stderr  # make reports the command's exit 1
    assert "FAIL  warehouse" in result.stdout and "cannot connect to the warehouse" in result.stdout
    assert "ok    source jsearch" in result.stdout  # the checks that can still run do
    assert PASSWORD not in result.stdout + result.stderr and "***" in result.stdout


def test_the_real_api_gets_one_cheap_request_and_a_rejected_key_is_unhealthy(tmp_path):
    with start_sandbox(SandboxConfig(now="2026-03-01T00:00:00Z")) as api:
        url = api.base_url("jsearch")
        good = check_source(make_settings(tmp_path, JSEARCH_BASE_URL=url, RAPIDAPI_KEY="k"), "jsearch")
        bad = check_source(make_settings(tmp_path, JSEARCH_BASE_URL=url, RAPIDAPI_KEY="bad-key"), "jsearch")
        requests_made = api.state.snapshot()["requests"]["total"]
    assert good.status == "ok" and "one-page search: HTTP 200" in good.detail
    assert bad.status == "fail" and "rejected" in bad.detail and "RAPIDAPI_KEY" in bad.detail
    assert requests_made == 2
    down = check_source(make_settings(tmp_path, JSEARCH_BASE_URL="http://127.0.0.1:1", RAPIDAPI_KEY="k"), "jsearch")
    assert down.status == "fail" and "unreachable" in down.detail


def test_make_ci_slim_builds_only_what_changed_since_production(run, tmp_path):
    production = json.loads((run["build"] / "last-run" / "manifest.json").read_text())
    production["nodes"]["model.warehouse.quarantined_records"]["raw_code"] += "\n-- production had another version"
    (tmp_path / "manifest.json").write_text(json.dumps(production))
    result = make("ci-slim", f"PROD_MANIFEST={tmp_path / 'manifest.json'}", **run["env"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "slim: dbt build --select @state:modified" in result.stdout
    ran = json.loads((dbt_target_dir() / "run_results.json").read_text())["results"]
    models = {r["unique_id"] for r in ran if r["unique_id"].startswith("model.")}
    # the changed model, the parents it needs (the unified postings, every board's staging and the OpenAQ
    # measurements) and the data-quality marts downstream of it with their parents; nothing else
    # (fct_job_postings & co. are untouched)
    downstream = {"mart_quarantine_counts", "mart_data_quality_scores", "mart_pipeline_runs", "stg_ops__runs",
                  "stg_ops__run_loads", "stg_ops__dbt_invocations", "stg_ops__dbt_node_results", "stg_dlt__loads"}
    boards = {f"stg_{board}__job_postings" for board in ("jsearch", "remotive", "arbeitnow", "adzuna")}
    assert models == {f"model.warehouse.{name}" for name in
                      {"quarantined_records", "int_job_postings__unified", "stg_openaq__measurements", *boards,
                       *downstream}}
    assert all(r["status"] in ("success", "pass") or r["unique_id"].startswith("exposure.") for r in ran)  # no-op


def test_make_docs_site_writes_the_page_to_publish(run):
    site = REPO_ROOT / "build" / "site" / "index.html"
    site.unlink(missing_ok=True)
    result = make("docs-site", **run["env"])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert site.stat().st_size > 100_000 and "dbt" in site.read_text()[:5000].lower()


def test_a_backup_of_a_real_warehouse_records_the_dlt_schema_and_verifies(run, tmp_path):
    env = {**run["env"], "BACKUP_DIR": str(tmp_path)}
    done = make("backup", **env)
    assert done.returncode == 0, done.stderr
    [manifest_file] = tmp_path.glob("*.manifest.json")
    manifest = json.loads(manifest_file.read_text())
    assert manifest["tables"]["raw_jsearch.job_postings"]["rows"] == 20
    assert manifest["tables"]["ops.run_log"]["rows"] == 1
    assert "raw_jsearch" in manifest["schema_version"]["dlt"]
    verified = make("verify-backup", **env)
    assert verified.returncode == 0, verified.stderr
    assert f"{len(manifest['tables'])} tables" in verified.stdout
