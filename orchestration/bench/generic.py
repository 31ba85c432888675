"""`make bench`'s generic-source leg: BENCH_GENERIC_ROWS rows (default 1,000,000) from CSV, from
Parquet, from SQLite and Postgres -> Postgres, each through a generic source entry as a user would
declare it (dlt_pipelines/generic), into raw tables of a fresh database `elt_bench_generic`:
a full load, a no-op rerun, then a 1% delta (a new file; rows with a newer cursor). Each leg's
rows/s, end to end (extract, normalize, load), is printed beside dlt's default settings for the
same data in the same run (filesystem + `read_parquet` as python rows, `sql_database` with its
sqlalchemy backend, dlt's default insert statements; dlt's `read_csv` needs pandas and is reported
as unavailable without it).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import dlt
import psycopg2
import pyarrow as pa
import pyarrow.compute as pc

from dlt_pipelines import registry
from dlt_pipelines.generic.config import Entry, TableSpec
from dlt_pipelines.generic.spec import spec_for
from orchestration import warehouse
from orchestration.config import Settings
from orchestration.extract_load import run_source, warehouse_destination

BENCH_DB = "elt_bench_generic"
FILES = 10
T0 = datetime(2026, 1, 1)
KINDS = ("csv", "parquet", "sqlite", "postgres")


def rows_table(first: int, count: int, at: datetime) -> pa.Table:
    """`count` rows of an orders-like table from id `first`, updated from `at` on."""
    ids = pa.array(range(first, first + count), pa.int64())
    return pa.table({
        "order_id": ids,
        "customer": pc.binary_join_element_wise("customer ", pc.cast(pc.divide(ids, 97), pa.string()), ""),
        "category": pc.binary_join_element_wise("category ", pc.cast(pc.bit_wise_and(ids, 7), pa.string()), ""),
        "amount": pc.divide(pc.cast(pc.bit_wise_and(ids, 4095), pa.float64()), 10.0),
        # one row a millisecond from `at`: a cursor with distinct values, as a real table's
        "updated_at": pc.cast(pc.add(pc.multiply(pc.subtract(ids, first), 1000), int(at.timestamp() * 1_000_000)),
                              pa.timestamp("us")),
    })


def write_files(folder: Path, kind: str, table: pa.Table, name: str) -> None:
    from pyarrow import csv, parquet

    folder.mkdir(parents=True, exist_ok=True)
    (csv.write_csv if kind == "csv" else parquet.write_table)(table, folder / f"{name}.{kind}")


def write_sqlite(path: Path, table: pa.Table, create: bool) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        if create:
            conn.execute("create table orders (order_id integer primary key, customer text, category text, "
                         "amount real, updated_at datetime not null)")
        stamps = [t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in table["updated_at"].to_pylist()]
        conn.executemany("insert into orders values (?, ?, ?, ?, ?)", zip(
            table["order_id"].to_pylist(), table["customer"].to_pylist(), table["category"].to_pylist(),
            table["amount"].to_pylist(), stamps, strict=True))


def write_postgres(url: str, first: int, count: int, at: datetime, create: bool) -> None:
    with contextlib.closing(psycopg2.connect(url)) as conn, conn, conn.cursor() as cur:
        if create:
            cur.execute("create table orders (order_id bigint primary key, customer text, category text, "
                        "amount double precision, updated_at timestamp not null)")
        cur.execute("insert into orders select n, 'customer ' || (n / 97), 'category ' || (n & 7), (n & 4095) / 10.0, "
                    "%s + (n - %s) * interval '1 millisecond' from generate_series(%s, %s) n",
                    (at, first, first, first + count - 1))


def prepare(kind: str, root: Path, source_url: str, rows: int) -> str:
    """The data of one leg, and the location its entry reads."""
    if kind in ("csv", "parquet"):
        folder = root / kind
        per_file = rows // FILES
        for n in range(FILES):
            write_files(folder, kind, rows_table(n * per_file, per_file, T0), f"orders_{n:02d}")
        return str(folder)
    if kind == "sqlite":
        path = root / "orders.sqlite"
        path.unlink(missing_ok=True)
        write_sqlite(path, rows_table(0, rows, T0), create=True)
        return f"sqlite:///{path}"
    write_postgres(source_url, 0, rows, T0, create=True)
    return source_url


def add_delta(kind: str, root: Path, source_url: str, rows: int, delta: int) -> None:
    at = T0 + timedelta(days=1)
    if kind in ("csv", "parquet"):
        write_files(root / kind, kind, rows_table(rows, delta, at), "orders_delta")
    elif kind == "sqlite":
        write_sqlite(root / "orders.sqlite", rows_table(rows, delta, at), create=False)
    else:
        write_postgres(source_url, rows, delta, at, create=False)


def entry(kind: str, location: str) -> Entry:
    database = kind in ("sqlite", "postgres")
    return Entry(name=f"bench_{kind}", kind=kind, location=location, domain="bench",
                 tables=(TableSpec("orders", ("order_id",), "updated_at" if database else None, "append"),),
                 origin="make bench",
                 # Postgres through connectorx: it reads straight into Arrow, about twice pyarrow's extract rate
                 backend="connectorx" if kind == "postgres" else "pyarrow")


def dlt_default(kind: str, location: str, url: str, build: Path) -> tuple[int, float] | str:
    """The same data through dlt's defaults: rows loaded and seconds, or why it cannot run."""
    if kind == "csv":
        try:
            import pandas  # noqa: F401
        except ImportError:
            return "dlt's read_csv needs pandas, which is not installed"
    pipeline = dlt.pipeline(pipeline_name=f"bench_default_{kind}", pipelines_dir=str(build / "dlt-default"),
                            destination=warehouse_destination(url),
                            dataset_name=f"raw_bench_default_{kind}")
    if kind in ("csv", "parquet"):
        from dlt.sources.filesystem import filesystem, read_csv, read_parquet

        reader = read_csv() if kind == "csv" else read_parquet()
        data = (filesystem(bucket_url=location, file_glob=f"*.{kind}") | reader).with_name("orders")
    else:
        from dlt.sources.sql_database import sql_database

        data = sql_database(credentials=location.replace("postgresql://", "postgresql+psycopg2://"),
                            table_names=["orders"])
    started = time.perf_counter()
    info = pipeline.run(data)
    seconds = time.perf_counter() - started
    counts = pipeline.last_trace.last_normalize_info.row_counts if info else {}
    return int(counts.get("orders", 0)), seconds


