"""The HTTP contract: the sandbox answers like the real JSearch API, over real loopback HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from dlt_pipelines.job_boards.sandbox import catalogue
from dlt_pipelines.job_boards.sandbox.catalogue import expected_postings, new_postings_between, page_indices
from dlt_pipelines.sandbox.config import format_time, parse_time
from dlt_pipelines.sandbox.server import start_sandbox_process

from .helpers import NOW, SAMPLES, frozen_config, search, walk

REPO_ROOT = Path(__file__).resolve().parents[2]
# The capture has no posting with salary text; the real API sends a string there when it has one.
EXTRA_ITEM_TYPES = {"job_salary": {"str"}}


@pytest.fixture(scope="module")
def real_page() -> dict:
    path = SAMPLES / "search_page_a.json"
    if not path.exists():
        pytest.skip(f"real API capture not available at {path}")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def real_empty() -> dict:
    path = SAMPLES / "search_empty.json"
    if not path.exists():
        pytest.skip(f"real API capture not available at {path}")
    return json.loads(path.read_text())


def _type_names(values) -> set[str]:
    return {type(value).__name__ for value in values}


# --- shape ------------------------------------------------------------------------------------


def test_response_envelope_matches_the_real_api(http, shared_sandbox, real_page):
    body = search(http, shared_sandbox).json()
    assert list(body) == list(real_page)
    for key in real_page:
        assert type(body[key]) is type(real_page[key]), key
    assert body["status"] == "OK"
    assert set(real_page["parameters"]) <= set(body["parameters"])
    for key, value in real_page["parameters"].items():
        assert type(body["parameters"][key]) is type(value), key
    assert body["parameters"]["date_posted"] == "all"


def test_items_have_the_real_keys_and_types(http, shared_sandbox, real_page):
    real_items = real_page["data"]
    real_keys = set().union(*(item.keys() for item in real_items))
    allowed = {key: _type_names(item[key] for item in real_items if key in item) for key in real_keys}
    for key, extra in EXTRA_ITEM_TYPES.items():
        allowed[key] |= extra
    config = shared_sandbox.config
    indices = page_indices(config, NOW, 1, 20)
    items = search(http, shared_sandbox, num_pages=20).json()["data"]
    assert len(items) >= 200
    clean = [item for i, item in zip(indices, items, strict=True) if catalogue.dirty_kind(config, i) is None]
    seen_types: dict[str, set[str]] = {key: set() for key in real_keys}
    for item in clean:
        assert set(item) == real_keys
        for key, value in item.items():
            assert type(value).__name__ in allowed[key], (key, value)
            seen_types[key].add(type(value).__name__)
    # the variety is real: nullable fields do take both forms over 200 items
    for key in ("job_min_salary", "job_salary_period", "employer_logo", "job_benefits"):
        assert len(seen_types[key]) == 2, key


def test_nested_values_match_the_real_api(http, shared_sandbox, real_page):
    real_option_keys = {
        key for item in real_page["data"] for option in item["apply_options"] for key in option
    }
    real_highlight_keys = {key for item in real_page["data"] for key in item["job_highlights"]}
    items = search(http, shared_sandbox, num_pages=5).json()["data"]
    for item in items:
        for option in item["apply_options"]:
            assert set(option) == real_option_keys
            assert isinstance(option["is_direct"], bool) and isinstance(option["apply_link"], str)
        assert set(item["job_highlights"]) <= real_highlight_keys
        assert all(isinstance(t, str) for t in item["job_employment_types"])
    real_item = real_page["data"][0]
    item = items[0]
    id_shape = r"[A-Za-z0-9_-]{22}=="
    assert re.fullmatch(id_shape, real_item["job_id"]) and re.fullmatch(id_shape, item["job_id"])
    time_shape = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z"
    assert re.fullmatch(time_shape, real_item["job_posted_at_datetime_utc"])
    assert re.fullmatch(time_shape, item["job_posted_at_datetime_utc"])
    assert re.fullmatch(r"\d{8}", item["job_onet_soc"]) and re.fullmatch(r"\d{8}", real_item["job_onet_soc"])
    assert items[0]["job_posted_at"] == "1 minute ago"  # posted exactly at NOW
    assert all(re.fullmatch(r"\d+ (minute|hour|day)s? ago", i["job_posted_at"]) for i in items)


def test_past_the_end_is_an_empty_list_like_the_real_api(http, shared_sandbox, real_empty):
    body = search(http, shared_sandbox, page=500).json()
    assert list(body) == list(real_empty)
    assert body["data"] == [] and body["status"] == "OK"


def test_query_is_echoed_but_does_not_filter(http, shared_sandbox):
    one = search(http, shared_sandbox, query="nlp data scientist").json()
    other = search(http, shared_sandbox, query="berlin welder").json()
    assert one["parameters"]["query"] == "nlp data scientist"
    assert [i["job_id"] for i in one["data"]] == [i["job_id"] for i in other["data"]]
    assert one["request_id"] != other["request_id"]


def test_request_id_is_a_deterministic_uuid(http, shared_sandbox):
    first = search(http, shared_sandbox, page=2).json()["request_id"]
    again = search(http, shared_sandbox, page=2).json()["request_id"]
    assert first == again
    assert uuid.UUID(first).version == 4


def test_date_header_carries_the_simulated_clock(http, shared_sandbox):
    response = search(http, shared_sandbox)
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == parse_time(NOW)
    health = http.get(f"{shared_sandbox.url}/health", timeout=5)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert parsedate_to_datetime(health.headers["Date"]).timestamp() == parse_time(NOW)


# --- paging -------------------------------------------------------------------------------------


def test_pages_continue_each_other_and_only_repeat_deliberately(http, shared_sandbox):
    config = shared_sandbox.config
    expected = expected_postings(config, NOW)
    pages = [
        [i["job_id"] for i in search(http, shared_sandbox, page=page).json()["data"]]
        for page in range(1, expected.pages + 2)
    ]
    assert pages[-1] == []
    deliberate = {catalogue.job_id_for(config, i) for i in expected.page_duplicates}
    repeats = 0
    for previous, current in zip(pages, pages[1:], strict=False):
        overlap = set(previous) & set(current)
        if overlap:
            assert overlap == {previous[-1]} and current[0] == previous[-1]
            assert previous[-1] in deliberate
            assert len(current) == config.page_size + 1
            repeats += 1
    assert repeats == len(deliberate) > 0
    served = [job_id for page in pages for job_id in page]
    assert len(served) == expected.served_count
    assert list(dict.fromkeys(served)) == list(expected.job_ids)


def test_num_pages_concatenates_single_pages(http, shared_sandbox):
    single = [item for page in range(3, 7) for item in search(http, shared_sandbox, page=page).json()["data"]]
    multi = search(http, shared_sandbox, page=3, num_pages=4).json()
    assert multi["data"] == single
    assert multi["parameters"]["page"] == 3 and multi["parameters"]["num_pages"] == 4
    assert len(single) >= 40


def test_results_are_newest_first(http, shared_sandbox):
    items = walk(http, shared_sandbox, date_posted="week")
    stamps = [item["job_posted_at_timestamp"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] <= parse_time(NOW)


@pytest.mark.parametrize(
    ("date_posted", "hours", "count"),
    [("today", 24, 60), ("3days", 72, 180), ("week", 168, 420), ("month", 720, 1800), ("all", 720, 1800)],
)
def test_date_posted_windows(http, shared_sandbox, date_posted, hours, count):
    items = walk(http, shared_sandbox, date_posted=date_posted)
    ids = list(dict.fromkeys(item["job_id"] for item in items))
    assert len(ids) == count == expected_postings(shared_sandbox.config, NOW, date_posted).count
    now = parse_time(NOW)
    assert all(now - hours * 3600 < item["job_posted_at_timestamp"] <= now for item in items)


def test_filters_remote_and_employment_types(http, shared_sandbox):
    config = shared_sandbox.config
    remote = walk(http, shared_sandbox, date_posted="week", remote_jobs_only="true")
    assert remote and all(item["job_is_remote"] for item in remote)
    expected = expected_postings(config, NOW, "week", remote_jobs_only=True)
    assert list(dict.fromkeys(i["job_id"] for i in remote)) == list(expected.job_ids)
    assert 0.05 < expected.count / 420 < 0.3

    interns = walk(http, shared_sandbox, employment_types="INTERN,PARTTIME")
    assert interns and all({"INTERN", "PARTTIME"} & set(item["job_employment_types"]) for item in interns)
    expected = expected_postings(config, NOW, employment_types="INTERN,PARTTIME")
    assert len(set(i["job_id"] for i in interns)) == expected.count < 1800


def test_country_is_echoed_and_only_filters_when_enabled(http, shared_sandbox, make_sandbox):
    body = search(http, shared_sandbox, country="de", num_pages=5).json()
    assert body["parameters"]["country"] == "de"
    assert len({item["job_country"] for item in body["data"]}) > 2

    filtering = make_sandbox(country_filter=True)
    items = walk(http, filtering, country="de")
    assert items and {item["job_country"] for item in items} == {"DE"}
    expected = expected_postings(filtering.config, NOW, country="de")
    assert len(set(i["job_id"] for i in items)) == expected.count


# --- determinism and the clock --------------------------------------------------------------------


def test_two_servers_with_the_same_config_serve_identical_bytes(http, make_sandbox):
    first, second = make_sandbox(), make_sandbox()
    other_seed = make_sandbox(seed=7)
    for params in (
        {"page": 1},
        {"page": 4, "num_pages": 3, "date_posted": "week"},
        {"remote_jobs_only": "true"},
    ):
        a = search(http, first, **params)
        b = search(http, second, **params)
        assert a.status_code == 200 and a.content == b.content
    assert (
        search(http, other_seed).json()["data"][0]["job_id"]
        != search(http, first).json()["data"][0]["job_id"]
    )


def test_advancing_the_clock_reveals_exactly_the_new_postings(http, make_sandbox):
    sandbox = make_sandbox()
    config = sandbox.config
    before = {item["job_id"] for item in walk(http, sandbox, date_posted="today")}
    moved = http.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 4 * 3600}, timeout=5)
    assert moved.status_code == 200
    later = parse_time(NOW) + 4 * 3600
    assert moved.json()["now"] == format_time(later)
    after_items = walk(http, sandbox, date_posted="today")
    after = [item["job_id"] for item in after_items]
    new = [catalogue.job_id_for(config, i) for i in new_postings_between(config, NOW, later)]
    assert len(new) == 10  # one posting every 24 minutes
    assert set(after) - before == set(new)
    assert after[: len(new)] == new[::-1]  # newest first, at the top
    assert len(set(after)) == len(before)  # as many left the 24 h window as arrived
    date = search(http, sandbox).headers["Date"]
    assert parsedate_to_datetime(date).timestamp() == later


def test_setting_the_clock_to_an_instant(http, make_sandbox):
    sandbox = make_sandbox()
    target = "2026-02-01T00:00:00Z"
    assert http.post(f"{sandbox.url}/_sandbox/clock", json={"now": target}, timeout=5).status_code == 200
    items = walk(http, sandbox, date_posted="today")
    assert len(items) == expected_postings(sandbox.config, target, "today").count == 60
    assert max(item["job_posted_at_timestamp"] for item in items) <= parse_time(target)
    state = http.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["now"] == target and state["clock"] == "frozen"
    bad = http.post(f"{sandbox.url}/_sandbox/clock", json={"later": 1}, timeout=5)
    assert bad.status_code == 400


def test_a_running_clock_follows_real_time(http, make_sandbox):
    sandbox = make_sandbox(frozen_config().replace(now=None))
    moved = http.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 86400}, timeout=5).json()
    state = http.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["clock"] == "running"
    assert 0 <= parse_time(state["now"]) - moved["timestamp"] <= 5


# --- auth and validation ----------------------------------------------------------------------------


def test_auth_errors_look_like_rapidapi(http, shared_sandbox):
    forbidden = search(http, shared_sandbox, headers={"X-RapidAPI-Key": "bad-key"})
    assert forbidden.status_code == 403
    assert forbidden.json() == {"message": "You are not subscribed to this API."}
    exhausted = search(http, shared_sandbox, headers={"X-RapidAPI-Key": "exhausted-key"})
    assert exhausted.status_code == 429
    assert "Retry-After" not in exhausted.headers
    assert exhausted.json()["message"].startswith("You have exceeded the MONTHLY quota")
    assert search(http, shared_sandbox, headers={"X-RapidAPI-Key": "any-other-key"}).status_code == 200
    assert search(http, shared_sandbox).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": ""}, "query is required"),
        ({"query": "   "}, "query is required"),
        ({"page": "0"}, "page must be a positive integer"),
        ({"page": "two"}, "page must be a positive integer"),
        ({"num_pages": "21"}, "num_pages must be between 1 and 20"),
        ({"date_posted": "yesterday"}, "date_posted must be one of"),
        ({"employment_types": "FULLTIME,VOLUNTEER"}, "unknown employment type"),
        ({"remote_jobs_only": "maybe"}, "remote_jobs_only must be true or false"),
    ],
)
def test_bad_parameters_are_400_with_the_api_error_shape(http, shared_sandbox, params, message):
    response = search(http, shared_sandbox, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"status", "request_id", "error"} and body["status"] == "ERROR"
    assert body["error"]["code"] == 400 and body["error"]["message"].startswith(message)


def test_missing_query_is_400(http, shared_sandbox):
    response = http.get(f"{shared_sandbox.url}/jsearch/search", timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == {"message": "query is required", "code": 400}


def test_unknown_paths_are_404(http, shared_sandbox):
    assert http.get(f"{shared_sandbox.url}/search", timeout=5).status_code == 404  # every API is under /<source>
    assert http.get(f"{shared_sandbox.url}/jsearch/jsearch/search", timeout=5).status_code == 404
    assert http.get(f"{shared_sandbox.url}/nosuchsource/search", timeout=5).status_code == 404
    assert http.post(f"{shared_sandbox.url}/_sandbox/nothing", json={}, timeout=5).status_code == 404


def test_state_counts_search_requests_by_status(http, make_sandbox):
    sandbox = make_sandbox()
    search(http, sandbox)
    search(http, sandbox, query="")
    search(http, sandbox, headers={"X-RapidAPI-Key": "bad-key"})
    state = http.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["requests"] == {"total": 3, "by_status": {"200": 1, "400": 1, "403": 1}}
    assert state["config"]["seed"] == 42 and state["now"] == NOW
    reset = http.post(f"{sandbox.url}/_sandbox/reset", timeout=5).json()
    assert reset["requests"] == {"total": 0, "by_status": {}}


# --- processes ---------------------------------------------------------------------------------------


def test_cli_serves_from_a_subprocess(http, tmp_path):
    config = frozen_config(seed=9)
    with start_sandbox_process(config) as sandbox:
        response = http.get(f"{sandbox.url}/jsearch/search", params={"query": "x"}, timeout=10)
        assert response.status_code == 200
        local = expected_postings(config, NOW)
        assert [item["job_id"] for item in response.json()["data"]] == list(local.job_ids[:10])
    assert sandbox.process.poll() is not None


def test_cli_prints_the_url_and_writes_the_port_file(tmp_path):
    port_file = tmp_path / "port"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "SANDBOX_NOW": NOW}
    command = [
        sys.executable,
        "-m",
        "dlt_pipelines.sandbox",
        "serve",
        "--port",
        "0",
        "--port-file",
        str(port_file),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", line)
        deadline = time.monotonic() + 10
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert line.endswith(":" + port_file.read_text().strip())
        assert requests.get(f"{line}/health", timeout=5).json() == {"status": "ok"}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
