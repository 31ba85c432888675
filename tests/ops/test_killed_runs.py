"""A run killed outright (SIGKILL, a lost machine) cannot record its end: the next run, once it
holds the run lock, marks it `killed` with when it found it; a run that holds the lock is never
marked; `make health` reports the kill; warehouses with the older ops.run_log are migrated."""

from __future__ import annotations

import os
import signal
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest

from orchestration.dbt_runner import run_dbt
from orchestration.elt import RunSummary
from orchestration.ops import run_log
from orchestration.ops.health import check_last_run
from orchestration.ops.runner import guarded_run, mark_killed_runs, under_run_lock
from tests.conftest import make_settings, query
from tests.ops.test_lock import start_holder

OLD_DDL = """
create schema if not exists ops;
create table ops.run_log (
    run_id text primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null check (status in ('running', 'succeeded', 'failed')),
    stage_failed text,
    message text
);
"""


@pytest.fixture
def url(fresh_database):
    """The module's database with an empty ops.run_log."""
    query(fresh_database, "drop schema if exists ops cascade")
    query(fresh_database, run_log.DDL)
    return fresh_database


def left_running(url: str, run_id: str, hours_ago: float = 1) -> None:
    """A row as a run killed by SIGKILL leaves it: running, never finished, its lock long gone."""
    started = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
    query(url, "insert into ops.run_log (run_id, started_at, status) values (%s, %s, 'running')", (run_id, started))


def statuses(url: str) -> dict[str, tuple]:
    return {run_id: tuple(rest) for run_id, *rest in
            query(url, "select run_id, status, found_killed_at, message from ops.run_log")}


def test_the_next_run_marks_a_run_left_running_with_its_lock_free_killed(url, tmp_path):
    killed = start_holder(url, "killed1", 300)  # a run's process: its row written, the run lock held
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    before = datetime.now(timezone.utc)
    during: list[dict] = []
    said: list[str] = []

    def work() -> RunSummary:  # the run's stages, here only a look at the ledger while the run holds the lock
        during.append(statuses(url))
        return RunSummary(url)

    guarded_run(make_settings(tmp_path, WAREHOUSE_URL=url), work, log=said.append)
    [rows] = during
    status, found_at, message = rows["killed1"]
    assert status == "killed" and found_at is not None and found_at >= before
    assert message.startswith("killed: started ") and "never finished" in message
    [current] = set(rows) - {"killed1"}
    assert rows[current][:2] == ("running", None)  # the current run is not marked
    assert f"by {current}, its run lock free" in message
    assert len(said) == 1 and said[0].startswith("run killed1 (started ") and "marked killed" in said[0]
    assert statuses(url)[current][0] == "succeeded"
    assert query(url, "select finished_at from ops.run_log where run_id = 'killed1'") == [(None,)]


def test_a_running_row_whose_run_holds_the_lock_is_not_marked(url):
    holder = start_holder(url, "alive1", 300)  # a live process: its row is running, it holds the lock
    try:
        assert mark_killed_runs(url, "other", lambda line: None) == []
        assert statuses(url)["alive1"][:2] == ("running", None)
        assert check_last_run(url).status == "ok"
    finally:
        holder.kill()
        holder.wait()


def test_health_says_killed_with_when_it_was_found(url, tmp_path):
    left_running(url, "killed2")
    # `make el` (and ci-slim) hold the run lock too and mark what they find, without a row of their own
    under_run_lock(make_settings(tmp_path, WAREHOUSE_URL=url), lambda warehouse: None, log=lambda line: None)
    [(found_at,)] = query(url, "select found_killed_at from ops.run_log where run_id = 'killed2'")
    last = check_last_run(url)
    assert last.status == "fail"
    assert last.detail.startswith("killed2 was killed: started ") and "never finished" in last.detail
    assert f"found killed {found_at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC" in last.detail


def test_an_older_run_log_is_migrated_idempotently_and_accepts_killed(fresh_database):
    url = fresh_database
    query(url, "drop schema if exists ops cascade")
    query(url, OLD_DDL)
    left_running(url, "before-upgrade")
    assert check_last_run(url).status == "fail"  # read-only health copes with the old table
    with pytest.raises(psycopg2.errors.CheckViolation):
        query(url, "update ops.run_log set status = 'killed'")
    for run_id in ("upgraded1", "upgraded2"):  # the DDL runs at every start: twice is harmless
        run_log.record_start(url, run_id)
    assert mark_killed_runs(url, "upgraded2", lambda line: None)[0].run_id == "before-upgrade"
    rows = statuses(url)
    assert rows["before-upgrade"][0] == "killed" and rows["upgraded1"][0] == "killed"
    [(definition,)] = query(url, "select pg_get_constraintdef(oid) from pg_constraint "
                                 "where conrelid = 'ops.run_log'::regclass and contype = 'c'")
    assert "killed" in definition
    with pytest.raises(psycopg2.errors.CheckViolation):
        query(url, "update ops.run_log set status = 'lost'")


def test_mart_pipeline_runs_shows_the_killed_run_and_when_it_was_found(url, tmp_path):
    left_running(url, "killed3")
    mark_killed_runs(url, "next3", lambda line: None)
    # the mart and what it is built from (ops and dlt staging) with their tests: accepted_values fails on a
    # status it does not know
    report = run_dbt(["build", "--select", "+mart_pipeline_runs", "--indirect-selection", "cautious"], url,
                     target_path=tmp_path / "target", quiet=True)
    assert report.count("model", "success") >= 2 and report.count("test", "pass") > 0, report.statuses
    [(status, found_at, finished_at)] = query(url, "select status, found_killed_at, finished_at "
                                                   "from marts.mart_pipeline_runs where run_id = 'killed3'")
    assert status == "killed" and found_at is not None and finished_at is None
