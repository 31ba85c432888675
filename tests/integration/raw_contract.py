"""Test helper: the raw contract of the job boards (raw_<board>.job_postings, _rejected, dlt's
_dlt_loads) created and filled directly, so the dbt models can be tested on exact items (the
captured API responses in ../shared, or constructed duplicates) without an HTTP source.

Rows are merged on job_id like the dlt sources do; a load is recorded complete (status 0) in
_dlt_loads after its rows, as dlt does."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

import psycopg2

from tests.conftest import SHARED

SAMPLES = SHARED / "data" / "api_samples"
BOARDS = ("jsearch", "remotive", "arbeitnow", "adzuna")
SAMPLE_FILES = {
    "jsearch": ("jsearch/search_page_a.json", "data"),
    "remotive": ("remotive/remote_jobs.json", "jobs"),
    "arbeitnow": ("arbeitnow/job_board_api_data.json", "data"),
    "adzuna": ("adzuna/search_us.json", "results"),
}

DDL = """
create schema if not exists {schema};
create table if not exists {schema}._dlt_loads (
    load_id varchar not null, schema_name varchar, status bigint not null,
    inserted_at timestamptz not null, schema_version_hash varchar);
create table if not exists {schema}.job_postings (
    job_id varchar not null unique, posted_at timestamptz not null, posted_at_source varchar,
    search_query varchar, search_country varchar, fetched_at timestamptz, payload jsonb,
    _dlt_load_id varchar not null, _dlt_id varchar not null unique);
create table if not exists {schema}.job_postings_rejected (
    rejected_at timestamptz, reason varchar, search_query varchar, raw_json varchar,
    _dlt_load_id varchar not null, _dlt_id varchar not null unique);
"""


def sample_items(board: str) -> list[dict]:
    path, key = SAMPLE_FILES[board]
    return json.loads((SAMPLES / path).read_text())[key]


def board_job_id(board: str, item: dict) -> str:
    return str(item[{"jsearch": "job_id", "remotive": "id", "arbeitnow": "slug", "adzuna": "id"}[board]])


def posted_at(board: str, item: dict) -> datetime | None:
    """The posting time the sources derive (what the contract's posted_at holds)."""
    if board == "jsearch":
        if item.get("job_posted_at_timestamp"):
            return datetime.fromtimestamp(float(item["job_posted_at_timestamp"]), tz=timezone.utc)
        if item.get("job_posted_at_datetime_utc"):
            return datetime.fromisoformat(item["job_posted_at_datetime_utc"].replace("Z", "+00:00"))
        return None  # the source falls back to the time it first saw the posting
    if board == "remotive":
        return datetime.fromisoformat(item["publication_date"]).replace(tzinfo=timezone.utc)
    if board == "arbeitnow":
        return datetime.fromtimestamp(item["created_at"], tz=timezone.utc)
    return datetime.fromisoformat(item["created"].replace("Z", "+00:00"))


def posted_at_source(board: str, item: dict) -> str:
    if board == "jsearch":
        return ("timestamp" if item.get("job_posted_at_timestamp")
                else "datetime_utc" if item.get("job_posted_at_datetime_utc") else "first_seen")
    return {"remotive": "publication_date", "arbeitnow": "created_at", "adzuna": "created"}[board]


def load(url: str, board: str, items: list[dict], load_id: str, *, fetched_at: datetime | None = None,
         search_country: str | None = None, rejected: list[tuple[str, str]] = ()) -> None:
    """One complete load of `items` (merged on job_id) and `rejected` (reason, raw json) into raw_<board>."""
    schema = f"raw_{board}"
    fetched_at = fetched_at or datetime.now(timezone.utc)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(DDL.format(schema=schema))
        for item in items:
            job_id = board_job_id(board, item)
            cur.execute(f"delete from {schema}.job_postings where job_id = %s", (job_id,))
            cur.execute(
                f"insert into {schema}.job_postings values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (job_id, posted_at(board, item) or fetched_at, posted_at_source(board, item), "data engineer",
                 search_country, fetched_at, json.dumps(item), load_id, uuid.uuid4().hex))
        for reason, raw in rejected:
            cur.execute(f"insert into {schema}.job_postings_rejected values (%s, %s, %s, %s, %s, %s)",
                        (fetched_at, reason, "data engineer", raw, load_id, uuid.uuid4().hex))
        cur.execute(f"insert into {schema}._dlt_loads values (%s, %s, 0, %s, 'fixture')",
                    (load_id, board, fetched_at))
    conn.close()


def load_samples(url: str, load_id: str, boards: tuple[str, ...] = BOARDS) -> dict[str, list[dict]]:
    """Every captured sample of `boards` as one load each; returns the items loaded per board."""
    loaded = {}
    for board in boards:
        items = sample_items(board)
        load(url, board, items, load_id, search_country="us" if board == "adzuna" else None)
        loaded[board] = items
    return loaded


def shared_path() -> Path:
    return SAMPLES


def md5_of(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()
