"""A run killed (SIGKILL, the whole process group) at each dlt step, of a first and of an
incremental run, then run again, leaves every table as an uninterrupted run does: 0 rows lost,
0 duplicated.

The kill is aimed with the files dlt writes (its working folder, build/dlt/<warehouse>/jsearch):
- extract: a job file of the package being extracted (normalize/<storage>/<id>/new_jobs/);
- normalize: a job file of the package being normalized (load/new/<id>/new_jobs/);
- load: a job the loader completed while the package is still open
  (load/normalized/<id>/completed_jobs/), the case that once dropped postings from the marts.
Each test checks that the kill landed in its step (the package is where that step leaves it).

Compared: the raw tables and every dbt model, each row as text without the columns that name a
load or a run (load ids, arrival and extraction times).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT
from orchestration.elt import run_all
from tests.conftest import _admin, make_settings, query, with_database

FIRST = "2026-02-28T02:00:00Z"
NEXT = "2026-03-01T02:00:00Z"
ENV = {"ELT_SOURCES": "jsearch", "JSEARCH_QUERIES": "data engineer", "SANDBOX_FAULTS": "malformed=0.02"}
SCHEMAS = ("raw_jsearch", "staging", "intermediate", "marts")
# columns naming the load, the run or the time of processing: they differ between any two runs
RUN_COLUMNS = {"_dlt_load_id", "_dlt_id", "load_id", "last_load_id", "load_ids", "unified_at", "last_unified_at",
               "extracted_at", "last_extracted_at", "fetched_at", "rejected_at", "checked_at", "matched_at",
               "recommended_at", "computed_at"}
# describe the runs: the killed run, started as `python -m orchestration run`, is recorded in the run
# ledger (and owns the loads it committed before the kill), the runs compared with are not
RUN_TABLES = ("stg_ops__", "stg_dlt__", "mart_pipeline_runs", "mart_data_quality_scores", "mart_quarantine_counts")
TRIGGERS = {  # step -> (file that shows the step is under way, folder its package is left in)
    "extract": ("normalize/*/*/new_jobs/job_postings.*", None),
    "normalize": ("load/new/*/new_jobs/job_postings.*", "normalize/extracted/*"),
    "load": ("load/normalized/*/completed_jobs/*", "load/normalized/*"),
}


def _key(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()[:12]


def dlt_dir(build: Path, url: str) -> Path:
    return build / "dlt" / _key(url) / "jsearch"


def clone(server_url: str, template: str, build: Path, into: Path) -> str:
    """A copy of database `template` and of the run state kept for it under `build`."""
    name = f"elt_test_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}" template "{template}"')
    url = with_database(server_url, name)
    source_url = with_database(server_url, template)
    for part in ("dlt", "dbt-state"):
        if (build / part / _key(source_url)).exists():
            shutil.copytree(build / part / _key(source_url), into / part / _key(url))
    return url


def run(url: str, build: Path, as_of: str) -> None:
    run_all(make_settings(build, WAREHOUSE_URL=url, ELT_AS_OF=as_of, **ENV), with_docs=False)


def killed_run(url: str, build: Path, as_of: str, step: str) -> None:
    """`python -m orchestration run`, killed with its process group once `step` is under way."""
    trigger, left_in = TRIGGERS[step]
    env = {**os.environ, "WAREHOUSE_URL": url, "ELT_BUILD_DIR": str(build), "ELT_AS_OF": as_of,
           "JSEARCH_RATE_LIMIT_PER_MIN": "0", "HTTP_BACKOFF_BASE_SECONDS": "0.01", **ENV}
    folder = dlt_dir(build, url)
    proc = subprocess.Popen([sys.executable, "-m", "orchestration", "run"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline and not any(folder.glob(trigger)):
        time.sleep(0.001)
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, f"the run ended before its {step} step was under way: {err[-2000:]!r}"
    if left_in:
        assert list(folder.glob(left_in)), f"killed, but no package was left in {left_in}"


def tables(url: str) -> dict[str, Counter]:
    """Every table and view of SCHEMAS: a multiset of its rows as text, RUN_COLUMNS left out."""
    found: dict[str, list[str]] = {}
    for schema, table, column in query(
            url, "select table_schema, table_name, column_name from information_schema.columns "
                 "where table_schema = any(%s) and table_name not like '\\_dlt%%' order by table_schema, "
                 "table_name, ordinal_position", (list(SCHEMAS),)):
        if not table.startswith(RUN_TABLES) and column not in RUN_COLUMNS:
            found.setdefault(f"{schema}.{table}", []).append(f'"{column}"')
    return {relation: Counter(row[0] for row in query(url, f"select ({', '.join(columns)})::text from {relation}"))
            for relation, columns in found.items()}


def differences(expected: dict[str, Counter], actual: dict[str, Counter]) -> dict[str, str]:
    out = {}
    for relation in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(relation, Counter()), actual.get(relation, Counter())
        if want != got:
            lost, extra = sum((want - got).values()), sum((got - want).values())
            out[relation] = f"{sum(want.values())} rows expected, {sum(got.values())} found: {lost} lost, {extra} extra"
    return out


@pytest.fixture(scope="module")
def baseline(server_url, tmp_path_factory):
    """Uninterrupted runs: the first at FIRST (a template database is kept of it), the next at NEXT."""
    build = tmp_path_factory.mktemp("uninterrupted")
    name = f"elt_test_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    url = with_database(server_url, name)
    run(url, build, FIRST)
    after_first = tables(url)
    template = f"{name}_first"
    _admin(server_url, f'create database "{template}" template "{name}"')
    for part in ("dlt", "dbt-state"):
        shutil.copytree(build / part / _key(url), build / part / _key(with_database(server_url, template)))
    run(url, build, NEXT)
    yield {"build": build, "template": template, "first": after_first, "next": tables(url)}
    for database in (name, template):
        _admin(server_url, f'drop database if exists "{database}" with (force)')


@pytest.fixture
def scratch(server_url):
    made: list[str] = []
    yield made
    for url in made:
        _admin(server_url, f'drop database if exists "{url.rsplit("/", 1)[1]}" with (force)')


def test_uninterrupted_runs_load_and_build_something(baseline):
    """The comparison below is not of empty tables: both runs loaded postings through to the marts."""
    for moment in ("first", "next"):
        assert sum(baseline[moment]["marts.fct_job_postings"].values()) > 0
        assert sum(baseline[moment]["marts.fct_job_posting_skills"].values()) > 0
    assert sum(baseline["next"]["raw_jsearch.job_postings"].values()) > sum(
        baseline["first"]["raw_jsearch.job_postings"].values())


@pytest.mark.parametrize("step", list(TRIGGERS))
def test_first_run_killed_then_rerun_matches_an_uninterrupted_run(step, baseline, server_url, scratch, tmp_path):
    name = f"elt_test_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    url = with_database(server_url, name)
    scratch.append(url)
    killed_run(url, tmp_path, FIRST, step)
    run(url, tmp_path, FIRST)
    assert differences(baseline["first"], tables(url)) == {}


@pytest.mark.parametrize("step", list(TRIGGERS))
def test_incremental_run_killed_then_rerun_matches_an_uninterrupted_run(step, baseline, server_url, scratch,
                                                                        tmp_path):
    url = clone(server_url, baseline["template"], baseline["build"], tmp_path)
    scratch.append(url)
    killed_run(url, tmp_path, NEXT, step)
    run(url, tmp_path, NEXT)
    assert differences(baseline["next"], tables(url)) == {}
