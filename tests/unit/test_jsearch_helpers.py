"""The JSearch source's pure functions, including the shapes seen in a real capture."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import orjson
import pytest

from dlt_pipelines.job_boards.records import payload_and_hash
from dlt_pipelines.jsearch.helpers import (
    Rejected,
    change_hash,
    check_item,
    date_window,
    posted_at_of,
    postings_table,
)
from dlt_pipelines.jsearch.settings import VOLATILE_FIELDS
from tests.conftest import SHARED

FETCHED = datetime(2026, 3, 10, 15, 30, tzinfo=timezone.utc)


def test_posting_time_prefers_timestamp_then_iso_then_relative_then_first_seen():
    assert posted_at_of({"job_posted_at_timestamp": 1748217600}, FETCHED) == (
        datetime(2025, 5, 26, tzinfo=timezone.utc), "timestamp")
    assert posted_at_of({"job_posted_at_datetime_utc": "2025-06-08T00:00:00.000Z"}, FETCHED) == (
        datetime(2025, 6, 8, tzinfo=timezone.utc), "datetime_utc")
    assert posted_at_of({"job_posted_at": "3 days ago"}, FETCHED) == (
        datetime(2026, 3, 7, tzinfo=timezone.utc), "relative")
    assert posted_at_of({"job_posted_at": "5 hours ago"}, FETCHED) == (
        datetime(2026, 3, 10, 10, tzinfo=timezone.utc), "relative")
    assert posted_at_of({"job_posted_at_timestamp": None}, FETCHED) == (
        datetime(2026, 3, 10, tzinfo=timezone.utc), "first_seen")


def test_garbage_posting_time_is_rejected_with_reason():
    with pytest.raises(Rejected, match="unparseable job_posted_at_timestamp 'yesterday-ish'"):
        posted_at_of({"job_posted_at_timestamp": "yesterday-ish"}, FETCHED)


@pytest.mark.parametrize(("item", "reason"), [
    ("just a string", "not a JSON object but str"),
    (None, "not a JSON object but NoneType"),
    ({"job_title": "x"}, "missing job_id"),
    ({"job_id": "  "}, "missing job_id"),
])
def test_items_that_are_not_postings_are_rejected(item, reason):
    with pytest.raises(Rejected, match=reason):
        check_item(item)


def test_real_capture_items_all_pass_and_get_a_time():
    path = SHARED / "data/api_samples/jsearch/search_page_a.json"
    if not path.exists():
        pytest.skip(f"real API capture not available at {path}")
    capture = json.loads(path.read_text())
    sources = [posted_at_of(check_item(item), FETCHED)[1] for item in capture["data"]]
    assert len(sources) == 10
    assert sources.count("timestamp") == 3 and sources.count("first_seen") == 7


def test_change_hash_ignores_relative_age_but_not_content():
    base = {"job_id": "a", "job_title": "Dev", "job_posted_at": "2 days ago"}
    assert change_hash(base) == change_hash({**base, "job_posted_at": "3 days ago"})
    assert change_hash(base) != change_hash({**base, "job_title": "Senior Dev"})


@pytest.mark.parametrize(("age", "window"), [
    (timedelta(hours=20), "today"), (timedelta(hours=30), "3days"), (timedelta(days=5), "week"),
    (timedelta(days=20), "month"), (timedelta(days=40), "all"),
])
def test_date_window_is_the_narrowest_that_covers(age, window):
    assert date_window(FETCHED - age, FETCHED) == window
    assert date_window(None, FETCHED) == "all"


def test_postings_table_keeps_the_item_untouched():
    item = {"job_id": "a", "nested": {"list": [1, 2]}, "text": "ünïcode"}
    table = postings_table([("a", FETCHED, "timestamp", "q", FETCHED, item)])
    assert table.num_rows == 1
    assert json.loads(table.column("payload")[0].as_py()) == item


@pytest.mark.parametrize("item", [
    {"job_id": "a", "job_posted_at": "2 days ago", "z": {"b": 1, "a": [1, {"y": 2, "x": None}]}},
    {"job_posted_at": "today", "job_id": "b"},  # the volatile field first
    {"job_id": "c", "zz": "last", "job_posted_at": None},
    {"job_posted_at": "only"},
    {"job_id": "d", "job_title": "no age at all"},
    {"job_id": "e", "job_posted_at": "1 day ago", "other": {"job_posted_at": "1 day ago"}},  # nested twin
    {"job_id": "f", "job_posted_at": "3 days ago", "text": "ünïcode \"job_posted_at\":\"3 days ago\""},
])
def test_one_serialisation_gives_the_payload_and_the_change_hash(item):
    payload, digest = payload_and_hash(item, VOLATILE_FIELDS)
    assert orjson.loads(payload) == item
    assert digest == change_hash(item)
