"""Which dbt build a run asks for, given what loaded and what changed since the last build."""

from __future__ import annotations

import pytest

from orchestration import build_plan
from orchestration.build_plan import plan_build, project_fingerprint, state_dir, taxonomy_version
from orchestration.extract_load import LoadReport
from tests.conftest import make_settings

URL = "postgresql://u@127.0.0.1:1/wh"


@pytest.fixture()
def built(tmp_path, monkeypatch):
    """Settings whose state says: built before, with today's project and taxonomy."""
    monkeypatch.setattr(build_plan, "_marts_exist", lambda url: True)
    settings = make_settings(tmp_path)
    state = state_dir(settings, URL)
    state.mkdir(parents=True)
    (state / "manifest.json").write_text("{}")
    (state / "fingerprint").write_text(project_fingerprint())
    (state / "taxonomy_version").write_text(taxonomy_version())
    return settings, state


def loaded(rows: int) -> LoadReport:
    return LoadReport(source="jsearch", dataset="raw_jsearch", rows_by_table={"job_postings": rows})


def test_first_build_is_full(tmp_path):
    assert plan_build(make_settings(tmp_path), URL, []).args == ["build"]


def test_nothing_new_builds_nothing(built):
    settings, _ = built
    plan = plan_build(settings, URL, [loaded(0)])
    assert plan.args is None and "nothing to rebuild" in plan.reason


def test_new_rows_build_downstream_of_their_source(built):
    settings, state = built
    plan = plan_build(settings, URL, [loaded(5)])
    assert plan.args == ["build", "--select", "source:raw_jsearch+", "--state", str(state)]


def test_a_failed_build_leaves_the_source_pending(built):
    settings, state = built
    plan_build(settings, URL, [loaded(5)])  # the build then fails: record_success is not called
    assert plan_build(settings, URL, [loaded(0)]).args[:3] == ["build", "--select", "source:raw_jsearch+"]


def test_project_change_adds_state_modified(built):
    settings, state = built
    (state / "fingerprint").write_text("something else")
    plan = plan_build(settings, URL, [loaded(0)])
    assert plan.args == ["build", "--select", "state:modified+", "--state", str(state)]


def test_new_taxonomy_version_builds_what_changed_not_everything(built):
    settings, state = built
    (state / "taxonomy_version").write_text("1999.1.1")
    (state / "fingerprint").write_text("the seeds changed with the version")
    plan = plan_build(settings, URL, [loaded(0)])
    # the seeds are state:modified; the mentions model re-extracts only the postings they affect
    assert plan.args == ["build", "--select", "state:modified+", "--state", str(state)]
    assert f"1999.1.1 -> {taxonomy_version()}" in plan.reason
