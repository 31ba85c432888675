"""Generic sources end to end (real files, a real SQLite file, a real Postgres source database,
real dlt into the real warehouse): a source is one entry of a sources file; its rerun loads 0
rows, a 1% delta loads exactly the delta, and updated rows are merged, not duplicated."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dlt_pipelines import registry
from dlt_pipelines.generic.config import load_entries
from dlt_pipelines.generic.example import prepare_ats
from dlt_pipelines.generic.spec import specs_for
from orchestration import elt
from tests.conftest import _admin, make_settings, query

T0 = datetime(2026, 1, 1, 8, 0, 0)


@contextlib.contextmanager
def declared(config: Path) -> Iterator[list[str]]:
    """The entries of `config` registered as sources for the block, as the registry would."""
    specs = specs_for(load_entries(config))
    with contextlib.ExitStack() as stack:
        for spec in specs:
            stack.enter_context(registry.registered(spec))
        yield [spec.name for spec in specs]


def load(settings, url: str, source: str) -> dict[str, int]:
    [report] = elt.extract_load(settings, url, (source,))
    return {table: rows for table, rows in report.rows_by_table.items() if rows}  # a table of 0 rows loaded none


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's own storage format for SQLite


def test_csv_and_sqlite_sources_load_once_then_only_the_delta(fresh_database, tmp_path):
    files = tmp_path / "exports" / "orders"
    files.mkdir(parents=True)
    for month in (1, 2):
        write_csv(files / f"orders_2026_{month:02d}.csv", [
            {"order_id": month * 1000 + n, "sku": f"sku-{n % 7}", "amount": n * 1.5} for n in range(500)])
    database = tmp_path / "shop.sqlite"
    with sqlite3.connect(database) as conn:
        conn.execute("create table customers (customer_id integer primary key, name text not null, "
                     "updated_at timestamp not null)")
        conn.executemany("insert into customers values (?, ?, ?)",
                         [(n, f"customer {n}", stamp(T0 + timedelta(minutes=n))) for n in range(1, 1001)])
    config = tmp_path / "sources.yml"
    config.write_text(
        "sources:\n"
        "  - name: shop_orders\n"
        "    kind: csv\n"
        "    location: exports/orders/*.csv\n"
        "    table: orders\n"
        "    primary_key: order_id\n"
        "  - name: shop_db\n"
        "    kind: sqlite\n"
        "    location: sqlite:///shop.sqlite\n"
        "    tables:\n"
        "      - {name: customers, primary_key: customer_id, cursor: updated_at}\n")
    settings = make_settings(tmp_path / "build")
    with declared(config) as names:
        assert names == ["shop_orders", "shop_db"]
        assert load(settings, fresh_database, "shop_orders") == {"orders": 1000}
        assert load(settings, fresh_database, "shop_db") == {"customers": 1000}
        # a rerun with nothing new: no file changed, no row newer than the cursor
        assert load(settings, fresh_database, "shop_orders") == {}
        assert load(settings, fresh_database, "shop_db") == {}
        # a 1% delta: one new file of 10 orders; 5 new customers and 5 updated ones
        write_csv(files / "orders_2026_03.csv", [
            {"order_id": 3000 + n, "sku": "sku-new", "amount": 9.0} for n in range(10)])
        later = T0 + timedelta(days=2)
        with sqlite3.connect(database) as conn:
            conn.executemany("insert into customers values (?, ?, ?)",
                             [(n, f"customer {n}", stamp(later)) for n in range(1001, 1006)])
            conn.executemany("update customers set name = ?, updated_at = ? where customer_id = ?",
                             [(f"renamed {n}", stamp(later), n) for n in (1, 2, 3, 4, 5)])
        assert load(settings, fresh_database, "shop_orders") == {"orders": 10}
        assert load(settings, fresh_database, "shop_db") == {"customers": 10}
        assert query(fresh_database, "select count(*), count(distinct order_id) from raw_shop_orders.orders") == [
            (1010, 1010)]
        assert query(fresh_database, "select count(*), count(distinct customer_id) from raw_shop_db.customers") == [
            (1005, 1005)]
        assert query(fresh_database, "select name from raw_shop_db.customers where customer_id = 3") == [
            ("renamed 3",)]
        # a changed file is read again and its rows merged on the primary key
        rows = [{"order_id": 3000 + n, "sku": "sku-new", "amount": 99.0 if n == 0 else 9.0} for n in range(10)]
        write_csv(files / "orders_2026_03.csv", rows)
        changed = (files / "orders_2026_03.csv").stat().st_mtime + 60  # later than any modification dlt has seen
        os.utime(files / "orders_2026_03.csv", (changed, changed))
        assert load(settings, fresh_database, "shop_orders") == {"orders": 10}
        assert query(fresh_database, "select count(*), max(amount) from raw_shop_orders.orders "
                                     "where order_id >= 3000") == [(10, 99.0)]
        assert query(fresh_database, "select _file_name from raw_shop_orders.orders where order_id = 1001") == [
            ("orders_2026_01.csv",)]
        # the run summary reports the new source like any other
        summary = elt.RunSummary(fresh_database)
        elt.extract_load(settings, fresh_database, ("shop_orders", "shop_db"), summary=summary)
        assert "extract-load shop_db: 0 rows loaded into raw_shop_db" in "\n".join(summary.lines())


def test_plain_json_documents_are_read(fresh_database, tmp_path):
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "page_1.json").write_text(json.dumps(
        {"data": {"items": [{"id": n, "tags": ["a", "b"], "meta": {"score": n}} for n in range(3)]}}))
    (tmp_path / "api" / "page_2.json").write_text(json.dumps({"data": {"items": [{"id": 3, "meta": {"score": 3}}]}}))
    (tmp_path / "single.json").write_text(json.dumps({"id": 1, "name": "one record"}))
    config = tmp_path / "sources.yml"
    config.write_text(
        "sources:\n"
        "  - {name: api_dump, kind: json, location: api, records_path: data.items, primary_key: id}\n"
        "  - {name: one_doc, kind: json, location: single.json}\n")
    settings = make_settings(tmp_path / "build")
    with declared(config):
        assert load(settings, fresh_database, "api_dump") == {"api_dump": 4}
        assert load(settings, fresh_database, "one_doc") == {"one_doc": 1}
        assert load(settings, fresh_database, "api_dump") == {}
    assert query(fresh_database, "select id, meta->>'score', tags from raw_api_dump.api_dump order by id") == [
        (0, "0", ["a", "b"]), (1, "1", ["a", "b"]), (2, "2", ["a", "b"]), (3, "3", None)]
    assert query(fresh_database, "select name from raw_one_doc.one_doc") == [("one record",)]


@pytest.fixture
def source_database(server_url) -> Iterator[str]:
    name = f"elt_test_generic_src_{os.getpid()}"
    _admin(server_url, f'drop database if exists "{name}" with (force)')
    _admin(server_url, f'create database "{name}"')
    parts = urlsplit(server_url)
    url = f"postgresql://{parts.username}@{parts.hostname}:{parts.port}/{name}"
    with contextlib.closing(__import__("psycopg2").connect(url)) as conn, conn, conn.cursor() as cur:
        cur.execute("create schema app; create table app.events (event_id bigint primary key, kind text, "
                    "happened_at timestamptz not null)")
        cur.execute("insert into app.events select n, 'kind ' || (n % 5), "
                    "timestamptz '2026-01-01 00:00:00+00' + n * interval '1 second' from generate_series(1, 5000) n")
    yield url
    _admin(server_url, f'drop database if exists "{name}" with (force)')


@pytest.mark.parametrize("backend", ["pyarrow", "connectorx"])
def test_postgres_to_postgres_with_the_password_from_the_environment(fresh_database, source_database, tmp_path,
                                                                      backend):
    parts = urlsplit(source_database)
    _admin(fresh_database, "drop schema if exists raw_app_events cascade")
    config = tmp_path / "sources.yml"
    config.write_text(
        "sources:\n"
        "  - name: app_events\n"
        "    kind: postgres\n"
        f"    location: postgresql://{parts.username}:${{APP_DB_PASSWORD}}@{parts.hostname}:{parts.port}{parts.path}\n"
        "    schema: app\n"
        f"    backend: {backend}\n"
        "    tables: [{name: events, primary_key: event_id, cursor: happened_at}]\n")
    settings = make_settings(tmp_path / "build", APP_DB_PASSWORD="s3cret-trust-ignores-it")
    with declared(config):
        assert "s3cret-trust-ignores-it" in settings.secrets()  # scrubbed from every message
        assert load(settings, fresh_database, "app_events") == {"events": 5000}
        assert load(settings, fresh_database, "app_events") == {}
        with contextlib.closing(__import__("psycopg2").connect(source_database)) as conn, conn, conn.cursor() as cur:
            cur.execute("insert into app.events select n, 'late', timestamptz '2026-02-01 00:00:00+00' "
                        "from generate_series(5001, 5050) n")
            cur.execute("update app.events set kind = 'changed', happened_at = timestamptz '2026-02-01 00:00:00+00' "
                        "where event_id = 7")
        assert load(settings, fresh_database, "app_events") == {"events": 51}
    assert query(fresh_database, "select count(*), count(distinct event_id) from raw_app_events.events") == [
        (5050, 5050)]
    assert query(fresh_database, "select kind from raw_app_events.events where event_id = 7") == [("changed",)]


def test_the_built_in_example_is_generated_loaded_once_and_updated_over_time(fresh_database, tmp_path):
    """`ats` and `salary_surveys` are registered with no configuration; their data is generated into
    the build folder from the run's clock: the same clock loads nothing again, a later one loads
    what happened since (new applications, applications moved on, a new monthly survey file)."""
    assert {"ats", "salary_surveys"} <= set(registry.names())
    build = tmp_path / "build"
    day_one = make_settings(build, ELT_AS_OF="2026-03-31T12:00:00Z")
    first = {source: load(day_one, fresh_database, source) for source in ("ats", "salary_surveys")}
    database = build / "generic-example" / "ats.sqlite"
    with sqlite3.connect(database) as conn:
        generated = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                     for t in ("candidates", "applications", "stages")}
    conn.close()
    assert first["ats"] == generated
    assert first["salary_surveys"] == {"responses": 14 * 240}  # January 2025 to February 2026
    assert {source: load(day_one, fresh_database, source) for source in ("ats", "salary_surveys")} == {
        "ats": {}, "salary_surveys": {}}
    open_before = dict(query(fresh_database, "select application_id, current_stage from raw_ats.applications "
                                             "where not is_closed"))
    day_two = make_settings(build, ELT_AS_OF="2026-04-01T12:00:00Z")
    second = {source: load(day_two, fresh_database, source) for source in ("ats", "salary_surveys")}
    assert second["salary_surveys"] == {"responses": 240}  # the March survey, published on April 1
    assert 0 < second["ats"]["applications"] < generated["applications"] // 10
    moved = query(fresh_database, "select application_id, current_stage from raw_ats.applications "
                                  "where application_id = any(%s)", (list(open_before),))
    assert any(open_before[application] != stage for application, stage in moved)  # merged, not added
    assert query(fresh_database, "select count(*) = count(distinct application_id) from raw_ats.applications") == [
        (True,)]
    # every application's candidate was loaded, also one created before the last run who applies only now
    assert query(fresh_database, "select count(*) from raw_ats.applications as a where not exists "
                                 "(select 1 from raw_ats.candidates as c where c.candidate_id = a.candidate_id)") == [
        (0,)]
    # deterministic: the same clock writes the same database
    copy = tmp_path / "again"
    prepare_ats(copy, datetime.fromisoformat("2026-04-01T12:00:00+00:00"))
    with sqlite3.connect(copy / "generic-example" / "ats.sqlite") as a, sqlite3.connect(database) as b:
        assert a.execute("select * from applications order by 1").fetchall() == b.execute(
            "select * from applications order by 1").fetchall()
    a.close()
    b.close()


def test_entries_of_the_configured_file_are_registered_sources(tmp_path):
    """ELT_GENERIC_SOURCES names the file; its entries are sources beside the built-in ones, and a bad
    entry stops every command with the entry and the field."""
    import subprocess
    import sys

    from orchestration.config import REPO_ROOT

    config = tmp_path / "mine.yml"
    config.write_text("sources:\n  - {name: ledger, kind: parquet, location: exports, domain: finance}\n")
    code = "from dlt_pipelines import registry; print(','.join(registry.names()), registry.get('ledger').domain)"
    env = {**os.environ, "ELT_GENERIC_SOURCES": str(config), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [",".join(sorted([*registry.names(), "ledger"])), "finance"]
    config.write_text("sources:\n  - {name: ledger, kind: xlsx, location: exports}\n")
    failed = subprocess.run([sys.executable, "-m", "orchestration", "health"], env=env, capture_output=True,
                            text=True, cwd=REPO_ROOT)
    assert failed.returncode != 0
    assert f"{config}: entry 'ledger': field kind: must be one of" in failed.stderr + failed.stdout


def test_health_checks_a_generic_source_location(tmp_path):
    from orchestration.ops.health import check_source

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("id\n1\n")
    config = tmp_path / "sources.yml"
    config.write_text("sources:\n  - {name: here, kind: csv, location: data}\n"
                      "  - {name: gone, kind: csv, location: nowhere/*.csv}\n"
                      "  - {name: nodb, kind: postgres, location: 'postgresql://u@127.0.0.1:1/x', tables: [t]}\n"
                      "  - {name: nofile, kind: sqlite, location: 'sqlite:///missing.sqlite', tables: [t]}\n")
    settings = make_settings(tmp_path / "build")
    with declared(config):
        here = check_source(settings, "here")
        assert (here.status, here.detail) == ("ok", "1 csv files match data")
        assert check_source(settings, "gone").status == "fail"
        assert check_source(settings, "nodb").status == "fail"
        assert check_source(settings, "nofile").status == "fail"
        assert not (tmp_path / "missing.sqlite").exists()  # the check created no empty database
