"""Taking a backup of the warehouse database (`make backup`), all or nothing.

`create_backup`: `pg_dump` in custom format, compressed, taken from an exported snapshot so that the
manifest (sha256 and size of the dump, rows and a checksum of every table, the schema version)
describes exactly the data in the dump even while a run writes. Dump, manifest and checksum file are
written under temporary names, synced, checked (sha256 read back, a readable archive) and only then
moved into place, the manifest last (orchestration/ops/backup_store.py). Any failure (pg_dump, a full,
read-only or missing disk, the check) raises one line naming what failed and the path or setting to
fix, after removing every file of the attempt. Then the retention is applied; when it fails, the
backup is kept and the error says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import psycopg2

from dlt_pipelines.common.secrets import scrub
from orchestration.config import Settings
from orchestration.ops.backup_store import (
    FORMAT_VERSION,
    STAMP_FORMAT,
    BackupError,
    BackupFile,
    StagedBackup,
    archive_problem,
    check_checksums,
    checksum_line,
    filesystem,
    list_backups,
    prune,
    sha256_of,
    where,
)
from orchestration.ops.pg_clients import client_version, run_client
from orchestration.ops.table_checksums import schema_version, table_stats
from orchestration.warehouse import with_database


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
               f"manifest: {self.backup.manifest}", f"checksum: {self.backup.checksum}"]
        removed = ", ".join(b.dump.name for b in self.pruned) or "none"
        out.append(f"retention: {self.kept} backups kept, removed: {removed}")
        return out


def _size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)  # pragma: no cover


def _dump(staged: StagedBackup, url: str, secrets: tuple[str, ...]) -> tuple[dict, dict, str]:
    """pg_dump into the staged dump; the tables, schema version and server version of its snapshot."""
    path = staged.create_dump()
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
            try:
                run_client("pg_dump", ["--format=custom", "--compress=6", f"--snapshot={snapshot}",
                                       "--file", str(path)], url, secrets)
            except BackupError as exc:
                raise BackupError(f"{exc}, writing {path} ({where(staged.directory)})") from exc
            tables, version = table_stats(cur), schema_version(cur)
        conn.rollback()
    except psycopg2.Error as exc:
        raise BackupError(f"reading the database failed: {scrub(str(exc).strip(), secrets)}") from exc
    finally:
        conn.close()
    staged.sync_dump()
    # pg_dump 18 exits 0 when its output hits a full disk: read the whole archive back
    problem = archive_problem(path, read_all=True)
    if problem:
        raise BackupError(f"pg_dump wrote an incomplete archive {path} ({where(staged.directory)}): {problem}")
    return tables, version, server_version


def _write(staged: StagedBackup, url: str, taken: datetime, secrets: tuple[str, ...]) -> dict:
    """The dump, its manifest and checksum file under their temporary names, checked; the manifest."""
    tables, version, server_version = _dump(staged, url, secrets)
    files = staged.files
    with filesystem("reading", files.dump, staged.directory):
        sha256, size = sha256_of(files.dump), files.dump.stat().st_size
    manifest = {
        "format_version": FORMAT_VERSION,
        "file": staged.backup.dump.name,
        "database": staged.backup.database,
        "server": scrub(with_database(url, "")).rstrip("/"),
        "server_version": server_version,
        "created_at": taken.isoformat(),
        "pg_dump": client_version("pg_dump"),
        "sha256": sha256,
        "size_bytes": size,
        "schema_version": version,
        "tables": tables,
    }
    staged.write(files.manifest, json.dumps(manifest, indent=2) + "\n")
    staged.write(files.checksum, checksum_line(sha256, staged.backup))
    try:
        with filesystem("verifying", files.dump, staged.directory):
            check_checksums(files)  # what is on the disk is what the manifest and checksum file say
    except BackupError as exc:
        raise BackupError(f"verification failed: {exc}") from exc
    return manifest


def _take(settings: Settings, url: str, backup: BackupFile, taken: datetime) -> dict:
    """Write and publish `backup` whole, or remove every file of the attempt and raise one line."""
    staged = StagedBackup(backup)
    try:
        manifest = _write(staged, url, taken, settings.secrets())
        staged.publish()
    except BackupError as exc:
        left = staged.discard()
        kept = f"could not remove {', '.join(map(str, left))}" if left else "nothing was kept"
        raise BackupError(f"backup failed: {exc}; {kept}") from exc
    except BaseException:
        staged.discard()
        raise
    return manifest


def create_backup(settings: Settings, url: str, now: datetime | None = None) -> BackupResult:
    """Dump the database at `url` into BACKUP_DIR with its manifest and checksum, then apply the retention."""
    database = urlsplit(url).path.lstrip("/")
    taken = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    directory = settings.backups
    backup = BackupFile(directory / f"{database}-{taken.strftime(STAMP_FORMAT)}.dump")
    result = BackupResult(backup, _take(settings, url, backup, taken))
    try:
        with filesystem("applying the retention to", directory, directory):
            result.pruned = prune(directory, settings.backup_keep_daily, settings.backup_keep_weekly, database)
            result.kept = len(list_backups(directory, database))
    except BackupError as exc:
        raise BackupError(f"backup {backup.dump} was written and kept, but the retention failed: {exc}; "
                          "fix that and the next backup applies the retention again") from exc
    return result
