"""The JSearch dlt source against the sandbox's faults, loading into a real Postgres.

Each test gets its own database and its own sandbox; expected counts come from the sandbox's
catalogue.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from dlt_pipelines.job_boards.sandbox import catalogue
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration.elt import StageError, extract_load
from orchestration.extract_load import build_source, pipeline_for, run_source
from orchestration.warehouse import with_database
from tests.conftest import _admin, make_settings, query

T0 = datetime(2026, 2, 1, tzinfo=timezone.utc)


@pytest.fixture()
def database(server_url):
    name = f"elt_src_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def expected_count(config: SandboxConfig) -> int:
    return catalogue.expected_postings(config, T0).count


def url(sandbox) -> str:
    """JSearch's base URL on the sandbox server."""
    return sandbox.base_url("jsearch")


def settings_for(tmp_path, base_url: str, **env: str):
    return make_settings(tmp_path, JSEARCH_BASE_URL=base_url, ELT_AS_OF=T0.isoformat(),
                         JSEARCH_QUERIES="data engineer", **env)


def test_request_faults_are_retried_and_nothing_is_lost_or_doubled(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(),
                           faults=FaultConfig.parse("rate_limit=0.25,server_error=0.2,retry_after=0"))
    with start_sandbox(config) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), HTTP_MAX_ATTEMPTS="8", JSEARCH_NUM_PAGES="5")
        report = run_source(settings, database, "jsearch", url(sandbox))
        statuses = sandbox.state.snapshot()["requests"]["by_status"]
    assert report.rows_by_table["job_postings"] == expected_count(config)
    assert query(database, "select count(*), count(distinct job_id) from raw_jsearch.job_postings")[0] == (
        expected_count(config), expected_count(config))
    faulted = sum(n for status, n in statuses.items() if int(status) >= 429)
    assert faulted >= 3, statuses  # the faults really happened and were survived


def test_retry_after_is_waited_out(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), history_days=2,
                           faults=FaultConfig.parse("rate_limit=0.3,retry_after=1"))
    with start_sandbox(config) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), JSEARCH_NUM_PAGES="1", HTTP_MAX_ATTEMPTS="10")
        started = datetime.now(timezone.utc)
        report = run_source(settings, database, "jsearch", url(sandbox))
        seconds = (datetime.now(timezone.utc) - started).total_seconds()
        statuses = sandbox.state.snapshot()["requests"]["by_status"]
    assert report.rows_by_table["job_postings"] == expected_count(config)
    throttled = statuses.get("429", 0)
    assert throttled > 0, statuses
    assert seconds >= throttled * 1.0  # each 429 said Retry-After: 1


def test_bad_key_stops_the_run_and_names_the_variable(database, tmp_path):
    with start_sandbox(SandboxConfig(now=T0.isoformat())) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), RAPIDAPI_KEY="bad-key", WAREHOUSE_URL=database)
        with pytest.raises(StageError, match=r"el:jsearch.*rejected the API key.*Set RAPIDAPI_KEY"):
            extract_load(settings, database)
    assert query(database, "select to_regclass('raw_jsearch.job_postings')")[0][0] is None


def test_exhausted_quota_is_reported_without_retrying(database, tmp_path):
    with start_sandbox(SandboxConfig(now=T0.isoformat())) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), RAPIDAPI_KEY="exhausted-key")
        with pytest.raises(StageError, match="quota is exhausted"):
            extract_load(settings, database)
        assert sandbox.state.snapshot()["requests"]["total"] == 1


def test_timeouts_exhaust_retries_with_a_clear_error(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), faults=FaultConfig.parse("slow=1.0,slow_seconds=1"))
    with start_sandbox(config) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), HTTP_TIMEOUT_SECONDS="0.2", HTTP_MAX_ATTEMPTS="2")
        with pytest.raises(StageError, match=r"gave up after 2 attempts.*(Timeout|timed out)"):
            extract_load(settings, database)


