"""The Remotive, Arbeitnow and Adzuna dlt sources against the sandbox over loopback, loading into
a real Postgres: full load, no-op rerun, delta after the clock moves, faults, crash and rerun."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration.config import ConfigError, Settings
from orchestration.elt import StageError, extract_load
from orchestration.extract_load import build_source, http_session, pipeline_for, run_source
from orchestration.warehouse import with_database
from tests.conftest import _admin, query
from tests.sources.helpers import BOARDS, board_settings, expected_ids

T0 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
SMALL = {"history_days": 5}  # fewer postings: faster tests, same shapes


@pytest.fixture()
def database(server_url):
    name = f"elt_boards_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def loaded_ids(database: str, board: str) -> list[str]:
    return [job_id for (job_id,) in query(database, f"select job_id from raw_{board}.job_postings")]


@pytest.mark.parametrize("board", BOARDS)
def test_load_rerun_and_delta(board, database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    expected = expected_ids(config, board, T0)
    with start_sandbox(config) as sandbox:
        settings = board_settings(tmp_path, sandbox.url, T0)
        first = run_source(settings, database, board, sandbox.base_url(board))
        assert first.rows_by_table["job_postings"] == len(expected) > 50
        ids = loaded_ids(database, board)
        assert sorted(ids) == sorted(expected)  # all of them, each once

        again = run_source(settings, database, board, sandbox.base_url(board))
        assert again.rows_by_table.get("job_postings", 0) == 0

        later = T0 + timedelta(hours=12)
        sandbox.state.set_now(later.isoformat())
        delta = run_source(board_settings(tmp_path, sandbox.url, later), database, board, sandbox.base_url(board))
    new = expected_ids(config, board, later) - expected
    assert new, "the clock move must bring new postings"
    assert delta.rows_by_table["job_postings"] == len(new)
    assert set(loaded_ids(database, board)) == expected | new
    if board == "adzuna":  # the incremental run asked only for the last days
        countries = query(database, "select distinct search_country from raw_adzuna.job_postings order by 1")
        assert countries == [("de",), ("gb",), ("us",)]


@pytest.mark.parametrize("board", BOARDS)
def test_rate_limits_and_server_errors_are_retried(board, database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        sandbox.state.set_faults(FaultConfig.parse("rate_limit=0.45,server_error=0.8,retry_after=0"), endpoint=board)
        settings = board_settings(tmp_path, sandbox.url, T0, HTTP_MAX_ATTEMPTS="40")
        report = run_source(settings, database, board, sandbox.base_url(board))
        statuses = sandbox.state.snapshot()["requests_by_endpoint"][board]
    expected = expected_ids(config, board, T0)
    assert report.rows_by_table["job_postings"] == len(expected)
    assert sorted(loaded_ids(database, board)) == sorted(expected)
    assert statuses.get("429", 0) >= 1 and sum(n for s, n in statuses.items() if s.startswith("5")) >= 1, statuses


def test_retry_after_is_honoured(database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        sandbox.state.set_faults(FaultConfig.parse("rate_limit=0.6,retry_after=2"), endpoint="arbeitnow")
        settings = board_settings(tmp_path, sandbox.url, T0, HTTP_MAX_ATTEMPTS="20")
        session = http_session(settings, "arbeitnow")
        pipeline = pipeline_for(settings, database, "arbeitnow")
        source = build_source(settings, "arbeitnow", sandbox.base_url("arbeitnow"), session=session)
        pipeline.run(source, loader_file_format="csv")
        throttled = sandbox.state.snapshot()["requests_by_endpoint"]["arbeitnow"].get("429", 0)
    assert throttled >= 1
    assert len(session.waits) == throttled and all(wait >= 2 for wait in session.waits)  # Retry-After: 2
    assert sorted(loaded_ids(database, "arbeitnow")) == sorted(expected_ids(config, "arbeitnow", T0))


@pytest.mark.parametrize("board", BOARDS)
def test_timeouts_exhaust_retries_with_a_clear_error(board, database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        sandbox.state.set_faults(FaultConfig.parse("slow=1.0,slow_seconds=1"), endpoint=board)
        settings = board_settings(tmp_path, sandbox.url, T0, HTTP_TIMEOUT_SECONDS="0.2", HTTP_MAX_ATTEMPTS="2")
        with pytest.raises(StageError, match=rf"el:{board}.*gave up after 2 attempts.*(Timeout|timed out)"):
            extract_load(settings, database, (board,))


@pytest.mark.parametrize("board", BOARDS)
def test_malformed_records_are_rejected_with_a_reason_and_drift_is_tolerated(board, database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        sandbox.state.set_faults(FaultConfig.parse("malformed=0.3,drift=0.3"), endpoint=board)
        report = run_source(board_settings(tmp_path, sandbox.url, T0), database, board, sandbox.base_url(board))
        # served again on the next call, the same bad records are not quarantined twice
        rerun = run_source(board_settings(tmp_path, sandbox.url, T0), database, board, sandbox.base_url(board))
    assert rerun.rows == 0, rerun.rows_by_table
    id_field = {"remotive": "id", "arbeitnow": "slug", "adzuna": "id"}[board]
    time_field = {"remotive": "publication_date", "arbeitnow": "created_at", "adzuna": "created"}[board]
    reasons = dict(query(database, f"select reason, count(*) from raw_{board}.job_postings_rejected group by 1"))
    assert set(reasons) == {"item is not a JSON object but str", "item is not a JSON object but NoneType",
                            f"missing {id_field}", f"unparseable {time_field} 'yesterday-ish'"}, reasons
    assert report.rows_by_table["job_postings_rejected"] == sum(reasons.values())
    # a null time is not a reason to reject: the posting is dated the day it was first seen
    first_seen = query(database, f"select count(*) from raw_{board}.job_postings where posted_at_source = 'first_seen'")
    assert first_seen[0][0] >= 1
    drifted = query(database, f"select count(*) from raw_{board}.job_postings where payload ? 'salary_currency'")
    assert drifted[0][0] >= 1
    rows = report.rows_by_table["job_postings"]
    expected = len(expected_ids(config, board, T0))
    assert rows + sum(reasons.values()) == expected  # every posting is loaded or rejected, none lost


@pytest.mark.parametrize("board", BOARDS)
def test_crash_mid_run_then_rerun_loses_nothing_and_duplicates_nothing(board, database, tmp_path):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        run_source(board_settings(tmp_path, sandbox.url, T0), database, board, sandbox.base_url(board))
        # later: a package extracted and normalized but never loaded (the process died) ...
        crash_at = T0 + timedelta(hours=3)
        sandbox.state.set_now(crash_at.isoformat())
        settings = board_settings(tmp_path, sandbox.url, crash_at)
        crashed = pipeline_for(settings, database, board)
        crashed.extract(build_source(settings, board, sandbox.base_url(board)), loader_file_format="csv")
        crashed.normalize()
        # ... then runs that fail mid-extract on server errors ...
        later = T0 + timedelta(hours=6)
        sandbox.state.set_now(later.isoformat())
        sandbox.state.set_faults(FaultConfig.parse("server_error=0.6"), endpoint=board)
        failing = board_settings(tmp_path, sandbox.url, later, HTTP_MAX_ATTEMPTS="1")
        with pytest.raises(StageError):
            for _ in range(5):  # the first requests may all succeed; one of these runs fails
                extract_load(failing, database, (board,))
        # ... then a good run
        sandbox.state.set_faults(FaultConfig(), endpoint=board)
        run_source(board_settings(tmp_path, sandbox.url, later), database, board, sandbox.base_url(board))
    expected = set().union(*(expected_ids(config, board, at) for at in (T0, crash_at, later)))
    ids = loaded_ids(database, board)
    assert len(ids) == len(set(ids)) and set(ids) == expected


def test_remotive_keeps_to_four_calls_a_day(database, tmp_path, caplog):
    config = SandboxConfig(now=T0.isoformat(), **SMALL)
    with start_sandbox(config) as sandbox:
        def run(at: datetime):
            settings = board_settings(tmp_path, sandbox.url, at, REMOTIVE_MAX_CALLS_PER_DAY="")  # the default: 4
            return run_source(settings, database, "remotive", sandbox.base_url("remotive"))

        run(T0)  # two categories: 2 calls
        run(T0 + timedelta(hours=1))  # 4 calls
        with caplog.at_level("WARNING", logger="dlt_pipelines.remotive"):
            skipped = run(T0 + timedelta(hours=2))
        calls_after_third = sandbox.state.snapshot()["requests_by_endpoint"]["remotive"]["200"]
        run(T0 + timedelta(hours=24, minutes=30))  # the first two calls left the trailing 24 hours
        calls_next_day = sandbox.state.snapshot()["requests_by_endpoint"]["remotive"]["200"]
    assert calls_after_third == 4
    assert skipped.rows_by_table.get("job_postings", 0) == 0
    assert "calls were made in the last 24 hours" in caplog.text and "REMOTIVE_MAX_CALLS_PER_DAY" in caplog.text
    assert calls_next_day == 6


def test_remotive_budget_defaults(tmp_path):
    def budget(env: dict[str, str]) -> int:
        return Settings.from_env(env).source_config("remotive").max_calls_per_day

    assert budget({"REMOTIVE_BASE_URL": "https://remotive.com"}) == 4
    assert budget({"ELT_LIVE_PUBLIC_APIS": "1"}) == 4
    assert budget({}) == 0  # the sandbox started for the run
    assert budget({"ELT_LIVE_PUBLIC_APIS": "1", "REMOTIVE_MAX_CALLS_PER_DAY": "10"}) == 10


@pytest.mark.parametrize(("env", "missing"), [({"ADZUNA_APP_ID": "abc"}, "ADZUNA_APP_KEY"),
                                              ({"ADZUNA_APP_KEY": "xyz"}, "ADZUNA_APP_ID")])
def test_adzuna_with_half_a_key_names_the_missing_variable(env, missing):
    with pytest.raises(ConfigError, match=rf"^{missing} is not set"):
        Settings.from_env(env)


def test_adzuna_rejected_key_stops_the_run_and_names_the_variables(database, tmp_path):
    with start_sandbox(SandboxConfig(now=T0.isoformat(), **SMALL)) as sandbox:
        settings = board_settings(tmp_path, sandbox.url, T0, ADZUNA_APP_ID="bad-key", ADZUNA_APP_KEY="bad-key")
        with pytest.raises(StageError, match=r"el:adzuna.*rejected the API key.*Set ADZUNA_APP_ID and ADZUNA_APP_KEY"):
            extract_load(settings, database, ("adzuna",))
    assert query(database, "select to_regclass('raw_adzuna.job_postings')")[0][0] is None


def test_without_keys_or_settings_every_board_uses_the_sandbox():
    settings = Settings.from_env({})
    assert all(settings.uses_sandbox_for(board) for board in ("jsearch", *BOARDS))
    live = Settings.from_env({"ELT_LIVE_PUBLIC_APIS": "true", "ADZUNA_APP_ID": "a", "ADZUNA_APP_KEY": "b"})
    assert not any(live.uses_sandbox_for(board) for board in BOARDS) and live.uses_sandbox_for("jsearch")
