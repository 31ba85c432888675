"""Backups are all or nothing, against a real Postgres and real file systems: a full disk (the dump,
the manifest or the checksum file does not fit), a read-only disk and a BACKUP_DIR under a regular
file each give one line on stderr naming the path and BACKUP_DIR, an alert, exit 1, no `.partial`
file, and earlier backups untouched. The retention keeps the newest verified backup whatever
unverified ones are newer; a retention failure keeps the new backup and says so; restore refuses a
dump whose checksum file disagrees."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2
import pytest

from orchestration.ops.backup import create_backup
from orchestration.ops.backup_store import BackupError, BackupFile, checksum_line, is_verified, list_backups, prune
from orchestration.ops.restore import restore_backup
from orchestration.warehouse import with_database
from tests.conftest import make_settings, query
from tests.ops.conftest import cli

PAGE = 4096
EARLIER = datetime(2026, 3, 1, 3, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def source(fresh_database: str) -> str:
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("create schema raw_demo; create table raw_demo.postings (id int primary key, title text);"
                    "insert into raw_demo.postings select i, 'Data engineer ' || md5(i::text) || md5((-i)::text) "
                    "from generate_series(1, 4000) i")  # a dump of some 150 KiB: a full disk can cut it short
    conn.close()
    return fresh_database


@pytest.fixture(scope="module")
def small_source(server_url: str) -> Iterator[str]:
    """A database whose whole dump is smaller than pg_dump's output buffer."""
    name = f"elt_test_small_{uuid.uuid4().hex[:8]}"
    admin(server_url, f'create database "{name}"')
    url = with_database(server_url, name)
    admin(url, "create table notes (id int, body text); insert into notes values (1, 'a'), (2, 'b')")
    yield url
    admin(server_url, f'drop database if exists "{name}" with (force)')


