"""What the bench legs share: the sandbox clock, the warehouse queries they time."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import psycopg2

SPAN_DAYS = 90  # the sandbox's postings are spread over this many days before the bench's clock
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
BENCH_DB = "elt_bench"


def timed(url: str, statement: str) -> float:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("set jit = off")
        started = time.perf_counter()
        cur.execute(statement)
        seconds = time.perf_counter() - started
    conn.close()
    return seconds


def query_one(url: str, sql: str):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        value = cur.fetchone()[0]
    conn.close()
    return value


def rows_per_second(rows: int, seconds: dict[str, float], steps: tuple[str, ...]) -> float:
    spent = sum(seconds.get(step, 0.0) for step in steps)
    return rows / spent if spent else 0.0
