"""`make lineage` and `make impact` read the dbt manifest: source-to-mart lineage of the generic
example and of the job boards, and what a change to a source rebuilds."""

from __future__ import annotations

import os
import subprocess

import pytest

from orchestration import lineage
from orchestration.config import REPO_ROOT
from orchestration.dbt_runner import run_dbt


@pytest.fixture(scope="module")
def manifest(fresh_database, tmp_path_factory):
    target = tmp_path_factory.mktemp("target")
    run_dbt(["parse"], fresh_database, target_path=target, quiet=True)
    return target


def test_lineage_of_a_mart_names_its_sources_and_exposures(manifest):
    lines = lineage.lineage(lineage.load_manifest(manifest), "mart_applications_per_posting")
    assert lines[0].startswith("lineage of model mart_applications_per_posting (table, models/marts/hiring/")
    sources = lines[lines.index("upstream sources:") + 1:lines.index("upstream models and seeds:")]
    assert "  source raw_ats.applications (loaded by source ats)" in sources
    assert "  source raw_jsearch.job_postings (loaded by source jsearch)" in sources  # via the canonical jobs
    assert not any("raw_salary_surveys" in line or "raw_openaq" in line for line in sources)
    downstream = lines[lines.index("downstream marts and exposures:") + 1:]
    assert "  exposure hiring_dashboard (dashboard)" in downstream
    with pytest.raises(lineage.LineageError, match="no model named 'nope'"):
        lineage.lineage(lineage.load_manifest(manifest), "nope")


def test_impact_of_a_source_is_what_it_rebuilds(manifest):
    lines = lineage.impact(lineage.load_manifest(manifest), "salary_surveys")
    assert lines[0].startswith("a change to source salary_surveys (raw_salary_surveys: 2 tables) rebuilds "
                               "`source:raw_salary_surveys+`")
    assert "  model stg_salary_surveys__responses (view, models/staging/salary_surveys/" \
           "stg_salary_surveys__responses.sql)" in lines
    assert any(line.startswith("  model mart_survey_vs_posted_salaries (table") for line in lines)
    assert "  exposure hiring_dashboard (dashboard)" in lines
    assert not any("mart_applications_per_posting" in line or "fct_job_postings" in line for line in lines)


def test_make_lineage_prints_it(manifest):
    result = subprocess.run(["make", "-s", "impact", "SOURCE=ats"], cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**os.environ, "DBT_TARGET_PATH": str(manifest)})
    assert result.returncode == 0, result.stderr
    assert "stg_ats__applications" in result.stdout and "mart_applications_per_posting" in result.stdout
