"""The run lock against a real Postgres, between real processes: a second run waits or names the
holder, and a holder that is killed leaves no stale lock behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from orchestration.config import REPO_ROOT
from orchestration.ops.health import check_last_run
from orchestration.ops.lock import LockBusy, RunLock, lock_holder
from tests.conftest import query
from tests.ops.conftest import PASSWORD, cli, with_password

HOLDER = """
import sys, time
from orchestration.ops import run_log
from orchestration.ops.lock import RunLock
url, run_id, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
with RunLock(url, 0, run_id):
    run_log.record_start(url, run_id)
    print("locked", flush=True)
    time.sleep(hold)
print("released", flush=True)
"""


def start_holder(url: str, run_id: str, hold_seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, run_id, str(hold_seconds)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked", "the holder process could not take the lock"
    return holder


@pytest.fixture
def url(fresh_database):
    return with_password(fresh_database)


def test_a_second_run_names_the_holder_and_a_killed_holder_leaves_no_stale_lock(url, tmp_path):
    holder = start_holder(url, "holder1", 300)
    try:
        with pytest.raises(LockBusy, match=rf"another run holds the run lock .*elt run holder1 pid {holder.pid}@"):
            RunLock(url, 0.5, "second").acquire()
        assert f"pid {holder.pid}" in lock_holder(url)
        assert check_last_run(url).status == "ok"  # running, and the lock says so

        blocked = cli("run", WAREHOUSE_URL=url, ELT_RUN_LOCK_WAIT_SECONDS="1", ELT_BUILD_DIR=str(tmp_path))
        assert blocked.returncode == 1
        assert "another run holds the run lock" in blocked.stderr and "elt run holder1" in blocked.stderr
        assert "ELT_RUN_LOCK_WAIT_SECONDS" in blocked.stderr
        assert PASSWORD not in blocked.stdout + blocked.stderr
        assert query(url, "select run_id, status from ops.run_log") == [("holder1", "running")]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with RunLock(url, 30, "after-kill"):
        assert lock_holder(url).startswith("elt run after-kill")
    assert lock_holder(url) is None
    last = check_last_run(url)
    assert last.status == "fail" and "never finished" in last.detail and "holder1" in last.detail


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes(url):
    holder = start_holder(url, "holder2", 1.5)
    said: list[str] = []
    try:
        with RunLock(url, 60, "waiter", log=said.append):
            assert holder.poll() is not None or holder.stdout.readline().strip() == "released"
    finally:
        holder.kill()
        holder.wait()
    assert len(said) == 1 and said[0].startswith("waiting up to 60s for the run lock held by elt run holder2")


def test_the_lock_is_per_warehouse_database(url, server_url):
    other = with_password(server_url)  # the server's `postgres` database
    holder = start_holder(url, "holder3", 300)
    try:
        with RunLock(other, 0, "elsewhere"):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_el_refuses_while_a_run_holds_the_lock_and_loads_nothing(url, tmp_path):
    holder = start_holder(url, "holder4", 300)
    try:
        for args in (("el", "--source", "remotive"),
                     ("el", "--source", "remotive", "--replay", str(tmp_path / "capture.json")),
                     ("ci-build",)):  # make ci-slim extract-loads too
            (tmp_path / "capture.json").write_text('{"jobs": [{"id": 1, "title": "t"}]}')
            blocked = cli(*args, WAREHOUSE_URL=url, ELT_RUN_LOCK_WAIT_SECONDS="1", ELT_BUILD_DIR=str(tmp_path))
            assert blocked.returncode == 1, blocked.stdout + blocked.stderr
            assert "error: another run holds the run lock" in blocked.stderr and "elt run holder4" in blocked.stderr
            assert PASSWORD not in blocked.stdout + blocked.stderr
            assert query(url, "select to_regclass('raw_remotive.job_postings')") == [(None,)]
            assert not (tmp_path / "dlt").exists()  # dlt's working folder was not touched
    finally:
        holder.kill()
        holder.wait()
    loaded = cli("el", "--source", "remotive", WAREHOUSE_URL=url, ELT_BUILD_DIR=str(tmp_path))
    assert loaded.returncode == 0, loaded.stderr
    assert query(url, "select count(*) > 0 from raw_remotive.job_postings") == [(True,)]
    assert lock_holder(url) is None  # el released the lock


def test_el_checks_the_warehouse_connection_first(tmp_path):
    unreachable = with_password("postgresql://postgres@127.0.0.1:1/nowhere")
    failed = cli("el", "--source", "remotive", WAREHOUSE_URL=unreachable, ELT_BUILD_DIR=str(tmp_path))
    assert failed.returncode == 1
    assert "error: stage 'warehouse' failed: cannot connect to the warehouse at" in failed.stderr
    assert "WAREHOUSE_URL" in failed.stderr and PASSWORD not in failed.stdout + failed.stderr
    assert not (tmp_path / "dlt").exists()
