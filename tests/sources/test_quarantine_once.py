"""Quarantine stores each bad record once (issue #11): a malformed record that several queries
return, or that a later run is served again, is one row of raw_<board>.job_postings_rejected, with
its reason and the first query and time that rejected it; rows of a warehouse loaded before
reject_key existed are kept and counted once by marts.quarantined_records.

Bad records come from the sandbox's fault injection (SANDBOX_FAULTS `malformed`), which breaks the
same postings on every call; what is expected comes from the sandbox's catalogue."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import psycopg2
import pytest

from dlt_pipelines.job_boards.incremental import Batcher, PostingTracker
from dlt_pipelines.job_boards.sandbox import boards, catalogue
from dlt_pipelines.remotive.helpers import check_item
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration.dbt_runner import run_dbt
from orchestration.extract_load import run_source
from orchestration.warehouse import with_database
from tests.conftest import _admin, make_settings, query
from tests.sources.helpers import ADZUNA_COUNTRIES, board_settings

T0 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
FAULTS = "malformed=0.1"
QUERIES = ("data engineer", "python developer")  # the sandbox serves the same postings to both
REASONS = {  # malformed kind -> the reason a source rejects it with (the others are loaded)
    "jsearch": {"not_object_string": "item is not a JSON object but str",
                "not_object_null": "item is not a JSON object but NoneType",
                "missing_job_id": "missing job_id"},
    "adzuna": {"not_object_string": "item is not a JSON object but str",
               "not_object_null": "item is not a JSON object but NoneType",
               "missing_job_id": "missing id", "garbage_timestamp": "unparseable created 'yesterday-ish'"},
}


@pytest.fixture()
def database(server_url):
    name = f"elt_quarantine_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def sandbox_config() -> SandboxConfig:
    return SandboxConfig(now=T0.isoformat(), history_days=5, faults=FaultConfig.parse(FAULTS))


def expected_reasons(board: str, config: SandboxConfig) -> Counter:
    """One reason per bad record the sandbox serves (every posting once, whatever the query)."""
    if board == "jsearch":
        kinds = catalogue.expected_postings(config, T0).malformed.values()
    else:
        at = int(T0.timestamp())
        numbers = {p.number for country in ADZUNA_COUNTRIES for p in boards.adzuna_postings(config, at, country, None)}
        kinds = [boards.board_malformed_kind(config.faults, config.seed, board, n) for n in numbers]
    return Counter(REASONS[board][kind] for kind in kinds if kind in REASONS[board])


def settings(build: Path, board: str, base_url: str, now: datetime = T0):
    if board == "jsearch":
        return make_settings(build, JSEARCH_BASE_URL=f"{base_url}/jsearch", ELT_AS_OF=now.isoformat(),
                             JSEARCH_QUERIES=";".join(QUERIES))
    return board_settings(build, base_url, now, ADZUNA_WHAT=";".join(QUERIES))


def rejected_rows(database: str, board: str) -> list[tuple]:
    return query(database, f"select reject_key, reason, search_query, rejected_at "
                           f"from raw_{board}.job_postings_rejected")


def assert_once_each(rows: list[tuple], expected: Counter) -> None:
    keys = [key for key, *_ in rows]
    assert None not in keys and len(keys) == len(set(keys)) == sum(expected.values()) > 0
    assert Counter(reason for _, reason, *_ in rows) == expected  # the reason is kept
    assert {(search, at) for _, _, search, at in rows} == {(QUERIES[0], T0)}  # the first query and run


@pytest.mark.parametrize("board", ["jsearch", "adzuna"])
def test_a_bad_record_is_stored_once_across_queries_and_runs(board, database, tmp_path):
    config = sandbox_config()
    expected = expected_reasons(board, config)
    with start_sandbox(config) as sandbox:
        first = run_source(settings(tmp_path, board, sandbox.url), database, board, sandbox.base_url(board))
        assert first.rows_by_table["job_postings_rejected"] == sum(expected.values())
        assert_once_each(rejected_rows(database, board), expected)

        again = run_source(settings(tmp_path, board, sandbox.url), database, board, sandbox.base_url(board))
        assert again.rows_by_table.get("job_postings_rejected", 0) == 0

        # without the source's memory of them (state lost, or past its retention), a later run
        # rejects them again: the merge on reject_key still stores none of them twice
        query(database, f"delete from raw_{board}._dlt_pipeline_state")
        later = settings(tmp_path / "fresh", board, sandbox.url, T0 + timedelta(hours=1))
        forgotten = run_source(later, database, board, sandbox.base_url(board))
    assert forgotten.rows_by_table.get("job_postings_rejected", 0) == 0
    assert_once_each(rejected_rows(database, board), expected)


LEGACY_LOAD = "1700000000.000001"
# rows as stored before reject_key: each bad record once per query that returned it
LEGACY_RECORDS = [("item is not a JSON object but NoneType", "null"),  # two nulls at two places
                  ("item is not a JSON object but NoneType", "null"),
                  ("item is not a JSON object but str", '"<job posting unavailable>"'),
                  ("missing job_id", json.dumps({"job_title": "Data Engineer", "employer_name": "Acme"})),
                  ("unparseable job_posted_at_timestamp 'soon' and no other posting time",
                   json.dumps({"job_id": "legacy-1", "job_posted_at_timestamp": "soon"}))]
LEGACY_DDL = """
create schema raw_jsearch;
create table raw_jsearch.job_postings_rejected (
    rejected_at timestamptz, reason varchar not null, search_query varchar, raw_json varchar,
    _dlt_load_id varchar not null);
