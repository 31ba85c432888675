"""The GitHub Actions workflows, checked statically (Actions cannot run here): the workflow schema,
the zizmor security audit, and that every run step is a make target that `make help` lists and
that the test suite runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dlt_pipelines import registry
from orchestration.config import REPO_ROOT

BIN = Path(sys.executable).parent
WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = {path.stem: yaml.safe_load(path.read_text()) for path in sorted(WORKFLOW_DIR.glob("*.yml"))}
MAKE_STEP = re.compile(r"^make (?P<target>[a-z][a-z-]*)(?: [A-Z_]+=\S+)*$")
# targets the suite covers without calling make: it is itself `make test` (.ci/run), `make install` is
# every target's prerequisite, and test_lint_and_make.py runs `make lint`'s two commands (ruff, sqlfluff)
COVERED_OTHERWISE = {"test", "install", "lint"}


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps():
    for name, workflow in WORKFLOWS.items():
        for job_name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                yield name, job_name, step


def make_help_targets() -> set[str]:
    output = subprocess.run(["make", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"make (\S+)", output))


def test_the_four_workflows_exist():
    assert set(WORKFLOWS) == {"ci", "elt", "backup", "docs"}


def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, sorted(WORKFLOW_DIR.glob("*.yml")))], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_high():
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--format", "json", str(WORKFLOW_DIR)],
                            capture_output=True, text=True)
    findings = json.loads(result.stdout)
    high = [(f["ident"], f["locations"][0]["symbolic"]["key"]) for f in findings
            if f["determinations"]["severity"] == "High"]
    assert high == []


def test_every_run_step_is_one_make_target_that_make_help_lists():
    listed = make_help_targets()
    seen = set()
    for workflow, job, step in steps():
        if "run" not in step:
            continue
        script = step["run"].strip()
        found = MAKE_STEP.match(script)
        assert found, f"{workflow}/{job}: run step {script!r} is not a single make target"
        assert found["target"] in listed, f"{workflow}/{job}: make {found['target']} is not in `make help`"
        seen.add(found["target"])
    assert {"lint", "test", "ci-slim", "run", "health", "backup", "verify-backup", "docs-site", "report"} <= seen


def test_every_make_target_in_a_workflow_is_run_by_the_test_suite():
    sources = "\n".join(path.read_text() for path in (REPO_ROOT / "tests").rglob("*.py"))
    for workflow, job, step in steps():
        found = MAKE_STEP.match(step.get("run", "").strip())
        if found and found["target"] not in COVERED_OTHERWISE:
            assert f'make("{found["target"]}"' in sources, f"{workflow}/{job}: no test runs make {found['target']}"


def test_no_expression_is_expanded_inside_a_shell_script():
    for workflow, job, step in steps():
        assert "${{" not in step.get("run", ""), f"{workflow}/{job}: pass values through env:, not into the script"


def test_actions_are_pinned_by_commit_and_checkouts_keep_no_credentials():
    for workflow, job, step in steps():
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), f"{workflow}/{job}: {step['uses']}"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_every_job_has_a_time_limit():
    for name, workflow in WORKFLOWS.items():
        for job_name, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 240, f"{name}/{job_name}"


def test_elt_is_scheduled_per_domain_never_overlaps_and_takes_inputs():
    elt = WORKFLOWS["elt"]
    crons = [entry["cron"] for entry in triggers(elt)["schedule"]]
    assert "0 2 * * *" in crons  # job boards: daily 02:00 UTC
    weekly = [c for c in crons if c.split()[4] == "0"]
    assert len(weekly) == 1  # skill trends: Sundays
    inputs = triggers(elt)["workflow_dispatch"]["inputs"]
    assert {"source", "backfill_hours"} <= set(inputs)
    assert elt["concurrency"]["cancel-in-progress"] is False and elt["concurrency"]["group"]
    conditions = " ".join(job.get("if", "") for job in elt["jobs"].values())
    for cron in crons:
        assert f"'{cron}'" in conditions, f"no job runs on schedule {cron}"
    run_steps = [s for _, job, s in steps() if _ == "elt" and s.get("run") == "make run"]
    dispatch = next(s for s in run_steps if "ELT_SOURCES" in s.get("env", {}))
    assert dispatch["env"]["ELT_SOURCES"] == "${{ inputs.source }}"
    assert dispatch["env"]["JSEARCH_LOOKBACK_HOURS"] == "${{ inputs.backfill_hours }}"
    for job in elt["jobs"].values():
        assert {"WAREHOUSE_URL", "ALERT_WEBHOOK_URL"} <= set(job["env"])
        keys = [k for k in job["env"] if k == "WAREHOUSE_URL" or k.endswith(("_KEY", "_APP_ID"))]
        assert all(job["env"][k].startswith("${{ secrets.") for k in keys)
    # the jobs running every source get every key; the air-quality job only OpenAQ's
    assert "RAPIDAPI_KEY" in elt["jobs"]["job-boards"]["env"] and "OPENAQ_API_KEY" in elt["jobs"]["job-boards"]["env"]
    assert "RAPIDAPI_KEY" not in elt["jobs"]["air-quality"]["env"]
    assert "el=" in elt["env"]["ELT_STAGE_RETRIES"] and "ELT_STAGE_TIMEOUTS" in elt["env"]


def test_elt_workflow_agrees_with_the_source_registry():
    """The workflow is static YAML: this keeps it in step with the registry (dlt_pipelines/registry.py)."""
    elt = WORKFLOWS["elt"]
    crons = {entry["cron"] for entry in triggers(elt)["schedule"]}
    for name, spec in registry.sources().items():
        assert spec.schedule in crons, f"source {name} is scheduled at {spec.schedule}, which elt.yml lacks"
    options = triggers(elt)["workflow_dispatch"]["inputs"]["source"]["options"]
    assert options == ["all", *registry.names()]
    # every source's cron runs `make scheduled` with that cron (orchestration/schedule.py): a job whose
    # condition names the cron, and a step not limited to dispatches, given the cron that fired
    for cron in {spec.schedule for spec in registry.sources().values()}:
        jobs = [job for job in elt["jobs"].values() if f"'{cron}'" in job.get("if", "")]
        assert jobs, f"no job runs on schedule {cron}"
        scheduled = [s for job in jobs for s in job["steps"] if s.get("run") == "make scheduled"
                     and "workflow_dispatch" not in s.get("if", "")]
        assert scheduled, f"no make scheduled step runs on schedule {cron}"
        assert all(s["env"]["ELT_SCHEDULE"] == "${{ github.event.schedule }}" for s in scheduled)
    # the ELT_DOMAINS a run names are domains the registry knows
    domains = {spec.domain for spec in registry.sources().values()}
    named = {s["env"]["ELT_DOMAINS"] for _, _, s in steps() if "ELT_DOMAINS" in s.get("env", {})}
    assert {d for text in named for d in re.findall(r"[a-z_]+", text)} <= domains, named


@pytest.mark.parametrize("saver", ["job-boards", "skill-trends"])
def test_the_production_manifest_saved_by_elt_is_the_one_ci_restores(saver):
    saved = next(s for s in WORKFLOWS["elt"]["jobs"][saver]["steps"] if "cache/save" in s.get("uses", ""))
    restored = next(s for _, _, s in steps() if "cache/restore" in s.get("uses", ""))
    slim = next(s for _, _, s in steps() if s.get("run", "").startswith("make ci-slim"))
    assert saved["with"]["path"] == restored["with"]["path"] == "build/last-run/manifest.json"
    assert f"PROD_MANIFEST={restored['with']['path']}" in slim["run"]
    assert restored["with"]["restore-keys"] == saved["with"]["key"].split("${{")[0]


def test_ci_tests_against_a_postgres_service_container():
    for job in WORKFLOWS["ci"]["jobs"].values():
        assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert WORKFLOWS["ci"]["env"]["WAREHOUSE_URL"].startswith("postgresql://postgres@localhost:5432/")


def test_backups_are_kept_as_artifacts_with_a_retention():
    job = WORKFLOWS["backup"]["jobs"]["backup"]
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["retention-days"] == 30
    assert upload["with"]["path"].rstrip("/") == job["env"]["BACKUP_DIR"]
    assert [c["cron"] for c in triggers(WORKFLOWS["backup"])["schedule"]] == ["30 3 * * *"]


def test_docs_are_published_to_pages():
    docs = WORKFLOWS["docs"]
    build, deploy = docs["jobs"]["build"], docs["jobs"]["deploy"]
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "build/site"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("deploy-pages" in s.get("uses", "") for s in deploy["steps"])
