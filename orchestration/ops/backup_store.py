"""The files of a backup in BACKUP_DIR: names, temporary names while one is written, checks, retention.

A backup is three files named after the dump, `<database>-<UTC time>`:

- `.dump`: `pg_dump` custom format;
- `.sha256`: its checksum, in `sha256sum` format (`sha256sum -c` checks it);
- `.manifest.json`: checksum and size of the dump, rows and a checksum per table, the schema version.

They are written as `<name>.partial` and renamed into place only when all three are complete and
checked, the manifest last: a backup is listed only when it is whole. An attempt that fails removes
every file it created. A backup is *verified* when its dump hashes to the checksum in its manifest and
in its checksum file (backups from before checksum files have only the manifest's); the retention
only counts verified backups and never deletes the newest verified one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from orchestration.config import Settings
from orchestration.ops import OpsError
from orchestration.warehouse import _pg_bin

FORMAT_VERSION = 1
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
CHECKSUM_SUFFIX = ".sha256"
PARTIAL_SUFFIX = ".partial"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
NAME_PATTERN = re.compile(r"^(?P<db>.+)-(?P<stamp>\d{8}T\d{6}Z)\.dump$")


class BackupError(OpsError):
    """A backup, restore or verification failed or was refused; the message says what and where."""


class Files(NamedTuple):
    dump: Path
    manifest: Path
    checksum: Path


@dataclass(frozen=True)
class BackupFile:
    dump: Path

    def files(self, staged: bool = False) -> Files:
        """The dump, manifest and checksum file; `staged`: their temporary names while being written."""
        base = self.dump.name[: -len(DUMP_SUFFIX)]
        tail = PARTIAL_SUFFIX if staged else ""
        return Files(*(self.dump.with_name(base + suffix + tail)
                       for suffix in (DUMP_SUFFIX, MANIFEST_SUFFIX, CHECKSUM_SUFFIX)))

    @property
    def manifest(self) -> Path:
        return self.files().manifest

    @property
    def checksum(self) -> Path:
        return self.files().checksum

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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _blocking_file(path: Path) -> str:
    """`path` or its ancestor that is a file where a folder is needed, if any."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            return f": {parent} is a file, not a folder"
    return ""


def where(directory: Path) -> str:
    """The setting to fix, and whether its file system is full: `BACKUP_DIR=/x, no space left on device`."""
    try:
        full = os.statvfs(directory).f_bavail == 0
    except OSError:
        full = False
    return f"BACKUP_DIR={directory}" + (", no space left on device" if full else "")


@contextmanager
def filesystem(doing: str, path: Path, directory: Path) -> Iterator[None]:
    """Turn an OSError into a one-line BackupError naming the path and the setting to fix."""
    try:
        yield
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        failed = Path(exc.filename) if exc.filename else path
        hint = _blocking_file(failed) if exc.errno in (errno.ENOTDIR, errno.EEXIST) else ""
        raise BackupError(f"{reason} {doing} {failed} (BACKUP_DIR={directory}{hint})") from exc


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@dataclass
class StagedBackup:
    """One attempt at `backup`: its files under temporary names until `publish` moves them into place.
    `discard` removes every file the attempt created, temporary or already moved."""

    backup: BackupFile
    created: list[Path] = field(default_factory=list)

    @property
    def directory(self) -> Path:
        return self.backup.dump.parent

    @property
    def files(self) -> Files:
        return self.backup.files(staged=True)

    def create_dump(self) -> Path:
        """The empty temporary dump, readable by its owner only (the whole warehouse goes in there)."""
        with filesystem("creating", self.directory, self.directory):
            self.directory.mkdir(parents=True, exist_ok=True)
        if self.backup.dump.exists():
            raise BackupError(f"{self.backup.dump} already exists; wait a second and run it again")
        path = self.files.dump
        with filesystem("creating", path, self.directory):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.created.append(path)
        return path

    def sync_dump(self) -> None:
        with filesystem("writing", self.files.dump, self.directory):
            _fsync(self.files.dump)

    def write(self, path: Path, text: str) -> None:
        """Write a small temporary file completely and to the disk."""
        with filesystem("writing", path, self.directory):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self.created.append(path)
            with open(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())

    def publish(self) -> None:
        """Rename dump, checksum file and manifest into place, the manifest last."""
        staged, final = self.files, self.backup.files()
        for name in ("dump", "checksum", "manifest"):
            source, target = getattr(staged, name), getattr(final, name)
            with filesystem("renaming", source, self.directory):
                os.rename(source, target)
            self.created[self.created.index(source)] = target
        with filesystem("writing", self.directory, self.directory):
            _fsync(self.directory)
        self.created.clear()

    def discard(self) -> list[Path]:
        """Remove the attempt's files; return those that could not be removed."""
        left = []
        for path in reversed(self.created):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                left.append(path)
        self.created = left
        return left


