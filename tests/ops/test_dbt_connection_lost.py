"""A warehouse connection lost during dbt is named as such, once, with what to do; no model or
test is blamed for it. The classifier on real dbt and psycopg2 messages, then a real `dbt build`
whose backend is terminated (pg_terminate_backend) while it runs."""

from __future__ import annotations

import json
import re
import threading
import time

import psycopg2
import pytest

from orchestration.dbt_failures import connection_lost, is_connection_lost
from orchestration.dbt_runner import DbtConnectionLost, run_dbt
from orchestration.elt import RunSummary, StageError, _staged
from orchestration.ops import run_log
from orchestration.quality import ledger
from tests.conftest import make_settings
from tests.ops.conftest import PASSWORD, with_password

# as dbt 1.11 (dbt-postgres) wrote them in run_results.json and its output, the backend terminated
DBT_NODE_MESSAGE = (
    "Database Error in model stg_ops__runs (models/staging/ops/stg_ops__runs.sql)\n"
    "  server closed the connection unexpectedly\n"
    "  \tThis probably means the server terminated abnormally\n"
    "  \tbefore or while processing the request.\n"
    "  compiled code at target/run/warehouse/models/staging/ops/stg_ops__runs.sql")
DBT_OUTPUT_BEFORE_ANY_NODE = (
    "14:42:56  Concurrency: 4 threads (target='warehouse')\n"
    "14:42:56  Finished running  in 0 hours 0 minutes and 0.52 seconds (0.52s).\n"
    "14:42:56  Encountered an error:\nDatabase Error\n"
    "  server closed the connection unexpectedly\n"
    "  \tThis probably means the server terminated abnormally\n"
    "  \tbefore or while processing the request.\n")
# failures that are the project's: a data test that found rows, a model that is wrong
DBT_TEST_FAILED = "Got 3 results, configured to fail if != 0"
DBT_MODEL_WRONG = ("Database Error in model stg_jsearch__job_postings (models/staging/jsearch/stg_jsearch__job_postings"
                   '.sql)\n  relation "raw_jsearch.job_postings" does not exist\n  LINE 12:     from "w"."raw_jsearch"'
                   '."job_postings"\n               ^\n  compiled code at target/run/warehouse/models/x.sql')


def psycopg2_messages(url: str) -> list[str]:
    """Real psycopg2 errors: a backend terminated mid-query, a closed connection used again, a refused one."""
    victim = psycopg2.connect(url)
    killer = psycopg2.connect(url)
    killer.autocommit = True
    messages = []
    try:
        with victim.cursor() as cur:
            cur.execute("select pg_backend_pid()")
            pid = cur.fetchone()[0]
            threading.Timer(0.5, lambda: killer.cursor().execute("select pg_terminate_backend(%s)", (pid,))).start()
            with pytest.raises(psycopg2.OperationalError) as terminated:
                cur.execute("select pg_sleep(30)")
            messages.append(str(terminated.value))
        with pytest.raises(psycopg2.InterfaceError) as closed:
            victim.cursor().execute("select 1")
        messages.append(str(closed.value))
    finally:
        victim.close()
        killer.close()
    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect("postgresql://postgres@127.0.0.1:1/none", connect_timeout=5)
    messages.append(str(refused.value))
    return messages


