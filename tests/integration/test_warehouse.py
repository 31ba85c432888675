"""The project's own Postgres: started from the wheel, restartable, reporting its URL."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2

from dlt_pipelines.common.secrets import scrub
from orchestration.config import REPO_ROOT, ConfigError, Settings
from orchestration.warehouse import LocalServer, check_connection, resolve_url


def test_local_server_starts_stops_and_restarts_with_its_data(tmp_path):
    server = LocalServer(tmp_path / "wh")
    url = server.start()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("create table kept (x int); insert into kept values (42)")
    conn.close()
    server.stop()
    assert not server.is_running()
    assert server.start() == url  # same port, same data
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select x from kept")
        assert cur.fetchone() == (42,)
        cur.execute("select count(*) from pg_available_extensions where name = 'pg_trgm'")
        assert cur.fetchone() == (1,)
    conn.close()
    server.stop()


def test_warehouse_url_set_wins_and_bad_ones_explain_themselves(server_url):
    settings = Settings.from_env({"WAREHOUSE_URL": server_url})
    assert resolve_url(settings) == server_url
    try:
        check_connection("postgresql://nobody:secret@127.0.0.1:1/none")
    except Exception as problem:  # noqa: BLE001 - the message is what is tested
        assert "secret" not in str(problem) and "***" in str(problem) and "WAREHOUSE_URL" in str(problem)
    else:
        raise AssertionError("connecting to port 1 should fail")
    assert scrub("postgresql://u:pw@h:5/d") == "postgresql://u:***@h:5/d"
    try:
        Settings.from_env({"WAREHOUSE_URL": "sqlite:///x.db"})
    except ConfigError as problem:
        assert "postgresql://" in str(problem)


def test_make_warehouse_url_prints_the_url_in_use(server_url):
    env = {**os.environ, "WAREHOUSE_URL": server_url}
    result = subprocess.run([sys.executable, "-m", "orchestration", "warehouse-url"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == server_url