def test_client_rate_limit_spaces_requests(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), history_days=1)
    with start_sandbox(config) as sandbox:
        settings = settings_for(tmp_path, url(sandbox), JSEARCH_RATE_LIMIT_PER_MIN="120", JSEARCH_NUM_PAGES="1")
        started = datetime.now(timezone.utc)
        run_source(settings, database, "jsearch", url(sandbox))
        seconds = (datetime.now(timezone.utc) - started).total_seconds()
        requests_made = sum(sandbox.state.snapshot()["requests"]["by_status"].values())
    assert requests_made >= 7  # 60 postings, 10 a page, one page a request, plus the last short one
    assert seconds >= (requests_made - 1) * 0.5 * 0.9  # 120/min = one request every 0.5 s


def test_crash_after_extract_then_rerun_loses_nothing_and_duplicates_nothing(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat())
    with start_sandbox(config) as sandbox:
        settings = settings_for(tmp_path, url(sandbox))
        crashed = pipeline_for(settings, database, "jsearch")
        crashed.extract(build_source(settings, "jsearch", url(sandbox)), loader_file_format="csv")
        crashed.normalize()  # the process dies here: a normalized package is never loaded
        assert query(database, "select to_regclass('raw_jsearch.job_postings')")[0][0] is None
        report = run_source(settings, database, "jsearch", url(sandbox))
    assert report.rows_by_table["job_postings"] == expected_count(config)
    assert query(database, "select count(*), count(distinct job_id) from raw_jsearch.job_postings")[0] == (
        expected_count(config), expected_count(config))


def test_crash_mid_extract_then_rerun_loads_everything_once(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), faults=FaultConfig.parse("server_error=0.5"))
    with start_sandbox(config) as sandbox:
        failing = settings_for(tmp_path, url(sandbox), HTTP_MAX_ATTEMPTS="1", JSEARCH_NUM_PAGES="2")
        with pytest.raises(StageError):
            extract_load(failing, database)
        sandbox.state.set_faults(FaultConfig())
        report = run_source(settings_for(tmp_path, url(sandbox)), database, "jsearch", url(sandbox))
    assert report.rows_by_table["job_postings"] == expected_count(config)
    assert query(database, "select count(*), count(distinct job_id) from raw_jsearch.job_postings")[0] == (
        expected_count(config), expected_count(config))


def test_schema_drift_lands_and_is_typed_in_staging(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), faults=FaultConfig.parse("drift=1.0"))
    with start_sandbox(config) as sandbox:
        run_source(settings_for(tmp_path, url(sandbox)), database, "jsearch", url(sandbox))
    extra, as_string = query(database, """
        select count(*) filter (where payload ? 'job_salary_currency'),
               count(*) filter (where jsonb_typeof(payload -> 'job_min_salary') = 'string')
        from raw_jsearch.job_postings""")[0]
    assert extra > 0 and as_string > 0


def test_raw_rows_have_the_raw_contract_of_every_board(database, tmp_path):
    """search_country (the country the search asked for) and dlt's row id, as every board has them."""
    config = SandboxConfig(now=T0.isoformat(), history_days=2)
    with start_sandbox(config, sources=["jsearch"]) as sandbox:
        run_source(settings_for(tmp_path, url(sandbox), JSEARCH_COUNTRY="gb"), database, "jsearch", url(sandbox))
    columns = {name for (name,) in query(database, """
        select column_name from information_schema.columns
        where table_schema = 'raw_jsearch' and table_name = 'job_postings'""")}
    assert {"job_id", "posted_at", "posted_at_source", "search_query", "search_country", "fetched_at", "payload",
            "_dlt_load_id", "_dlt_id"} <= columns
    assert query(database, "select distinct search_country from raw_jsearch.job_postings") == [("gb",)]
    assert query(database, "select count(distinct _dlt_id) = count(*) from raw_jsearch.job_postings")[0][0]
