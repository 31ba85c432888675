"""Replaying the shared GitHub captures (PyGithub's recorded HTTP and octokit's fixtures) through
the GitHub source: users, repo pages, a single repo and a repo's languages are loaded as served;
304s are not loaded; every other interaction (writes, other endpoints, a 403) is rejected with the
reason, once; replaying again loads nothing."""

from __future__ import annotations

import uuid

import orjson
import pytest

from dlt_pipelines.github import helpers, interactions_of
from orchestration.extract_load import replay_source
from tests.conftest import SHARED, _admin, make_settings, needs_shared, query

SAMPLES = SHARED / "data" / "api_samples" / "github"
pytestmark = needs_shared("data", "api_samples", "github")


@pytest.fixture
def warehouse(server_url):
    name = f"elt_test_github_replay_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def recorded() -> list[dict]:
    found = []
    for path in sorted(SAMPLES.glob("*.json")):
        found.extend(interactions_of(orjson.loads(path.read_bytes())))
    return found


def test_the_captures_replay_with_every_interaction_accounted_for(tmp_path, warehouse):
    settings = make_settings(tmp_path / "build")
    report = replay_source(settings, warehouse, "github", SAMPLES)
    interactions = recorded()
    loadable = [i for i in interactions if str(i.get("method")).upper() == "GET" and i.get("status") == 200
                and helpers.endpoint_of(i.get("url") or i.get("path"))[0] != "other"]
    not_modified = [i for i in interactions if i.get("status") == 304]
    assert not_modified  # ConditionalRequestUpdate.testDidNotUpdate
    rejected = len(interactions) - len(loadable) - len(not_modified)
    assert report.rows_by_table["records_rejected"] == rejected > 0

    users = dict(query(warehouse, "select login, public_repos from raw_github.users"))
    assert users == {"nvie": 61, "jacquev6": 16}
    [repo_page] = [i for i in loadable if (i.get("url") or "").endswith("/users/jacquev6/repos")]
    single = [i for i in loadable if helpers.endpoint_of(i.get("url") or i.get("path"))[0] == "repo"]
    expected_repos = {item["id"] for item in repo_page["body"]} | {i["response"]["id"] for i in single}
    assert {rid for (rid,) in query(warehouse, "select repo_id from raw_github.repos")} == expected_repos
    assert query(warehouse, "select full_name, languages, total_bytes from raw_github.repo_languages") == [
        ("PyGithub/PyGithub", {"Shell": 673, "Python": 127266}, 673 + 127266)]
    reasons = dict(query(warehouse, "select endpoint, reason from raw_github.records_rejected"))
    assert reasons["GET /rate_limit"] == "not a GitHub user, repos or languages response"
    assert reasons["GET /users/jacquev6"].startswith("GET 403")  # the rate-limited answer is not a profile

    again = replay_source(settings, warehouse, "github", SAMPLES)
    assert again.rows == 0, again.rows_by_table