def checksum_line(sha256: str, backup: BackupFile) -> str:
    return f"{sha256}  {backup.dump.name}\n"


def _read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise BackupError(f"manifest {path} is missing: the backup cannot be checked, so it is not used")
    try:
        manifest = json.loads(path.read_text())
        missing = [key for key in ("sha256", "size_bytes", "tables") if key not in manifest]
        if missing:
            raise KeyError(", ".join(missing))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"manifest {path} is unreadable or incomplete ({exc})") from exc
    if manifest.get("format_version") != FORMAT_VERSION or not isinstance(manifest["tables"], dict):
        raise BackupError(f"manifest {path} has an unknown format")
    return manifest


def _read_checksum(path: Path) -> str | None:
    """The sha256 in a checksum file; None when there is none (a backup from before checksum files)."""
    if not path.exists():
        return None
    found = re.match(r"^([0-9a-f]{64})\s", path.read_text())
    if not found:
        raise BackupError(f"checksum file {path} is unreadable (expected `<sha256>  <file>`)")
    return found[1]


def check_checksums(files: Files) -> dict:
    """The manifest of a dump that matches its manifest (size, sha256) and its checksum file."""
    if not files.dump.is_file():
        raise BackupError(f"backup file {files.dump} does not exist")
    manifest = _read_manifest(files.manifest)
    size, expected_size = files.dump.stat().st_size, manifest["size_bytes"]
    if size != expected_size:
        raise BackupError(f"backup {files.dump.name} is corrupted: {size} bytes, the manifest says {expected_size}")
    actual, recorded = sha256_of(files.dump), _read_checksum(files.checksum)
    sources = ((manifest["sha256"], "the manifest's"), (recorded, f"its checksum file's ({files.checksum})"))
    for expected, source in sources:
        if expected is not None and actual != expected:
            raise BackupError(f"backup {files.dump.name} is corrupted: sha256 {actual[:16]}... does not match "
                              f"{source} {expected[:16]}...")
    return manifest


def archive_problem(dump: Path, read_all: bool = False) -> str | None:
    """Why `dump` is not a readable pg_dump archive (None when it is). `read_all`: decompress every
    table's data, not only the table of contents (a dump cut short by a full disk has a good one)."""
    how = ["--file", os.devnull] if read_all else ["--list"]
    done = subprocess.run([str(_pg_bin("pg_restore")), *how, str(dump)], capture_output=True, text=True)
    if done.returncode == 0:
        return None
    return " ".join(done.stderr.split())[-300:] or f"pg_restore exit {done.returncode}"


def check_backup(backup: BackupFile) -> dict:
    """The manifest of a backup that is whole and intact (checksums, a readable archive)."""
    files = backup.files()
    manifest = check_checksums(files)
    problem = archive_problem(files.dump)
    if problem:
        raise BackupError(f"backup {files.dump.name} is not a readable pg_dump archive: {problem}")
    return manifest


def is_verified(backup: BackupFile) -> bool:
    try:
        check_checksums(backup.files())
    except (BackupError, OSError):
        return False
    return True


def list_backups(directory: Path, database: str | None = None) -> list[BackupFile]:
    """Whole backups in `directory` (a dump named by time, with its manifest), newest first."""
    if not directory.is_dir():
        return []
    found = [BackupFile(p) for p in directory.iterdir()
             if NAME_PATTERN.match(p.name) and p.is_file() and BackupFile(p).manifest.exists()]
    if database is not None:
        found = [b for b in found if b.database == database]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def retained(backups: list[BackupFile], keep_daily: int, keep_weekly: int,
             verified: set[Path] | None = None) -> set[Path]:
    """The dumps the retention keeps: the newest verified backup of each of the last `keep_daily`
    days and of each of the last `keep_weekly` ISO weeks that have verified backups, always the
    newest verified backup, and the newest backup. Unverified backups never fill a day or a week.
    `verified`: the verified dumps (default: checked now)."""
    newest_first = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    if verified is None:
        verified = {b.dump for b in newest_first if is_verified(b)}
    good = [b for b in newest_first if b.dump in verified]
    keep = {b.dump for b in (newest_first[:1] + good[:1])}
    for count, period in ((keep_daily, lambda t: t.date()), (keep_weekly, lambda t: t.isocalendar()[:2])):
        seen = []
        for backup in good:
            key = period(backup.taken_at)
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(backup.dump)
    return keep


def prune(directory: Path, keep_daily: int, keep_weekly: int, database: str | None = None) -> list[BackupFile]:
    """Delete the backups the retention does not keep (manifest first, so none is ever half listed)."""
    backups = list_backups(directory, database)
    keep = retained(backups, keep_daily, keep_weekly)
    removed = [b for b in backups if b.dump not in keep]
    for backup in removed:
        files = backup.files()
        for path in (files.manifest, files.checksum, files.dump):
            with filesystem("removing", path, directory):
                path.unlink(missing_ok=True)
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
