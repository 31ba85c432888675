"""Pure functions of the Remotive, Arbeitnow and Adzuna sources and of the shared incremental tracker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dlt_pipelines.adzuna.helpers import check_item as adzuna_check
from dlt_pipelines.adzuna.helpers import country_of, max_days_old, with_page
from dlt_pipelines.arbeitnow.helpers import all_older_than
from dlt_pipelines.arbeitnow.helpers import check_item as arbeitnow_check
from dlt_pipelines.job_boards.incremental import PostingTracker
from dlt_pipelines.job_boards.records import Rejected, postings_table
from dlt_pipelines.remotive.helpers import calls_in_window
from dlt_pipelines.remotive.helpers import check_item as remotive_check

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def test_remotive_time_without_zone_is_utc_and_ids_become_text():
    job_id, posted, source = remotive_check({"id": 2091081, "publication_date": "2026-07-28T14:23:05"}, NOW)
    assert (job_id, posted, source) == ("2091081", datetime(2026, 7, 28, 14, 23, 5, tzinfo=timezone.utc),
                                        "publication_date")


def test_arbeitnow_epoch_as_number_or_string():
    assert arbeitnow_check({"slug": "a-b-1", "created_at": 1770835328}, NOW)[1] == \
        arbeitnow_check({"slug": "a-b-1", "created_at": "1770835328"}, NOW)[1] == \
        datetime.fromtimestamp(1770835328, tz=timezone.utc)


@pytest.mark.parametrize(("check", "item", "reason"), [
    (remotive_check, ["not", "a", "dict"], "item is not a JSON object but list"),
    (remotive_check, {"id": None}, "missing id"),
    (remotive_check, {"id": True}, "missing id"),
    (remotive_check, {"id": 1, "publication_date": "soon"}, "unparseable publication_date 'soon'"),
    (arbeitnow_check, {"slug": "  "}, "missing slug"),
    (arbeitnow_check, {"slug": "x", "created_at": "yesterday"}, "unparseable created_at 'yesterday'"),
    (adzuna_check, {"id": {"nested": 1}}, "id is not a string or a number but dict"),
    (adzuna_check, {"id": "1", "created": "2025-13-45"}, "unparseable created '2025-13-45'"),
])
def test_hard_validation(check, item, reason):
    with pytest.raises(Rejected, match=f"^{reason}$"):
        check(item, NOW)


def test_a_missing_time_falls_back_to_the_day_first_seen():
    assert adzuna_check({"id": "5"}, NOW)[1:] == (datetime(2026, 3, 1, tzinfo=timezone.utc), "first_seen")


def test_remotive_calls_count_only_in_the_trailing_24_hours():
    calls = [(NOW - timedelta(hours=h)).isoformat() for h in (30, 23, 1)]
    assert calls_in_window(calls, NOW) == calls[1:]


def test_adzuna_days_back_and_page_in_path():
    assert max_days_old(None, NOW, timedelta(hours=24), 30) == 30
    assert max_days_old(NOW - timedelta(hours=2), NOW, timedelta(hours=24), 30) == 2
    assert max_days_old(NOW - timedelta(days=90), NOW, timedelta(hours=24), 30) == 30
    assert with_page("http://h/v1/api/jobs/us/search/1?what=x&page=1", 7) == "http://h/v1/api/jobs/us/search/7?what=x&page=1"


def test_arbeitnow_stops_only_on_a_page_entirely_before_the_horizon():
    old, new = int((NOW - timedelta(days=40)).timestamp()), int(NOW.timestamp())
    horizon = NOW - timedelta(days=35)
    assert all_older_than([{"created_at": old}, {"created_at": old}], horizon)
    assert not all_older_than([{"created_at": old}, {"created_at": new}], horizon)
    assert not all_older_than([{"created_at": old}], None)


def test_tracker_loads_new_and_changed_and_forgets_beyond_retention():
    state: dict = {}
    tracker = PostingTracker(state, timedelta(days=10), NOW)
    assert tracker.admit("a", NOW - timedelta(days=1), "created", "h1") is not None
    assert tracker.admit("a", NOW - timedelta(days=1), "created", "h1") is None  # twice in one run
    assert tracker.admit("old", NOW - timedelta(days=20), "created", "h0") is not None  # first run: everything
    tracker.finish("test")
    assert set(state["recent"]) == {"a"}  # "old" is beyond the retention of the newest posting
    again = PostingTracker(state, timedelta(days=10), NOW)
    assert again.admit("a", NOW - timedelta(days=1), "created", "h1") is None
    assert again.admit("a", NOW - timedelta(days=1), "created", "h2") is not None  # changed
    assert again.admit("old", NOW - timedelta(days=20), "created", "h0") is None  # loaded before, forgotten
    backfill = PostingTracker(state, timedelta(days=10), NOW, backfill=True)
    assert backfill.admit("older", NOW - timedelta(days=50), "created", "h") is not None


def test_postings_table_of_the_new_boards_has_the_contract_columns():
    table = postings_table([("1", NOW, "created", "q", NOW, {"id": "1"}, "us")], with_country=True)
    assert table.column_names == ["job_id", "posted_at", "posted_at_source", "search_query", "search_country",
                                  "fetched_at", "payload", "_dlt_id"]
    assert table.column("payload").to_pylist() == ['{"id":"1"}']


@pytest.mark.parametrize(("name", "country"), [("search_us.json", "us"), ("gb/page-2.json", "gb"),
                                               ("capture/p1.json", None), ("de_search_3.json", "de")])
def test_adzuna_country_from_the_capture_name(tmp_path, name, country):
    assert country_of(tmp_path / name) == country