def run(base: Settings, rows: int | None = None, database: str = BENCH_DB) -> list[dict]:
    """Every leg into a fresh database `database` (the Postgres leg reads `<database>_src`); one
    printed line each, and the results."""
    rows = rows or int(os.environ.get("BENCH_GENERIC_ROWS", "1000000"))
    delta = max(1, rows // 100)
    root = base.build_dir / "bench" / "generic"
    url = warehouse.recreate_database(base, database)
    source_url = warehouse.recreate_database(base, f"{database}_src")
    settings = Settings.from_env({**base.env, "ELT_BUILD_DIR": str(root / "build")})
    results = []
    for kind in KINDS:
        location = prepare(kind, root / "data", source_url, rows)
        result: dict = {"kind": kind, "rows": rows}
        with registry.registered(spec_for(entry(kind, location))) as spec:
            for label in ("full", "no-op rerun", "delta 1%"):
                if label == "delta 1%":
                    add_delta(kind, root / "data", source_url, rows, delta)
                report = run_source(settings, url, spec.name, location)
                seconds = sum(report.seconds_by_step.values())
                result[label] = {"rows": report.rows, "seconds": seconds, "rows_per_second": report.rows / seconds}
        default = dlt_default(kind, location, url, root)
        result["dlt default"] = default if isinstance(default, str) else {
            "rows": default[0], "seconds": default[1], "rows_per_second": default[0] / default[1]}
        results.append(result)
        print(line(result), flush=True)
    return results


def line(result: dict) -> str:
    full, rerun, delta, default = (result[k] for k in ("full", "no-op rerun", "delta 1%", "dlt default"))
    beside = default if isinstance(default, str) else (
        f"dlt defaults {default['rows_per_second']:,.0f} rows/s ({default['rows']} rows, {default['seconds']:.1f}s)")
    return (f"generic {result['kind']:>8}: {full['rows_per_second']:,.0f} rows/s ({full['rows']} rows, "
            f"{full['seconds']:.1f}s) | rerun {rerun['rows']} rows {rerun['seconds']:.1f}s | delta {delta['rows']} "
            f"rows {delta['seconds']:.1f}s | {beside}")