def admin(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of its own (1 MiB); skipped where mounting is not allowed."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def earlier_backup(source: str, directory: Path) -> BackupFile:
    settings = make_settings(directory.parent / "build", BACKUP_DIR=str(directory), WAREHOUSE_URL=source)
    return create_backup(settings, source, now=EARLIER).backup


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under `directory` with the sha256 of its content."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def pages(size: int) -> int:
    return -(-size // PAGE)


def fill(directory: Path, spare_pages: int) -> Path:
    """A file that leaves exactly `spare_pages` free pages on the file system of `directory`."""
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize // PAGE
    filler = directory / "filler.bin"
    filler.write_bytes(b"\0" * (free - spare_pages) * PAGE)
    assert os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize // PAGE == spare_pages
    return filler


def run_backup(source: str, directory: Path, receiver, build: Path, **env: str) -> subprocess.CompletedProcess:
    return cli("backup", WAREHOUSE_URL=source, BACKUP_DIR=str(directory), ALERT_WEBHOOK_URL=receiver.url,
               ELT_BUILD_DIR=str(build), **env)


def assert_failed_cleanly(done: subprocess.CompletedProcess, receiver, *expected: str) -> str:
    """Exit 1, one line on stderr (no traceback) holding `expected`, and the same line alerted."""
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    line = lines[0]
    assert line.startswith("error: backup failed: ") and line.endswith("; nothing was kept"), line
    for text in expected:
        assert text in line, line
    alerts = receiver.texts()
    assert len(alerts) == 1 and "make backup failed" in alerts[0] and line.removeprefix("error: ") in alerts[0]
    return line


FULL_DISK = {  # what does not fit: what the line says (the dump goes to `<name>.dump.partial`)
    "dump": ("pg_dump failed (exit 1): pg_dump: error: could not write to output file: No space left on device, "
             "writing ", ".dump.partial (BACKUP_DIR={dir}, no space left on device); nothing"),
    "dump cut short": ("pg_dump failed (exit 1): ", "No space left on device, writing ",
                       ".dump.partial (BACKUP_DIR={dir}, no space left on device); nothing"),
    # pg_dump exits 0 when a small dump (all in its buffer) hits a full disk: reading the archive back fails
    "small dump": ("pg_dump wrote an incomplete archive ",
                   ".dump.partial (BACKUP_DIR={dir}, no space left on device): pg_restore: error: "),
    "manifest": ("backup failed: no space left on device writing ", ".manifest.json.partial (BACKUP_DIR={dir}); "),
    "checksum": ("backup failed: no space left on device writing ", ".sha256.partial (BACKUP_DIR={dir}); "),
}


@pytest.mark.parametrize("fails", sorted(FULL_DISK))
def test_a_full_disk_keeps_nothing_of_the_attempt_and_leaves_earlier_backups(source, small_source, tmpfs, tmp_path,
                                                                             receiver, fails):
    database = small_source if fails == "small dump" else source
    earlier = earlier_backup(database, tmpfs)
    files = earlier.files()
    # the new dump is as big as the earlier one: room for none of it, half of it, it alone, it and the manifest
    dump_pages = pages(files.dump.stat().st_size)
    spare = {"dump": 0, "small dump": 0, "dump cut short": dump_pages // 2, "manifest": dump_pages,
             "checksum": dump_pages + pages(files.manifest.stat().st_size)}[fails]
    filler = fill(tmpfs, spare)
    before = snapshot(tmpfs)

    done = run_backup(database, tmpfs, receiver, tmp_path / "build")

    assert_failed_cleanly(done, receiver, *(text.format(dir=tmpfs) for text in FULL_DISK[fails]))
    assert snapshot(tmpfs) == before  # no .partial, the earlier backup byte for byte
    filler.unlink()
    assert list_backups(tmpfs) == [earlier] and is_verified(earlier)


def test_a_read_only_disk_is_a_clear_error(source, tmpfs, tmp_path, receiver):
    earlier = earlier_backup(source, tmpfs)
    before = snapshot(tmpfs)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)

    done = run_backup(source, tmpfs, receiver, tmp_path / "build")

    assert_failed_cleanly(done, receiver, "read-only file system creating ", ".dump.partial",
                          f"(BACKUP_DIR={tmpfs})")
    assert snapshot(tmpfs) == before and list_backups(tmpfs) == [earlier]


def test_a_backup_dir_under_a_regular_file_is_a_clear_error(source, tmp_path, receiver):
    earlier_dir = tmp_path / "backups"
    earlier = earlier_backup(source, earlier_dir)
    blocker = earlier_dir / "not-a-folder"
    blocker.write_text("a file where BACKUP_DIR's parent should be")
    before = snapshot(earlier_dir)
    wanted = blocker / "daily"

    done = run_backup(source, wanted, receiver, tmp_path / "build")

    assert_failed_cleanly(done, receiver, f"not a directory creating {wanted} (BACKUP_DIR={wanted}: {blocker} is "
                                          "a file, not a folder)")
    assert snapshot(earlier_dir) == before and list_backups(earlier_dir) == [earlier]


def copies(template: BackupFile, directory: Path, times: list[datetime], verified: bool) -> list[BackupFile]:
    """Backups taken at `times`, copies of a real one; unverified ones have a dump their checksums reject."""
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for moment in times:
        backup = BackupFile(directory / f"{template.database}-{moment.strftime('%Y%m%dT%H%M%SZ')}.dump")
        for source, target in zip(template.files(), backup.files(), strict=True):
            shutil.copyfile(source, target)
        if not verified:
            data = bytearray(backup.dump.read_bytes())
            data[len(data) // 2] ^= 0xFF
            backup.dump.write_bytes(bytes(data))
        made.append(backup)
    return made


@pytest.fixture(scope="module")
def template(source, tmp_path_factory) -> BackupFile:
    return earlier_backup(source, tmp_path_factory.mktemp("template") / "backups")


@pytest.mark.parametrize(("keep_daily", "keep_weekly"), [(1, 0), (0, 0), (7, 2)])
def test_retention_keeps_the_newest_verified_backup_whatever_unverified_ones_are_newer(template, tmp_path,
                                                                                      keep_daily, keep_weekly):
    day = datetime(2026, 3, 10, 3, 30, tzinfo=timezone.utc)
    older = copies(template, tmp_path, [day - timedelta(days=1)], verified=True)
    good = copies(template, tmp_path, [day], verified=True)
    bad = copies(template, tmp_path, [day + timedelta(hours=h) for h in (2, 5)] + [day + timedelta(days=1)],
                 verified=False)

    removed = prune(tmp_path, keep_daily=keep_daily, keep_weekly=keep_weekly)

    left = list_backups(tmp_path)
    assert good[0] in left and is_verified(good[0])
    assert bad[-1] in left  # the newest backup stays (for a look), but it filled no day
    assert not set(bad[:-1]) & set(left)  # older unverified ones go
    assert (older[0] in left) == (keep_daily > 1)  # its ISO week is `good`'s
    assert {b.dump for b in removed} | {b.dump for b in left} == {b.dump for b in older + good + bad}


def test_a_retention_failure_keeps_the_new_backup_and_says_so(source, template, tmp_path, receiver):
    directory = tmp_path / "backups"
    stuck = copies(template, directory, [EARLIER - timedelta(days=400)], verified=True)[0]
    stuck.manifest.unlink()
    stuck.manifest.mkdir()  # listed, not verified, and it cannot be removed like a file
    (stuck.manifest / "x").write_text("")

    done = run_backup(source, directory, receiver, tmp_path / "build", BACKUP_KEEP_DAILY="1")

    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    new = [b for b in list_backups(directory) if b != stuck]
    assert len(new) == 1 and is_verified(new[0])
    assert f"backup {new[0].dump} was written and kept, but the retention failed: " in done.stderr
    assert f"removing {stuck.manifest} (BACKUP_DIR={directory})" in done.stderr
    assert len(receiver.texts()) == 1 and "the retention failed" in receiver.texts()[0]
    assert not list(directory.glob("*.partial"))


def test_restore_refuses_a_dump_whose_checksum_file_disagrees(source, template, tmp_path, server_url):
    backup = copies(template, tmp_path, [EARLIER], verified=True)[0]
    backup.checksum.write_text(checksum_line("0" * 64, backup))
    settings = make_settings(tmp_path / "build", BACKUP_DIR=str(tmp_path), WAREHOUSE_URL=source)
    databases = query(server_url, "select datname from pg_database order by 1")

    with pytest.raises(BackupError, match=rf"is corrupted: sha256 .* does not match its checksum file's "
                                          rf"\({backup.checksum}\) 0000000000000000"):
        restore_backup(settings, source, backup, "elt_test_bad_checksum")

    assert query(server_url, "select datname from pg_database order by 1") == databases
    assert not is_verified(backup)
