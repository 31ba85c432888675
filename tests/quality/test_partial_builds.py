"""With Elementary on, a build of some models only (a scheduled mart, one domain) on a warehouse
whose first full build has not run builds Elementary's own models too: its monitors of those
models read and write tables that would otherwise not be there."""

from __future__ import annotations

import json

import pytest

from orchestration.dbt_runner import ELEMENTARY_METRICS, run_dbt, with_elementary_models
from tests.conftest import query

SUBSET = ["build", "--indirect-selection", "cautious", "--select", "+stg_jsearch__job_postings"]


def test_a_first_partial_build_runs_its_elementary_monitors(fresh_database, elementary_availability, tmp_path):
    if not elementary_availability.available:
        pytest.skip(elementary_availability.line())
    assert with_elementary_models(SUBSET, fresh_database) == [
        "build", "--indirect-selection", "cautious", "--select", "package:elementary", "+stg_jsearch__job_postings"]
    run_dbt(SUBSET, fresh_database, target_path=tmp_path / "target", quiet=True)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    monitors = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("test.warehouse.elementary_")}
    assert monitors and set(monitors.values()) == {"pass"}, monitors
    [(built,)] = query(fresh_database, "select to_regclass(%s) is not null", (ELEMENTARY_METRICS,))
    assert built
    # once they exist, a partial build selects what it was asked for only
    assert with_elementary_models(SUBSET, fresh_database) == SUBSET
    assert with_elementary_models(["run-operation", "x"], fresh_database) == ["run-operation", "x"]
