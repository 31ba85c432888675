"""The shared OpenAQ v3 captures replay into staging with every value accounted for: each hourly
value is staged (clean or quarantined with its reason, duplicates collapsed) and each record the
source could not read is in marts.quarantined_records with its reason."""

from __future__ import annotations

import pytest

from orchestration.dbt_runner import run_dbt
from orchestration.extract_load import replay_source
from tests.conftest import SHARED, make_settings, needs_shared, query

CAPTURES = SHARED / "data" / "api_samples" / "openaq"

pytestmark = needs_shared("data", "api_samples", "openaq")


@pytest.fixture(scope="module")
def replayed(fresh_database, tmp_path_factory):
    work = tmp_path_factory.mktemp("openaq-captures")
    report = replay_source(make_settings(work / "build"), fresh_database, "openaq", CAPTURES)
    # what a user runs: make el SOURCE=openaq REPLAY=<captures>, then make transform
    build = run_dbt(["build"], fresh_database, target_path=work / "target", quiet=True)
    return fresh_database, report, build


def test_the_build_on_the_captures_is_green(replayed):
    _, report, build = replayed
    assert report.rows_by_table["measurements"] > 0
    assert build.count("model", "error") == 0 and build.count("test", "fail") + build.count("test", "error") == 0, \
        build.failures


def test_every_hourly_value_is_staged_clean_or_quarantined_with_its_reason(replayed):
    url, _, _ = replayed
    [(raw_hours,)] = query(url, "select count(distinct (sensor_id, period_end_utc)) from raw_openaq.measurements")
    [(staged, clean, quarantined, unexplained)] = query(url, """
        select count(*), count(*) filter (where not is_quarantined), count(*) filter (where is_quarantined),
               count(*) filter (where is_quarantined and quarantine_reason is null)
        from staging.stg_openaq__measurements""")
    assert staged == raw_hours > 0 and clean + quarantined == staged and unexplained == 0
    [(listed,)] = query(url, "select count(distinct record_id) from marts.quarantined_records "
                             "where source_name = 'openaq' and rule_name <> 'source_rejected'")
    assert listed == quarantined


def test_every_unreadable_record_is_listed_with_its_reason(replayed):
    url, _, _ = replayed
    [(rejected,)] = query(url, "select count(distinct coalesce(reject_key, md5(raw_json))) "
                               "from raw_openaq.measurements_rejected")
    listed = query(url, "select reason from marts.quarantined_records "
                        "where source_name = 'openaq' and rule_name = 'source_rejected'")
    assert len(listed) == rejected > 0 and all(reason for (reason,) in listed)