"""


def test_a_warehouse_from_before_reject_key_keeps_its_rows_and_counts_each_record_once(database, tmp_path):
    with psycopg2.connect(database) as conn, conn.cursor() as cur:
        cur.execute(LEGACY_DDL)
        for search in QUERIES:
            for reason, raw in LEGACY_RECORDS:
                cur.execute("insert into raw_jsearch.job_postings_rejected values (%s, %s, %s, %s, %s)",
                            (T0 - timedelta(days=1), reason, search, raw, LEGACY_LOAD))
    conn.close()
    config = sandbox_config()
    with start_sandbox(config) as sandbox:
        report = run_source(settings(tmp_path, "jsearch", sandbox.url), database, "jsearch",
                            sandbox.base_url("jsearch"))
    nullable = query(database, "select is_nullable from information_schema.columns where table_schema = "
                               "'raw_jsearch' and table_name = 'job_postings_rejected' and column_name = 'reject_key'")
    assert nullable == [("YES",)]  # dlt added the column to the existing table
    legacy = query(database, "select count(*) from raw_jsearch.job_postings_rejected where reject_key is null")
    assert legacy == [(2 * len(LEGACY_RECORDS),)]  # kept as they were
    new = [row for row in rejected_rows(database, "jsearch") if row[0] is not None]
    assert_once_each(new, expected_reasons("jsearch", config))

    run_dbt(["seed"], database, target_path=tmp_path / "dbt", quiet=True)
    run_dbt(["run", "--select", "+quarantined_records"], database, target_path=tmp_path / "dbt", quiet=True)
    counted = dict(query(database, "select load_id, count(*) from marts.quarantined_records "
                                   "where source_name = 'jsearch' and rule_name = 'source_rejected' group by 1"))
    assert counted == {LEGACY_LOAD: len(LEGACY_RECORDS), report.load_ids[0]: len(new)}


def test_a_record_quarantined_under_the_legacy_state_key_is_not_stored_again():
    """The state of a source from before reject_key knows its quarantined records by their legacy
    key (bytes, search, country, valid posting listed before, position): they are not stored again
    until that memory expires, when the legacy keys leave the state."""
    legacy_key = hashlib.blake2b(orjson.dumps([None, QUERIES[0], None, "", 1]), digest_size=8).hexdigest()
    state: dict = {"rejects": {legacy_key: (T0 - timedelta(days=1)).isoformat()}}
    tracker = PostingTracker(state, timedelta(days=10), T0)
    batcher = Batcher(tracker, lambda item: check_item(item, T0), "id")
    stored = [table.data for table in batcher.add([None, "not a posting"], QUERIES[0])]
    assert [table.column("raw_json").to_pylist() for table in stored] == [['"not a posting"']]  # only the new one
    assert list(batcher.add([None, "not a posting"], QUERIES[1])) == []  # the same places for another query
    assert len(state["reject_keys"]) == 2
    tracker.finish("test")
    assert "rejects" in state
    expired = PostingTracker(state, timedelta(days=10), T0 + timedelta(days=30))
    expired.finish("test")
    assert "rejects" not in state and state["reject_keys"] == {}
