"""The sandbox's Remotive, Arbeitnow and Adzuna endpoints: the shape of the captured real responses
(../shared/data/api_samples), paging, parameters, errors, and the cross-board overlap truth."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
import requests

from dlt_pipelines.job_boards.sandbox import boards, catalogue
from dlt_pipelines.sandbox.config import parse_time
from tests.conftest import SHARED, needs_shared

from .helpers import NOW

SAMPLES = SHARED / "data" / "api_samples"
CAPTURES = {"remotive": ("remotive/remote_jobs.json", "jobs"),
            "arbeitnow": ("arbeitnow/job_board_api_data.json", "data"),
            "adzuna": ("adzuna/search_us.json", "results")}
PATHS = {"remotive": "/remotive/api/remote-jobs", "arbeitnow": "/arbeitnow/api/job-board-api",
         "adzuna": "/adzuna/v1/api/jobs/gb/search/1"}


def capture(board: str) -> dict[str, Any]:
    return json.loads((SAMPLES / CAPTURES[board][0]).read_text())


def key_types(items: list[dict[str, Any]]) -> tuple[set[str], set[str], dict[str, set[str]]]:
    """Keys in every item, keys in any item, JSON types seen per key (nested objects by their keys)."""
    every = set.intersection(*(set(i) for i in items))
    anywhere = set().union(*(set(i) for i in items))
    types: dict[str, set[str]] = {}
    for item in items:
        for key, value in item.items():
            kind = "object:" + ",".join(sorted(value)) if isinstance(value, dict) else type(value).__name__
            types.setdefault(key, set()).add(kind)
    return every, anywhere, types


def served(shared_sandbox, http, board: str, **params: Any) -> dict[str, Any]:
    response = http.get(shared_sandbox.url + PATHS[board], params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


@needs_shared("data", "api_samples")
@pytest.mark.parametrize("board", ["remotive", "arbeitnow", "adzuna"])
def test_items_have_the_keys_and_types_of_the_captured_responses(board, shared_sandbox, http):
    real = capture(board)
    params = {"results_per_page": 50} if board == "adzuna" else {}
    body = served(shared_sandbox, http, board, **params)
    key = CAPTURES[board][1]
    assert set(real) <= set(body)  # the capture's envelope keys (Arbeitnow's sample is a bare {"data": ...})
    if board != "arbeitnow":
        assert set(body) == set(real)
    real_every, real_any, real_types = key_types(real[key])
    ours_every, ours_any, ours_types = key_types(body[key])
    assert real_every <= ours_every and ours_any <= real_any
    for name in ours_any:
        assert ours_types[name] <= real_types[name], (name, ours_types[name], real_types[name])


def test_remotive_formats(shared_sandbox, http):
    jobs = served(shared_sandbox, http, "remotive")["jobs"]
    assert all(isinstance(j["id"], int) for j in jobs)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", j["publication_date"]) for j in jobs)  # no zone
    salaries = {j["salary"] for j in jobs}
    assert "" in salaries and "Competitive" in salaries
    assert any(re.fullmatch(r"\$\d+k - \$\d+k", s) for s in salaries)
    assert any(re.fullmatch(r"€[\d.]+ - €[\d.]+ per year", s) for s in salaries)
    assert any(s.endswith("/hour") for s in salaries)
    assert all(j["description"].startswith("<p>") for j in jobs)
    dates = [j["publication_date"] for j in jobs]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_remotive_parameters(shared_sandbox, http):
    everything = served(shared_sandbox, http, "remotive")
    data = served(shared_sandbox, http, "remotive", category="data")
    assert 0 < data["job-count"] < everything["job-count"] == everything["total-job-count"]
    assert {j["category"] for j in data["jobs"]} == {"Data"}
    assert served(shared_sandbox, http, "remotive", category="data", limit=3)["job-count"] == 3
    word = data["jobs"][0]["tags"][0]
    found = served(shared_sandbox, http, "remotive", search=word)["jobs"]
    assert found and all(word.lower() in " ".join([j["title"], j["company_name"], *j["tags"]]).lower()
                         for j in found)


def test_arbeitnow_pages_follow_links_next_to_every_posting(shared_sandbox, http):
    url = shared_sandbox.url + PATHS["arbeitnow"]
    slugs: list[str] = []
    pages = 0
    while url:
        body = http.get(url, timeout=10).json()
        slugs += [item["slug"] for item in body["data"]]
        assert body["meta"]["current_page"] == pages + 1 and body["meta"]["per_page"] == 100
        url = body["links"]["next"]
        pages += 1
    config = shared_sandbox.config
    assert len(slugs) == len(set(slugs)) == len(boards.visible_numbers(config, "arbeitnow", parse_time(NOW)))
    assert pages == -(-len(slugs) // 100)


def test_arbeitnow_formats(shared_sandbox, http):
    data = served(shared_sandbox, http, "arbeitnow")["data"]
    assert all(isinstance(item["created_at"], int) and isinstance(item["remote"], bool) for item in data)
    german = [item for item in data if "(m/w/d)" in item["title"]]
    assert german and any("Deine Aufgaben" in item["description"] for item in german)
    assert any("(m/w/d)" not in item["title"] for item in data)  # English postings too
    assert all(isinstance(item["tags"], list) and isinstance(item["job_types"], list) for item in data)


def test_adzuna_formats_and_parameters(shared_sandbox, http):
    body = served(shared_sandbox, http, "adzuna", results_per_page=50, sort_by="date")
    results = body["results"]
    assert len(results) == 50 and body["count"] > 50 and body["__CLASS__"].startswith("Adzuna::")
    assert all(isinstance(r["id"], str) and r["id"].isdigit() for r in results)
    assert all(r["created"].endswith("Z") for r in results)
    assert {r["salary_is_predicted"] for r in results} == {"0", "1"}
    assert any(r["description"].endswith("…") for r in results)
    assert {r["location"]["area"][0] for r in results} == {"UK"}
    assert all(r["company"]["__CLASS__"] == "Adzuna::API::Response::Company" for r in results)
    recent = served(shared_sandbox, http, "adzuna", results_per_page=50, max_days_old=1)
    assert 0 < recent["count"] < body["count"]
    page2 = http.get(shared_sandbox.url + "/adzuna/v1/api/jobs/gb/search/2", params={"results_per_page": 50},
                     timeout=10)
    assert not {r["id"] for r in page2.json()["results"]} & {r["id"] for r in results}


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/adzuna/v1/api/jobs/gb/search/1", {"results_per_page": 51}, 400),
    ("/adzuna/v1/api/jobs/fr/search/1", {}, 400),
    ("/adzuna/v1/api/jobs/gb/search/x", {}, 400),
    ("/adzuna/v1/api/jobs/gb/search/1", {"app_id": "bad-key", "app_key": "bad-key"}, 401),
    ("/adzuna/v1/api/jobs/gb/search/1", {"app_id": "exhausted-key", "app_key": "k"}, 429),
    ("/arbeitnow/api/job-board-api", {"page": 0}, 400),
    ("/remotive/api/remote-jobs", {"limit": "many"}, 400),
])
def test_bad_requests_get_clear_errors(shared_sandbox, http, path, params, status):
    response = http.get(shared_sandbox.url + path, params=params, timeout=10)
    assert response.status_code == status, response.text
    if status == 429:
        assert "Retry-After" not in response.headers and "quota" in response.text


def test_the_same_config_serves_the_same_postings(make_sandbox, http):
    first, second = make_sandbox(), make_sandbox()
    for board, path in PATHS.items():
        a = http.get(first.url + path, timeout=10).json()
        b = http.get(second.url + path, timeout=10).json()
        key = CAPTURES[board][1]
        ids = boards.ID_FIELD[board]
        assert [i[ids] for i in a[key]] == [i[ids] for i in b[key]]


def test_faults_per_endpoint(make_sandbox, http):
    sandbox = make_sandbox()
    reply = http.post(sandbox.url + "/_sandbox/faults", json={"endpoint": "remotive", "server_error": 1.0}, timeout=5)
    assert reply.status_code == 200 and reply.json()["endpoint_faults"]["remotive"]["server_error"] == 1.0
    assert http.get(sandbox.url + PATHS["remotive"], timeout=10).status_code in (500, 502, 503)
    assert http.get(sandbox.url + PATHS["arbeitnow"], timeout=10).status_code == 200
    assert http.get(sandbox.url + "/jsearch/search", params={"query": "x"}, timeout=10).status_code == 200
    counts = http.get(sandbox.url + "/_sandbox/state", timeout=5).json()["requests_by_endpoint"]
    assert set(counts) == {"remotive", "arbeitnow", "jsearch"}


def test_item_faults_break_board_records(make_sandbox, http):
    sandbox = make_sandbox()
    http.post(sandbox.url + "/_sandbox/faults", json={"endpoint": "adzuna", "malformed": 0.5, "drift": 0.5},
              timeout=5)
    results = http.get(sandbox.url + PATHS["adzuna"], params={"results_per_page": 50}, timeout=10).json()["results"]
    kinds = Counter("not object" if not isinstance(r, dict) else "no id" if "id" not in r
                    else "bad time" if r.get("created") in ("yesterday-ish", None)
                    else "drift" if "salary_currency" in r or isinstance(r.get("salary_min"), str) else "clean"
                    for r in results)
    assert {"not object", "no id", "bad time", "drift", "clean"} <= set(kinds), kinds


# --- the overlap between boards and its ground truth -------------------------------------------------


@pytest.fixture(scope="module")
def truth(shared_sandbox):
    return requests.get(shared_sandbox.url + "/_sandbox/truth", timeout=30).json()


def test_a_share_of_each_board_is_the_same_job_as_elsewhere(truth):
    in_groups = Counter(p["board"] for g in truth["same_job_groups"] for p in g["postings"])
    for board, total in truth["postings_by_board"].items():
        assert 0.08 <= in_groups[board] / total <= 0.2, (board, in_groups[board], total)
    spread = Counter(len({p["board"] for p in g["postings"]}) for g in truth["same_job_groups"])
    assert spread[2] > 0 and spread[3] > 0  # jobs on two and on three boards (and all on JSearch)
    near = Counter(n["kind"] for n in truth["near_misses"])
    assert near["near_title"] > 0 and near["near_company"] > 0
    grouped = {(p["board"], p["job_id"]) for g in truth["same_job_groups"] for p in g["postings"]}
    assert not grouped & {(n["board"], n["job_id"]) for n in truth["near_misses"]}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def test_same_job_postings_share_the_facts_in_board_formatting(shared_sandbox, truth):
    """Company variants of one name, same city, posted 0-3 days after the JSearch posting."""
    config = shared_sandbox.config
    now = parse_time(NOW)
    by_id = {}
    for board in boards.BOARDS:
        for post in boards.postings(config, board, now):
            by_id[(board, boards.job_id_of(post))] = post
    jsearch_index = {catalogue.job_id_for(config, i): i for i in catalogue.visible_range(config, now)}
    formatted = set()
    checked = 0
    for group in truth["same_job_groups"]:
        posts = [by_id[(p["board"], p["job_id"])] for p in group["postings"]]
        base = _norm(posts[0].content.employer.base_name)
        companies = {boards._company(p) for p in posts}
        assert all(_norm(c).startswith(base) for c in companies)
        assert len({p.content.city.name for p in posts}) == 1
        formatted |= companies
        index = jsearch_index.get(group["jsearch_job_id"])
        if index is not None:
            jsearch_time = catalogue.posted_at(config, index)
            assert all(0 <= p.posted - jsearch_time <= 3 * 86400 for p in posts)
            checked += 1
    assert checked > 10
    assert any(c.isupper() for c in formatted) and any(c.islower() for c in formatted)
