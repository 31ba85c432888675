"""Which dbt build a run asks for, given what loaded and what changed since the last build.

Against a real, empty database (fresh_database); the loads tests give it the tables dlt keeps."""

from __future__ import annotations

import pytest

from orchestration import build_plan
from orchestration.build_plan import plan_build, project_fingerprint, record_success, state_dir, taxonomy_version
from orchestration.extract_load import LoadReport
from tests.conftest import make_settings, query


@pytest.fixture()
def url(fresh_database):
    query(fresh_database, "drop schema if exists raw_jsearch cascade")
    return fresh_database


@pytest.fixture()
def built(tmp_path, monkeypatch, url):
    """Settings whose state says: built before, with today's project and taxonomy."""
    monkeypatch.setattr(build_plan, "_marts_exist", lambda url: True)
    settings = make_settings(tmp_path)
    state = state_dir(settings, url)
    state.mkdir(parents=True)
    (state / "manifest.json").write_text("{}")
    (state / "fingerprint").write_text(project_fingerprint())
    (state / "taxonomy_version").write_text(taxonomy_version())
    return settings, state


def loaded(rows: int) -> LoadReport:
    return LoadReport(source="jsearch", dataset="raw_jsearch", rows_by_table={"job_postings": rows})


def test_first_build_is_full(tmp_path, url):
    assert plan_build(make_settings(tmp_path), url, []).args == ["build"]


def test_nothing_new_builds_nothing(built, url):
    settings, _ = built
    plan = plan_build(settings, url, [loaded(0)])
    assert plan.args is None and "nothing to rebuild" in plan.reason


def test_new_rows_build_downstream_of_their_source(built, url):
    settings, state = built
    plan = plan_build(settings, url, [loaded(5)])
    # the code did not change: its unit tests are left out
    assert plan.args == ["build", "--select", "source:raw_jsearch+", "--exclude-resource-type", "unit_test",
                         "--state", str(state)]
    assert not plan.project_changed  # nor is Elementary's copy of the project uploaded again


def test_new_rows_and_a_project_change_run_the_unit_tests_too(built, url):
    settings, state = built
    (state / "fingerprint").write_text("something else")
    plan = plan_build(settings, url, [loaded(5)])
    assert plan.args == ["build", "--select", "source:raw_jsearch+", "state:modified+", "--state", str(state)]
    assert plan.project_changed


def test_a_failed_build_leaves_the_source_pending(built, url):
    settings, state = built
    plan_build(settings, url, [loaded(5)])  # the build then fails: record_success is not called
    assert plan_build(settings, url, [loaded(0)]).args[:3] == ["build", "--select", "source:raw_jsearch+"]


def test_project_change_adds_state_modified(built, url):
    settings, state = built
    (state / "fingerprint").write_text("something else")
    plan = plan_build(settings, url, [loaded(0)])
    assert plan.args == ["build", "--select", "state:modified+", "--state", str(state)]


def test_new_taxonomy_version_builds_what_changed_not_everything(built, url):
    settings, state = built
    (state / "taxonomy_version").write_text("1999.1.1")
    (state / "fingerprint").write_text("the seeds changed with the version")
    plan = plan_build(settings, url, [loaded(0)])
    # the seeds are state:modified; the mentions model re-extracts only the postings they affect
    assert plan.args == ["build", "--select", "state:modified+", "--state", str(state)]
    assert f"1999.1.1 -> {taxonomy_version()}" in plan.reason


def dlt_load(url: str, load_id: str, rows: int) -> None:
    """A load committed the way dlt does it: rows carrying the load id, then its `_dlt_loads` row."""
    query(url, "create schema if not exists raw_jsearch; "
               "create table if not exists raw_jsearch._dlt_loads (load_id text, status int, inserted_at timestamptz); "
               "create table if not exists raw_jsearch.job_postings (job_id text, _dlt_load_id text)")
    for n in range(rows):
        query(url, "insert into raw_jsearch.job_postings values (%s, %s)", (f"{load_id}-{n}", load_id))
    query(url, "insert into raw_jsearch._dlt_loads values (%s, 0, clock_timestamp())", (load_id,))


def test_loads_committed_since_the_last_build_are_built_though_this_run_loaded_nothing(built, url, tmp_path):
    """`make el`, or a package a crash left and a rerun completed: the plan reads the warehouse."""
    settings, state = built
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text("{}")
    dlt_load(url, "1.0", rows=3)
    assert plan_build(settings, url, [loaded(0)]).args[:3] == ["build", "--select", "source:raw_jsearch+"]
    record_success(settings, url, target_dir=tmp_path / "target")
    assert plan_build(settings, url, [loaded(0)]).args is None  # built: not again
    dlt_load(url, "0.5", rows=0)  # a load that saved only dlt's state, no rows
    assert plan_build(settings, url, [loaded(0)]).args is None
    dlt_load(url, "0.7", rows=2)  # an older load id, committed later
    assert plan_build(settings, url, [loaded(0)]).args[:3] == ["build", "--select", "source:raw_jsearch+"]


def test_an_emptied_warehouse_is_built_in_full(built, url, monkeypatch):
    """State says built, but the warehouse lost its marts (emptied, restored elsewhere): full build.
    The canary is the run ledger mart, which every warehouse has whatever its domains."""
    settings, _ = built
    monkeypatch.undo()  # the real check, against the real (empty) database
    plan = plan_build(settings, url, [loaded(0)])
    assert plan.args == ["build"] and "marts.mart_pipeline_runs is missing" in plan.reason
    query(url, "create schema if not exists marts; create view marts.mart_pipeline_runs as select 1 as run_id")
    assert plan_build(settings, url, [loaded(0)]).args is None
