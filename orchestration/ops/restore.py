"""Restore and verification of a backup.

- `restore_backup`: checks the backup before touching anything (dump, manifest and checksum file
  present, size and sha256 matching both, a readable archive), refuses a system database or an
  existing non-empty one, restores in a single transaction with `pg_restore` into the named database
  (created if missing), then compares every table with the manifest. Any failure leaves the server as
  it was: a database it created is dropped again, a failed restore is rolled back.
- `verify_backup`: restores a backup (the latest by default) into a scratch database, compares row
  counts, checksums and the schema version with the manifest, and drops the scratch database.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from dlt_pipelines.common.secrets import scrub
from orchestration.config import Settings
from orchestration.ops.backup_store import BackupError, BackupFile, check_backup
from orchestration.ops.pg_clients import admin, admin_url, drop_database, restore_into
from orchestration.ops.table_checksums import USER_RELATIONS, compare
from orchestration.warehouse import with_database

SYSTEM_DATABASES = frozenset({"postgres", "template0", "template1"})
DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


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


def _user_schemas(url: str) -> set[str]:
    rows = admin(url, "select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema') "
                      "and nspname not like 'pg\\_toast%%' and nspname not like 'pg\\_temp%%'")
    return {name for (name,) in rows}


def _check_target(target_db: str) -> None:
    if not DATABASE_NAME.match(target_db or ""):
        raise BackupError(f"TARGET_DB {target_db!r} is not a usable database name (letters, digits and _, "
                          "up to 63, not starting with a digit); nothing was changed")
    if target_db in SYSTEM_DATABASES:
        raise BackupError(f"TARGET_DB {target_db!r} is a system database; restore into another one")


def _refuse_non_empty(target: str, target_db: str) -> None:
    tables = admin(target, USER_RELATIONS)
    if tables:
        shown = ", ".join(f"{s}.{t}" for s, t in tables[:5]) + (" ..." if len(tables) > 5 else "")
        raise BackupError(f"database {target_db!r} already exists and is not empty ({len(tables)} tables: "
                          f"{shown}); choose another TARGET_DB or drop it first. Nothing was changed")


def _create(admin_db: str, target_db: str, secrets: tuple[str, ...]) -> None:
    try:
        admin(admin_db, sql.SQL("create database {} template template0").format(sql.Identifier(target_db)))
    except psycopg2.Error as exc:
        raise BackupError(f"cannot create database {target_db!r} (the role needs CREATEDB): "
                          f"{scrub(str(exc).strip(), secrets)}") from exc


def restore_backup(settings: Settings, url: str, backup: BackupFile, target_db: str) -> RestoreResult:
    """Restore `backup` into database `target_db` on the server of `url` (see the module docstring)."""
    secrets = settings.secrets()
    started = time.perf_counter()
    _check_target(target_db)
    manifest = check_backup(backup)
    admin_db = admin_url(url)
    target = with_database(url, target_db)
    exists = bool(admin(admin_db, "select 1 from pg_database where datname = %s", (target_db,)))
    before: set[str] = set()
    if exists:
        _refuse_non_empty(target, target_db)
        before = _user_schemas(target)
    else:
        _create(admin_db, target_db, secrets)

    def undo() -> None:
        if not exists:
            drop_database(admin_db, target_db)
        else:
            for schema in sorted(_user_schemas(target) - before):
                admin(target, sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))

    try:
        restore_into(backup.dump, target, secrets)
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
            drop_database(admin_url(url), scratch)
        except (psycopg2.Error, BackupError):
            pass