def test_the_classifier_names_a_lost_connection_and_nothing_else(fresh_database):
    for message in [DBT_NODE_MESSAGE, DBT_OUTPUT_BEFORE_ANY_NODE, *psycopg2_messages(fresh_database)]:
        assert is_connection_lost(message), message
    for message in (DBT_TEST_FAILED, DBT_MODEL_WRONG, "", None):
        assert not is_connection_lost(message), message

    failed = [("model.warehouse.stg_ops__runs", DBT_NODE_MESSAGE),
              ("test.warehouse.unique_stg_ops__runs_run_id.aea5b6c70e", DBT_TEST_FAILED)]
    lost = connection_lost(failed, not_built=7)
    assert (lost.node, lost.not_built) == ("model.warehouse.stg_ops__runs", 7)
    url = with_password("postgresql://postgres@127.0.0.1:5432/warehouse")
    assert lost.describe("build", url) == (
        "dbt build: lost the connection to the warehouse postgresql://postgres@127.0.0.1:5432/warehouse during "
        "model.warehouse.stg_ops__runs; 7 nodes not built - check the warehouse is up (make health) and rerun "
        "make run")
    before = connection_lost([], not_built=0, output=DBT_OUTPUT_BEFORE_ANY_NODE)
    assert before.node is None and "before any node was built" in before.describe("build", url)
    # the project's own failures are reported as they are
    assert connection_lost([("test.warehouse.x", DBT_TEST_FAILED), ("model.warehouse.y", DBT_MODEL_WRONG)], 2) is None
    assert connection_lost([("test.warehouse.x", DBT_TEST_FAILED)], 1, DBT_OUTPUT_BEFORE_ANY_NODE) is None


def test_a_warehouse_refusing_connections_is_named_before_dbt_starts():
    with pytest.raises(DbtConnectionLost, match=r"^dbt build: lost the connection to the warehouse "
                                                r"postgresql://postgres@127\.0\.0\.1:1/none before any node"):
        run_dbt(["build"], with_password("postgresql://postgres@127.0.0.1:1/none"), quiet=True)


class BackendTerminator(threading.Thread):
    """Loops while dbt runs, terminating every backend of the database that waits for `lock_holder`'s
    table lock: dbt's, building the model that reads the table (deterministic: it waits until killed)."""

    def __init__(self, url: str, lock_holder) -> None:
        super().__init__(daemon=True)
        self.url, self.lock_holder_pid = url, lock_holder.get_backend_pid()
        self.stop = threading.Event()
        self.terminated: list[str] = []

    def run(self) -> None:
        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while not self.stop.is_set():
                    cur.execute("select pid, application_name from pg_stat_activity where datname = "
                                "current_database() and pid not in (pg_backend_pid(), %s) and wait_event_type = 'Lock'",
                                (self.lock_holder_pid,))
                    for pid, application in cur.fetchall():
                        cur.execute("select pg_terminate_backend(%s)", (pid,))
                        self.terminated.append(application)
                    time.sleep(0.05)
        finally:
            conn.close()


def test_a_dbt_build_whose_backend_is_terminated_fails_naming_the_lost_connection(fresh_database, tmp_path):
    url = with_password(fresh_database)
    ledger.ensure_tables(url)  # ops.run_log, which stg_ops__runs reads
    run_log.record_start(url, "r1")
    lock_holder = psycopg2.connect(url)
    terminator = BackendTerminator(url, lock_holder)
    settings = make_settings(tmp_path, WAREHOUSE_URL=url, ELT_STAGE_RETRIES="*=0")
    target = tmp_path / "target"
    try:
        lock_holder.cursor().execute("lock table ops.run_log in access exclusive mode")
        terminator.start()
        with pytest.raises(StageError) as failed:
            _staged(settings, RunSummary(url), "dbt build",
                    lambda: run_dbt(["build", "--select", "stg_ops__runs"], url, target_path=target, quiet=True))
    finally:
        terminator.stop.set()
        terminator.join(10)
        lock_holder.rollback()
        lock_holder.close()
    assert terminator.terminated, "no dbt backend waited for the lock"
    message = str(failed.value)
    results = json.loads((target / "run_results.json").read_text())["results"]
    not_built = sum(r["status"] in ("error", "skipped") for r in results)
    assert message == (
        f"stage 'dbt build' failed: dbt build: lost the connection to the warehouse {fresh_database} during "
        f"model.warehouse.stg_ops__runs; {not_built} nodes not built - check the warehouse is up (make health) "
        "and rerun make run")
    assert not_built > 1 and "\n" not in message and PASSWORD not in message
    assert not re.search(r"\btest\.|unique_|not_null_|accepted_values|Database Error", message)  # no test blamed
