"""Backups against a real Postgres: dump and manifest, restore, verification, retention, and bad
input (missing, corrupted, tampered, wrong or non-empty target) refused without changing anything."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest

from orchestration.ops.backup import create_backup
from orchestration.ops.backup_store import (
    BackupError,
    BackupFile,
    check_backup,
    checksum_line,
    list_backups,
    prune,
    resolve_backup,
    retained,
)
from orchestration.ops.restore import restore_backup, verify_backup
from orchestration.warehouse import _pg_bin, with_database
from tests.conftest import make_settings, query
from tests.ops.conftest import PASSWORD, make, with_password

TABLES = {"raw_demo.postings": 500, "raw_demo.empty": 0, "marts.daily": 30, "public.notes": 3}


def digest(url: str, relation: str) -> tuple[int, str]:
    return query(url, f"select count(*), coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') "
                      f"from {relation} as t")[0]


def databases(server_url: str) -> set[str]:
    return {name for (name,) in query(server_url, "select datname from pg_database")}


def drop(server_url: str, name: str) -> None:
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    conn.close()


@pytest.fixture(scope="module")
def source(fresh_database):
    """A database with several schemas, types that print differently per session, and NULLs."""
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("""
            create schema raw_demo;
            create schema marts;
            create table raw_demo.postings (
                job_id text primary key, payload jsonb, fetched_at timestamptz, salary numeric(12, 2),
                score double precision, tags text[], note text, raw bytea);
            insert into raw_demo.postings
            select 'job-' || i, jsonb_build_object('title', 'Data engineer ' || i, 'city', 'Zürich'),
                   timestamptz '2026-03-01 00:00:00+00' - i * interval '37 minutes', i * 1234.5,
                   i / 7.0, array['sql', 'python'], case when i % 5 = 0 then null else 'ünïcode ' || i end,
                   decode(md5(i::text), 'hex')
            from generate_series(1, 500) as i;
            create table raw_demo.empty (id int);
            create table marts.daily (day date primary key, jobs bigint, share real);
            insert into marts.daily select date '2026-02-01' + i, i * 3, i / 30.0 from generate_series(0, 29) as i;
            create view marts.recent as select * from raw_demo.postings where fetched_at > '2026-02-28';
            create table public.notes (id serial primary key, body text);
            insert into public.notes (body) values ('a'), ('b'), (null);
        """)
    conn.close()
    return with_password(fresh_database)


@pytest.fixture(scope="module")
def backup_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("backups")


@pytest.fixture(scope="module")
def made(source, backup_dir, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("build"), BACKUP_DIR=str(backup_dir), WAREHOUSE_URL=source)
    return settings, create_backup(settings, source)


def scratch_name() -> str:
    return f"elt_test_restore_{uuid.uuid4().hex[:8]}"


def test_backup_is_a_compressed_custom_dump_named_by_time_with_a_true_manifest(made, source):
    settings, result = made
    dump, manifest = result.backup.dump, result.manifest
    assert dump.parent == settings.backups
    assert result.backup.taken_at <= datetime.now(timezone.utc) < result.backup.taken_at + timedelta(minutes=5)
    assert json.loads(result.backup.manifest.read_text()) == manifest
    assert manifest["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert manifest["size_bytes"] == dump.stat().st_size
    header = subprocess.run([str(_pg_bin("pg_restore")), "--list", str(dump)], capture_output=True, text=True,
                            check=True).stdout
    assert "Format: CUSTOM" in header and "Compression: gzip" in header
    assert {name: t["rows"] for name, t in manifest["tables"].items()} == TABLES
    for name, count in TABLES.items():
        assert query(source, f"select count(*) from {name}")[0][0] == count
    assert len(manifest["schema_version"]["columns_sha256"]) == 64 and manifest["schema_version"]["columns"] > 10
    assert PASSWORD not in result.backup.manifest.read_text()


def test_restore_into_a_new_database_reproduces_every_table(made, source, server_url):
    settings, result = made
    target = scratch_name()
    try:
        restored = restore_backup(settings, source, result.backup, target)
        assert restored.created and restored.tables == len(TABLES) and restored.rows == sum(TABLES.values())
        target_url = with_database(source, target)
        for name in TABLES:
            assert digest(target_url, name) == digest(source, name)
        assert query(target_url, "select count(*) from marts.recent") == query(source, "select count(*) from "
                                                                                      "marts.recent")
    finally:
        drop(server_url, target)


def test_restore_into_an_existing_empty_database_fills_it(made, source, server_url):
    settings, result = made
    target = scratch_name()
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'create database "{target}"')
    conn.close()
    try:
        restored = restore_backup(settings, source, result.backup, target)
        assert not restored.created
        assert digest(with_database(source, target), "raw_demo.postings") == digest(source, "raw_demo.postings")
    finally:
        drop(server_url, target)


def test_restore_refuses_a_non_empty_database_and_changes_nothing(made, source):
    settings, result = made
    before = {name: digest(source, name) for name in TABLES}
    database = source.rsplit("/", 1)[1]
    with pytest.raises(BackupError, match=rf"database '{database}' already exists and is not empty.*Nothing was "
                                          "changed"):
        restore_backup(settings, source, result.backup, database)
    assert {name: digest(source, name) for name in TABLES} == before


@pytest.mark.parametrize(("target", "message"), [
    ("postgres", "is a system database"),
    ("template1", "is a system database"),
    ('x"; drop database postgres; --', "not a usable database name"),
    ("", "not a usable database name"),
])
def test_restore_refuses_a_wrong_target(made, source, server_url, target, message):
    settings, result = made
    before = databases(server_url)
    with pytest.raises(BackupError, match=message):
        restore_backup(settings, source, result.backup, target)
    assert databases(server_url) == before


def test_missing_backup_or_manifest_is_a_clear_error(made, tmp_path):
    settings, result = made
    with pytest.raises(BackupError, match="does not exist"):
        resolve_backup(settings, str(tmp_path / "nowhere-20260101T000000Z.dump"))
    lonely = tmp_path / result.backup.dump.name
    shutil.copyfile(result.backup.dump, lonely)
    with pytest.raises(BackupError, match="manifest .* is missing"):
        check_backup(BackupFile(lonely))
    empty = make_settings(tmp_path, BACKUP_DIR=str(tmp_path / "empty"))
    with pytest.raises(BackupError, match="no backup found"):
        resolve_backup(empty, "latest")


def corrupted_copy(result, directory, fix_manifest: bool) -> BackupFile:
    """A copy of the backup with bytes flipped in the middle; optionally a manifest that agrees."""
    copy = BackupFile(directory / result.backup.dump.name)
    data = bytearray(result.backup.dump.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    copy.dump.write_bytes(bytes(data))
    manifest = dict(result.manifest)
    if fix_manifest:
        manifest["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    copy.manifest.write_text(json.dumps(manifest))
    copy.checksum.write_text(checksum_line(manifest["sha256"], copy))
    return copy


def test_a_corrupted_backup_is_refused_before_anything_is_created(made, source, server_url, tmp_path):
    settings, result = made
    broken = corrupted_copy(result, tmp_path, fix_manifest=False)
    before = databases(server_url)
    target = scratch_name()
    with pytest.raises(BackupError, match=r"is corrupted: sha256 .* does not match the manifest"):
        restore_backup(settings, source, broken, target)
    with pytest.raises(BackupError, match="is corrupted"):
        verify_backup(settings, source, broken)
    assert databases(server_url) == before


def test_a_corrupted_dump_whose_manifest_agrees_fails_the_restore_and_leaves_nothing(made, source, server_url,
                                                                                    tmp_path):
    settings, result = made
    broken = corrupted_copy(result, tmp_path, fix_manifest=True)
    before = databases(server_url)
    with pytest.raises(BackupError, match=r"(pg_restore|psql) failed .*nothing was restored"):
        restore_backup(settings, source, broken, scratch_name())
    assert databases(server_url) == before
    target = scratch_name()
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'create database "{target}"')
    conn.close()
    try:
        with pytest.raises(BackupError, match="nothing was restored"):
            restore_backup(settings, source, broken, target)
        leftovers = query(with_database(source, target), "select count(*) from pg_class c join pg_namespace n "
                                                         "on n.oid = c.relnamespace where n.nspname in "
                                                         "('raw_demo', 'marts') or c.relname = 'notes'")
        assert leftovers == [(0,)]
    finally:
        drop(server_url, target)


def test_verification_restores_into_a_scratch_database_and_drops_it(made, source, server_url):
    settings, result = made
    before = databases(server_url)
    verified = verify_backup(settings, source, resolve_backup(settings, "latest"))
    assert verified.tables == len(TABLES) and verified.rows == sum(TABLES.values())
    assert databases(server_url) == before


def test_verification_catches_data_that_differs_from_the_manifest(made, source, server_url, tmp_path):
    settings, result = made
    tampered = BackupFile(tmp_path / result.backup.dump.name)
    shutil.copyfile(result.backup.dump, tampered.dump)
    shutil.copyfile(result.backup.checksum, tampered.checksum)
    manifest = json.loads(result.backup.manifest.read_text())
    manifest["tables"]["marts.daily"]["rows"] = 31
    manifest["tables"]["raw_demo.postings"]["checksum"] = "12345"
    tampered.manifest.write_text(json.dumps(manifest))
    before = databases(server_url)
    with pytest.raises(BackupError, match=r"marts\.daily: 30 rows, the manifest says 31.*raw_demo\.postings: "
                                          r"checksum .* differs"):
        verify_backup(settings, source, tampered)
    assert databases(server_url) == before


def fake_backups(directory, template, times):
    """Backups taken at `times` (copies of a real one, renamed as `make backup` names them)."""
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for moment in times:
        backup = BackupFile(directory / f"warehouse-{moment.strftime('%Y%m%dT%H%M%SZ')}.dump")
        shutil.copyfile(template.dump, backup.dump)
        shutil.copyfile(template.manifest, backup.manifest)
        shutil.copyfile(template.checksum, backup.checksum)
        made.append(backup)
    return made


def test_retention_keeps_the_newest_of_each_recent_day_and_week(made, tmp_path):
    _, result = made
    now = datetime(2026, 3, 29, 3, 30, tzinfo=timezone.utc)  # a Sunday
    times = [now - timedelta(days=d) for d in range(90)] + [now - timedelta(days=1, hours=2)]
    backups = fake_backups(tmp_path / "b", result.backup, times)
    (tmp_path / "b" / "notes.txt").write_text("not a backup")

    keep = retained(backups, keep_daily=30, keep_weekly=0)
    assert {b.dump for b in backups if b.taken_at > now - timedelta(days=30)} - {backups[-1].dump} == keep

    removed = prune(tmp_path / "b", keep_daily=7, keep_weekly=8)
    left = list_backups(tmp_path / "b")
    days = {b.taken_at.date() for b in left}
    assert len(left) == len(days)  # one a day at most: the older one of day -1 went
    assert {now.date() - timedelta(days=d) for d in range(7)} <= days
    weeks = {b.taken_at.isocalendar()[:2] for b in left}
    assert len(weeks) == 8 and all(b.taken_at > now - timedelta(weeks=8) for b in left)
    assert len(left) + len(removed) == len(backups)
    for backup in removed:
        assert not backup.dump.exists() and not backup.manifest.exists()
    assert (tmp_path / "b" / "notes.txt").exists()


def test_retention_never_removes_the_newest_backup(made, tmp_path):
    _, result = made
    backups = fake_backups(tmp_path / "c", result.backup, [datetime(2026, 1, 1, tzinfo=timezone.utc)])
    assert prune(tmp_path / "c", keep_daily=0, keep_weekly=0) == []
    assert backups[0].dump.exists()


def test_make_backup_restore_and_verify_backup(source, server_url, tmp_path):
    env = {"WAREHOUSE_URL": source, "BACKUP_DIR": str(tmp_path / "bk"), "ELT_BUILD_DIR": str(tmp_path / "build")}
    done = make("backup", **env)
    assert done.returncode == 0, done.stderr
    assert "backup: " in done.stdout and "retention: 1 backups kept" in done.stdout
    verified = make("verify-backup", **env)
    assert verified.returncode == 0, verified.stderr
    assert "row counts, checksums and schema version match the manifest" in verified.stdout
    target = scratch_name()
    try:
        restored = make("restore", "BACKUP=latest", f"TARGET_DB={target}", **env)
        assert restored.returncode == 0, restored.stderr
        assert digest(with_database(source, target), "raw_demo.postings") == digest(source, "raw_demo.postings")
        again = make("restore", "BACKUP=latest", f"TARGET_DB={target}", **env)
        assert again.returncode != 0 and "already exists and is not empty" in again.stderr
    finally:
        drop(server_url, target)
    missing = make("restore", **env)
    assert missing.returncode != 0 and "BACKUP is required" in missing.stderr
    over_the_warehouse = make("restore", "BACKUP=latest", **env)  # TARGET_DB defaults to the warehouse's
    assert over_the_warehouse.returncode != 0 and "already exists and is not empty" in over_the_warehouse.stderr
    for output in (done, verified, restored, again, missing, over_the_warehouse):
        assert PASSWORD not in output.stdout + output.stderr
