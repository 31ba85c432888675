"""The run ledger, the quarantine counts and the quality score, after two recorded runs of the
whole ELT (tests/quality/conftest.py): what the marts say must agree with what the runs reported
(dlt's LoadReport, dbt's run_results) and with what the sandbox served."""

from __future__ import annotations

from decimal import Decimal

from dlt_pipelines import registry
from dlt_pipelines.job_boards.sandbox import catalogue
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig, malformed_kind
from tests.conftest import query
from tests.quality.conftest import FAULTS, T0

SOURCE_REJECTS = {"not_object_string", "not_object_null", "missing_job_id"}


def ledger(url: str) -> list[dict]:
    rows = query(url, "select run_id, status, rows_loaded, rows_loaded_by_table, dlt_load_ids, dlt_loads_completed, "
                      "models_built, models_failed, tests_passed, tests_warned, tests_failed, dbt_invocations, "
                      "duration_seconds from marts.mart_pipeline_runs order by started_at")
    names = ("run_id", "status", "rows_loaded", "by_table", "load_ids", "loads_completed", "models_built",
             "models_failed", "tests_passed", "tests_warned", "tests_failed", "dbt_invocations", "duration")
    return [dict(zip(names, row, strict=True)) for row in rows]


def test_every_run_is_a_ledger_row_with_what_it_loaded(quality_run):
    rows = ledger(quality_run["url"])
    assert len(rows) == 2 and [r["status"] for r in rows] == ["succeeded", "succeeded"]
    for row, summary in zip(rows, quality_run["runs"], strict=True):
        assert {load.source for load in summary.loads} == set(registry.names())  # every board, one ledger row
        load_ids = [load_id for load in summary.loads for load_id in load.load_ids]
        assert row["rows_loaded"] == sum(load.rows for load in summary.loads) > 0
        assert row["by_table"] == {f"{load.dataset}.{t}": n for load in summary.loads
                                   for t, n in load.rows_by_table.items()}
        assert sorted(row["load_ids"]) == sorted(load_ids)
        assert row["loads_completed"] == len(load_ids)  # dlt's _dlt_loads says each one completed
        assert row["duration"] > 0
    first = next(load for load in quality_run["runs"][0].loads if load.source == "jsearch")
    served = list(catalogue.expected_postings(SandboxConfig(now=T0.isoformat(), faults=FaultConfig.parse(FAULTS)),
                                              T0).indices)
    assert first.rows == len(served) == 1800 and first.rows_by_table["job_postings_rejected"] > 0


def test_the_ledger_counts_what_dbt_reported_for_each_run(quality_run):
    rows = ledger(quality_run["url"])
    for row, summary in zip(rows, quality_run["runs"], strict=True):
        build = summary.build
        assert build is not None
        assert row["models_built"] == build.count("model", "success") > 0
        assert row["models_failed"] == 0
        assert row["tests_passed"] == build.count("test", "pass") + build.count("unit_test", "pass")
        assert row["tests_warned"] == build.count("test", "warn")
        assert row["tests_failed"] == build.count("test", "fail") + build.count("test", "error") == 0
    assert [r["dbt_invocations"] for r in rows] == [1, 2]  # the second run also generated the docs


def test_dbt_results_are_kept_per_invocation_and_run(quality_run):
    url = quality_run["url"]
    invocations = query(url, "select run_id, command, count(*) from ops.dbt_invocations where run_id is not null "
                             "group by 1, 2 order by 1, 2")
    run_ids = {r["run_id"] for r in ledger(url)}
    assert {run for run, _, _ in invocations} == run_ids
    assert sorted(command for _, command, _ in invocations) == ["build", "build", "generate"]
    nodes = dict(query(url, """
        select i.run_id, count(*) from ops.dbt_node_results as n join ops.dbt_invocations as i using (invocation_id)
        where i.command = 'build' group by 1"""))
    for summary, row in zip(quality_run["runs"], ledger(url), strict=True):
        assert nodes[row["run_id"]] == sum(summary.build.statuses.values())


def test_quarantine_counts_cover_every_quarantined_record_once(quality_run):
    url = quality_run["url"]
    total = query(url, "select count(*) from marts.quarantined_records")[0][0]
    counted = query(url, "select sum(quarantined_records) from marts.mart_quarantine_counts")[0][0]
    assert total > 0 and counted == total
    unassigned = query(url, "select count(*) from marts.mart_quarantine_counts where run_id is null")[0][0]
    assert unassigned == 0, "every load here came from a recorded run"


def test_source_rejects_are_counted_for_the_run_that_loaded_them(quality_run):
    config = SandboxConfig(now=T0.isoformat(), faults=FaultConfig.parse(FAULTS))
    expected = sum(malformed_kind(config.faults, config.seed, i) in SOURCE_REJECTS
                   for i in catalogue.expected_postings(config, T0).indices)
    first_run = ledger(quality_run["url"])[0]["run_id"]
    [(counted,)] = query(quality_run["url"], "select quarantined_records from marts.mart_quarantine_counts "
                                             "where run_id = %s and rule_name = 'source_rejected' "
                                             "and source_name = 'jsearch'", (first_run,))
    assert expected > 0 and counted == expected


def test_quality_score_follows_its_documented_formula_and_trend(quality_run):
    url = quality_run["url"]
    quarantined = dict(query(url, "select run_id, sum(quarantined_records) from marts.mart_quarantine_counts "
                                  "group by 1"))
    scores = query(url, "select run_id, quality_score, score_change, score_trend, test_pass_rate, quarantine_rate "
                        "from marts.mart_data_quality_scores order by started_at")
    assert len(scores) == 2
    previous = None
    for row, (run_id, score, change, trend, pass_rate, quarantine_rate) in zip(ledger(url), scores, strict=True):
        assert run_id == row["run_id"]
        tests = row["tests_passed"] + row["tests_warned"] + row["tests_failed"]
        expected_pass = Decimal(row["tests_passed"] + row["tests_warned"] / 2) / tests
        expected_quarantine = min(Decimal(quarantined.get(run_id, 0)) / row["rows_loaded"], Decimal(1))
        assert abs(pass_rate - expected_pass) < Decimal("0.0001")
        assert abs(quarantine_rate - expected_quarantine) < Decimal("0.0001")
        expected = round(100 * expected_pass * (1 - expected_quarantine), 1)
        assert abs(score - expected) <= Decimal("0.1")
        assert 0 < score <= 100
        if quarantined.get(run_id):
            assert score < 100, "quarantined records must cost score"
        if previous is None:
            assert change is None and trend is None
        else:
            assert change == score - previous
            assert trend == ("improving" if change > Decimal("0.5") else "declining" if change < Decimal("-0.5")
                             else "stable")
        previous = score
