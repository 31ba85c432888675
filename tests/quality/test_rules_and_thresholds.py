"""The quality rules act at their documented thresholds: completeness warns below 95% and errors
below 80%, the duplicate rate warns above 10%; every job-board source has a 24-hour freshness rule;
Elementary's monitors ran in the build; and `make monitor` posts a summary of the failing tests.
The thresholds are exercised on the real staging table of the quality warehouse, changed inside
the test and restored afterwards."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from dlt_pipelines import registry
from orchestration.config import DBT_PROJECT_DIR, dbt_target_dir
from orchestration.dbt_runner import DbtError, dbt_env, dbt_executable, run_dbt
from orchestration.ops.health import freshness_rules
from orchestration.quality import elementary, elementary_run_results
from tests.conftest import query
from tests.ops.conftest import Receiver
from tests.quality.conftest import elementary_switched_on

COMPLETENESS = "completeness_stg_jsearch__job_postings_job_title"
DUPLICATES = "duplicate_rate_stg_jsearch__job_postings_dedup_key"
STAGING = "staging.stg_jsearch__job_postings"
LEAF_VIEW = "stg_cfbd__teams"  # no model reads it


def _degrade(url: str, missing_share: float, duplicate_share: float) -> None:
    """Blank job_title in `missing_share` of the rows and give `duplicate_share` of them one dedup_key."""
    query(url, f"""
        with ranked as (select job_id, row_number() over (order by job_id) as n, count(*) over () as total
                        from {STAGING})
        update {STAGING} as s set
            job_title = case when r.n <= r.total * %s then null else s.job_title end,
            dedup_key = case when r.n > r.total - r.total * %s then 'one-key' else s.dedup_key end
        from ranked as r where r.job_id = s.job_id""", (missing_share, duplicate_share))


def _test_statuses(args: list[str], url: str) -> dict[str, str]:
    try:
        run_dbt(args, url, quiet=True)
    except DbtError:
        pass  # an error-level failure: read what each test did
    results = json.loads((dbt_target_dir() / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r["status"] for r in results if r["unique_id"].startswith("test.")}


@pytest.fixture(scope="module")
def degraded(quality_run):
    with elementary_switched_on():  # the module's fixture is set up before each test switches it on
        return _degraded(quality_run)


def _degraded(quality_run):
    url = quality_run["url"]
    query(url, f"create table public.staging_backup as select job_id, job_title, dedup_key from {STAGING}")
    try:
        select = ["test", "--select", COMPLETENESS, DUPLICATES]
        _degrade(url, 0.10, 0.15)
        warned = _test_statuses(select, url)
        warned_summary = elementary.failed_tests(url) if quality_run["report"] else []
        _degrade(url, 0.25, 0.15)
        errored = _test_statuses(select, url)
    finally:
        query(url, f"update {STAGING} as s set job_title = b.job_title, dedup_key = b.dedup_key "
                   "from public.staging_backup as b where b.job_id = s.job_id; drop table public.staging_backup")
    return {"warned": warned, "errored": errored, "warned_summary": warned_summary}


def test_rules_pass_on_clean_data(quality_run):
    # both runs' builds ran them on the sandbox's data (as recorded in the run ledger)
    rows = query(quality_run["url"], """
        select split_part(n.unique_id, '.', 3), n.status from ops.dbt_node_results as n
        join ops.dbt_invocations as i using (invocation_id)
        where i.run_id is not null and i.command = 'build' and n.unique_id like 'test.%%'
        order by i.started_at""")
    statuses: dict[str, list[str]] = {}
    for name, status in rows:
        statuses.setdefault(name, []).append(status)
    assert statuses[COMPLETENESS] == ["pass", "pass"] and statuses[DUPLICATES] == ["pass", "pass"]


def test_completeness_warns_below_95_and_errors_below_80_percent(degraded):
    assert degraded["warned"][COMPLETENESS] == "warn"  # 90% complete
    assert degraded["errored"][COMPLETENESS] == "fail"  # 75% complete: error severity, the build would stop


def test_duplicate_rate_warns_above_10_percent_and_never_errors(degraded):
    assert degraded["warned"][DUPLICATES] == "warn"
    assert degraded["errored"][DUPLICATES] == "warn"


def test_thresholds_are_configured_as_documented():
    manifest = json.loads((dbt_target_dir() / "manifest.json").read_text())
    tests = {n["name"]: n["config"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    for column in ("job_title", "employer_name", "description", "country_code"):
        config = tests[f"completeness_stg_jsearch__job_postings_{column}"]
        assert (config["severity"].upper(), config["warn_if"], config["error_if"]) == ("ERROR", ">5", ">20"), column
    assert tests[DUPLICATES]["severity"].upper() == "WARN" and tests[DUPLICATES]["warn_if"] == ">10"


def test_every_job_board_source_has_a_24_hour_freshness_rule():
    datasets = {spec.dataset for spec in registry.sources().values() if spec.domain == "job_market"}
    boards = [rule for rule in freshness_rules() if rule.relation.split(".")[0] in datasets]
    assert boards, "no job-board source declares freshness"
    for rule in boards:
        assert rule.warn_after == timedelta(hours=24), rule
        assert rule.error_after is not None and rule.error_after > rule.warn_after, rule


def test_air_quality_measurements_are_stale_after_4_hours_and_an_error_after_8():
    rules = {rule.relation: rule for rule in freshness_rules() if rule.relation.startswith("raw_openaq.")}
    assert set(rules) == {"raw_openaq.measurements"}  # locations and sensors change rarely: no rule
    rule = rules["raw_openaq.measurements"]
    assert (rule.loaded_at_field, rule.warn_after, rule.error_after) == (
        "fetched_at", timedelta(hours=4), timedelta(hours=8))


def test_elementary_monitors_ran_in_the_build(quality_run, elementary_availability):
    if not elementary_availability.available:
        pytest.skip(elementary_availability.line())
    rows = query(quality_run["url"], """
        select test_short_name, status from elementary.elementary_test_results
        where test_short_name in ('volume_anomalies', 'freshness_anomalies', 'schema_changes')""")
    kinds = {name for name, _ in rows}
    assert kinds == {"volume_anomalies", "freshness_anomalies", "schema_changes"}
    assert all(status in ("pass", "warn") for _, status in rows)  # monitors warn, they never stop a run


def test_elementary_knows_the_project_though_builds_do_not_upload_it(quality_run, elementary_availability):
    """Elementary's copy of the project is uploaded after the first build (the project was new to the
    warehouse), not by the build's own on-run-end hook (off in dbt_project.yml): every model and
    test of the project is in it."""
    if not elementary_availability.available:
        pytest.skip(elementary_availability.line())
    manifest = json.loads((quality_run["site"] / "manifest.json").read_text())
    ours = {n["unique_id"] for n in manifest["nodes"].values()
            if n["resource_type"] in ("model", "test") and n["package_name"] == "warehouse"}
    uploaded = {row[0] for row in query(quality_run["url"], """
        select unique_id from elementary.dbt_models union all select unique_id from elementary.dbt_tests""")}
    assert ours and ours <= uploaded


def test_monitor_sends_elementary_alerts_to_slack_and_failing_tests_to_the_webhook(
        quality_run, degraded, elementary_availability):
    if not elementary_availability.available:
        pytest.skip(elementary_availability.line())
    names = {test for _, test, _ in degraded["warned_summary"]}
    assert {"completeness", "duplicate_rate"} <= names
    hook, slack = Receiver(), Receiver()  # a generic webhook and a Slack one, on loopback
    try:
        settings = quality_run["settings"]
        settings = type(settings).from_env({**settings.env, "ALERT_WEBHOOK_URL": hook.url,
                                            "SLACK_WEBHOOK_URL": slack.url})
        lines = elementary.monitor(settings, quality_run["url"])
    finally:
        hook.close()
        slack.close()
    assert "edr monitor: Elementary alerts sent to SLACK_WEBHOOK_URL" in lines
    assert any("posted to ALERT_WEBHOOK_URL" in line for line in lines), lines
    # edr posts one Slack message per alert (Block Kit); the failed completeness test is among them
    bodies = [request["body"] for request in slack.requests]
    assert bodies and any("completeness" in body for body in bodies), bodies[:2]
    [text] = hook.texts()
    # the newest test results are those of the 75%-complete run: completeness failed, duplicates warned
    assert "dbt tests: 1 failed, 1 warned" in text and "completeness" in text and "duplicate_rate" in text


def test_builds_record_their_results_for_elementary_as_its_own_hook_would(quality_run, elementary_availability,
                                                                           tmp_path):
    """The runner writes Elementary's dbt_run_results (its hook's upload is off: too slow): every
    node of every build is there, and the rows are those Elementary's hook writes for the same
    results, column for column (its hook switched back on for one command to compare)."""
    if not elementary_availability.available:
        pytest.skip(elementary_availability.line())
    url = quality_run["url"]
    per_build = query(url, """
        select invocation_id, count(*), count(*) filter (where resource_type = 'test')
        from elementary.dbt_run_results group by invocation_id""")
    assert len(per_build) >= 2 and all(tests > 0 for _, _, tests in per_build)  # both runs' builds
    manifest = json.loads((dbt_target_dir() / "manifest.json").read_text())
    assert not [child for child in manifest["child_map"][f"model.warehouse.{LEAF_VIEW}"]
                if not child.startswith("test.")], f"{LEAF_VIEW} must stay a leaf for this test"
    target = tmp_path / "target"
    env = {**dbt_env(url), "DBT_TARGET_PATH": str(target)}
    # a leaf view: rebuilding a view on Postgres drops the views that read it (dbt drops the old one
    # with cascade), which would take the shared warehouse's staging and marts with it
    subprocess.run([dbt_executable(), "build", "--select", LEAF_VIEW, "--vars", "{disable_run_results: false}"],
                   cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True)
    run_results = json.loads((target / "run_results.json").read_text())
    invocation = run_results["metadata"]["invocation_id"]
    columns = [c for c in elementary_run_results.COLUMNS if c != "generated_at"]
    by_hook = query(url, f"select {', '.join(columns)} from {elementary_run_results.TABLE} "
                         "where invocation_id = %s order by unique_id", (invocation,))
    ours = sorted((row[:3] + row[4:] for row in elementary_run_results.flatten(
        run_results, json.loads((target / "manifest.json").read_text()), "")), key=lambda row: row[1])
    assert len(by_hook) > 1  # the view and its tests
    assert [tuple(row) for row in by_hook] == ours
