"""The GitHub source against its fake API, the github mount of the one sandbox server, over HTTP:
every profile, repo and language loaded; Link-header paging on the mount's base URL; a rerun
answered by 304s loads nothing (and costs no quota with a token); languages read again only for
repos that were pushed; the rate limit stops a run cleanly and the next resumes with the stalest
profiles; secondary limits, 5xx, timeouts retried; malformed repos rejected with the reason."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from dlt_pipelines.common.http import ApiAuthError
from dlt_pipelines.github import helpers, settings
from dlt_pipelines.github import sandbox as fake
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration import elt
from tests.conftest import _admin, make_settings, query

T1 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
MISSING = "nobody-at-all"
SEED = 7


@pytest.fixture
def warehouse(server_url):
    name = f"elt_test_github_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    _admin(server_url, f'drop database if exists "{name}" with (force)')


@contextlib.contextmanager
def serve(config: SandboxConfig, anonymous_limit: int):
    """The one sandbox server with the github mount alone; yields its fake API (`.url` its base URL)."""
    with start_sandbox(config, sources=["github"]) as handle:
        sandbox = handle.apis["github"]
        assert sandbox.url == handle.base_url("github")
        sandbox.anonymous_limit = anonymous_limit
        yield sandbox


def run(tmp_path, warehouse, sandbox, now: datetime, users=(*fake.LOGINS, MISSING), **env):
    sandbox.ctx.state.set_now(now)  # the server's clock, which every mount reads
    settings = make_settings(tmp_path / "build", GITHUB_BASE_URL=sandbox.url, GITHUB_USERS=",".join(users),
                             ELT_AS_OF=now.isoformat(), HTTP_BACKOFF_MAX_SECONDS="0.05", **env)
    [report] = elt.extract_load(settings, warehouse, ("github",))
    return report


def served_repos(config: SandboxConfig, now: datetime) -> dict[int, dict]:
    at = int(now.timestamp())
    return {repo.repo_id: fake.repo_item(config.seed, repo, at, "") for login in fake.LOGINS
            for repo in fake.repos_of(config.seed, login)}


def statuses(sandbox, since: int) -> list[int]:
    return [status for _, _, status in sandbox.requests[since:]]


def test_first_run_loads_everything_and_a_rerun_answers_304s_loading_nothing(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED)
    with serve(config, anonymous_limit=5000) as sandbox:
        first = run(tmp_path, warehouse, sandbox, T1)
        repos = served_repos(config, T1)
        own = {rid for rid, item in repos.items() if not item["fork"]}
        assert first.rows_by_table["users"] == len(fake.USERS)
        assert first.rows_by_table["repos"] == len(repos) == sum(user[4] for user in fake.USERS)
        assert first.rows_by_table["repo_languages"] == len(own)  # forks' languages are not read
        assert {rid for (rid,) in query(warehouse, "select repo_id from raw_github.repo_languages")} == own
        # the 130 repos of one profile came in two pages, following the Link header
        pages = [params.get("page") for path, params, _ in sandbox.requests if path == "/users/gus-polyglot/repos"]
        assert pages == [None, "2"]
        listings = query(warehouse, "select login, repos_listed, public_repos, is_complete "
                                    "from raw_github.repo_listings")
        assert {row[0] for row in listings} == set(fake.LOGINS)
        assert all(listed == public and complete for _, listed, public, complete in listings)
        flags = dict(query(warehouse, "select repo_id, is_fork::text || is_archived::text from raw_github.repos"))
        assert flags == {rid: f"{str(i['fork']).lower()}{str(i['archived']).lower()}" for rid, i in repos.items()}
        assert query(warehouse, "select reason from raw_github.records_rejected") == [
            ("no such GitHub user (HTTP 404)",)]
        bytes_of = dict(query(warehouse, "select full_name, languages from raw_github.repo_languages"))
        assert all(sum(v.values()) > 0 for v in bytes_of.values() if v)

    with serve(config, anonymous_limit=5000) as sandbox:  # restarted, on another port: the same ETags
        again = run(tmp_path, warehouse, sandbox, T1 + timedelta(minutes=30))
        assert again.rows == 0, again.rows_by_table
        assert set(statuses(sandbox, 0)) == {304, 404}  # every known URL answered Not Modified
        assert not [path for path, _, _ in sandbox.requests if path.endswith("/languages")]


def test_a_push_reads_again_only_the_languages_of_the_pushed_repos(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED)
    with serve(config, anonymous_limit=5000) as sandbox:
        run(tmp_path, warehouse, sandbox, T1)
        later = T1 + timedelta(days=3)
        before = len(sandbox.requests)
        report = run(tmp_path, warehouse, sandbox, later)
        old, new = served_repos(config, T1), served_repos(config, later)
        pushed = {rid for rid in new if new[rid]["pushed_at"] != old[rid]["pushed_at"]}
        assert pushed, "the sandbox pushes some repos every 3 days"
        read = {path for path, _, _ in sandbox.requests[before:] if path.endswith("/languages")}
        assert read == {f"/repos/{new[rid]['full_name']}/languages" for rid in pushed if not new[rid]["fork"]}
        assert report.rows_by_table["repos"] == len(pushed)
        owners = {new[rid]["owner"]["login"] for rid in pushed}
        assert report.rows_by_table["users"] == len(owners)  # their updated_at moved


def test_small_pages_follow_the_link_header_to_the_end(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED)
    with serve(config, anonymous_limit=5000) as sandbox:
        report = run(tmp_path, warehouse, sandbox, T1, users=("ada-data", "hana-new"), GITHUB_PER_PAGE="5")
        assert report.rows_by_table["repos"] == 12
        pages = [params for path, params, _ in sandbox.requests if path == "/users/ada-data/repos"]
        assert [p.get("page") for p in pages] == [None, "2", "3"] and all(p["per_page"] == "5" for p in pages)
        assert query(warehouse, "select login, repos_listed, is_complete from raw_github.repo_listings order by 1") == [
            ("ada-data", 12, True), ("hana-new", 0, True)]
        # the Link header names the mount's base URL (http://host:port/github), not the server's root
        links = requests.get(f"{sandbox.url}/users/ada-data/repos", params={"per_page": 5}, timeout=10).links
        assert links["next"]["url"] == f"{sandbox.url}/users/ada-data/repos?per_page=5&page=2"
        assert links["last"]["url"] == f"{sandbox.url}/users/ada-data/repos?per_page=5&page=3"


def test_the_rate_limit_stops_a_run_cleanly_and_the_next_resumes_with_the_stalest(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED)
    users = ("ada-data", "brook-frontend", "dario-backend", "emma-ops", "farah-mobile")
    with serve(config, anonymous_limit=25) as sandbox:  # no token: the anonymous limit
        first = run(tmp_path, warehouse, sandbox, T1, users=users)
        assert 0 < first.rows_by_table["users"] < len(users)
        assert sandbox.used() == 25 and 403 not in statuses(sandbox, 0)  # stopped at 0 left, not by a refusal
        refreshed_first = {login for (login,) in query(
            warehouse, "select login from raw_github.repo_listings where is_complete")}
        # within the same hour nothing is left: the run stops at once, loads nothing, fails nothing
        before = len(sandbox.requests)
        assert run(tmp_path, warehouse, sandbox, T1 + timedelta(minutes=10), users=users).rows == 0
        assert statuses(sandbox, before) == [403]
        # the next hour resumes with the profiles not refreshed yet
        before = len(sandbox.requests)
        run(tmp_path, warehouse, sandbox, T1 + timedelta(hours=1), users=users)
        first_asked = next(path for path, _, _ in sandbox.requests[before:] if path.count("/") == 2)
        assert first_asked.rsplit("/", 1)[1] not in refreshed_first
        for hour in range(2, 8):
            run(tmp_path, warehouse, sandbox, T1 + timedelta(hours=hour), users=users)
        complete = query(warehouse, "select login from raw_github.repo_listings where is_complete and "
                                    "repos_listed = public_repos")
        assert {login for (login,) in complete} == set(users)
        expected = sum(len(fake.repos_of(SEED, login)) for login in users)
        assert query(warehouse, "select count(*) from raw_github.repos") == [(expected,)]


def test_with_a_token_it_sends_a_bearer_and_its_304s_cost_nothing(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED)
    with serve(config, anonymous_limit=settings.ANONYMOUS_PER_HOUR) as sandbox:
        run(tmp_path, warehouse, sandbox, T1, users=("ada-data",), GITHUB_TOKEN="ghp_example_token")
        spent = sandbox.used()
        assert spent == 1 + 1 + sum(1 for r in fake.repos_of(SEED, "ada-data") if not r.is_fork)
        assert run(tmp_path, warehouse, sandbox, T1, users=("ada-data",), GITHUB_TOKEN="ghp_example_token").rows == 0
        assert sandbox.used() == spent  # authorised 304s are free
        with pytest.raises(Exception) as refused:
            run(tmp_path, warehouse, sandbox, T1, users=("ada-data",), GITHUB_TOKEN=fake.BAD_TOKEN)
        chain, problem = [], refused.value
        while problem is not None:
            chain.append(problem)
            problem = problem.__cause__ or problem.__context__
        assert any(isinstance(p, ApiAuthError) and "GITHUB_TOKEN" in str(p) for p in chain), chain


def test_faults_are_retried_and_malformed_repos_rejected_with_the_reason(tmp_path, warehouse):
    faults = FaultConfig(rate_limit=0.1, server_error=0.1, malformed=0.05, retry_after=0)
    config = SandboxConfig(seed=SEED, faults=faults)
    with serve(config, anonymous_limit=5000) as sandbox:
        report = run(tmp_path, warehouse, sandbox, T1, users=fake.LOGINS)
        causes = report.retries.by_cause
        assert causes["403"] + causes["429"] > 0 and causes["500"] + causes["502"] + causes["503"] > 0
        served = {rid: item for login in fake.LOGINS for rid, item in (
            (r.repo_id, fake.repo_item(SEED, r, int(T1.timestamp()), "")) for r in fake.repos_of(SEED, login))}
        broken = {rid for rid in served if fake.malformed_kind(faults, SEED, rid)}
        assert broken
        loaded = {rid for (rid,) in query(warehouse, "select repo_id from raw_github.repos")}
        # a repo broken by its timestamp keeps its id but is rejected too: loaded = the intact ones
        assert loaded == set(served) - broken
        reasons = [reason for (reason,) in query(warehouse, "select reason from raw_github.records_rejected")]
        assert len(reasons) == len(broken) and all(reason for reason in reasons)
        # paging completeness: a listing short of public_repos says why
        notes = dict(query(warehouse, "select login, note from raw_github.repo_listings "
                                      "where repos_listed <> public_repos"))
        owners = {served[rid]["owner"]["login"] for rid in broken}
        assert set(notes) == owners and all("repos rejected" in note for note in notes.values()), notes


def test_timeouts_are_retried(tmp_path, warehouse):
    config = SandboxConfig(seed=SEED, faults=FaultConfig(slow=0.2, slow_seconds=1.0))
    with serve(config, anonymous_limit=5000) as sandbox:
        report = run(tmp_path, warehouse, sandbox, T1, users=("ada-data", "dario-backend"),
                     HTTP_TIMEOUT_SECONDS="0.3")
        assert report.retries.by_cause["timeout"] > 0
        assert report.rows_by_table["repos"] == 12 + 7


def test_stalest_first_and_the_batch_size():
    refreshed = {"a": "2026-03-01T00:00:00+00:00", "b": "2026-02-01T00:00:00+00:00"}
    assert helpers.stalest_first(["a", "b", "c", "d"], refreshed, 3) == ["c", "d", "b"]
    assert helpers.endpoint_of("/repos/o/r/languages") == ("languages", ("o", "r"))
    assert helpers.endpoint_of("/users/x/repos?page=2") == ("repos", ("x",))


def test_profiles_are_stale_after_24_hours():
    from orchestration.ops.health import freshness_rules

    rules = {rule.relation: rule for rule in freshness_rules() if rule.relation.startswith("raw_github.")}
    assert set(rules) == {"raw_github.users"}  # repos and languages are read with their profile
    rule = rules["raw_github.users"]
    assert (rule.loaded_at_field, rule.warn_after, rule.error_after) == (
        "fetched_at", timedelta(hours=24), timedelta(hours=48))


def test_logins_come_from_the_variable_then_the_file(tmp_path):
    from dlt_pipelines.common.env import ConfigError
    from dlt_pipelines.github.config import GitHubConfig

    listed = tmp_path / "logins.txt"
    listed.write_text("# candidates\nada-data\nchen-ml  # ML\n\nbrook-frontend\n")
    config = GitHubConfig.from_env({"GITHUB_USERS": "brook-frontend, dario-backend", "GITHUB_USERS_FILE": str(listed)})
    assert config.users == ("brook-frontend", "dario-backend", "ada-data", "chen-ml")
    assert config.uses_sandbox() and not GitHubConfig.from_env({"GITHUB_TOKEN": "t"}).uses_sandbox()
    with pytest.raises(ConfigError, match="GITHUB_USERS: not GitHub logins: 'bad login'"):
        GitHubConfig.from_env({"GITHUB_USERS": "ok,bad login"})
    with pytest.raises(ConfigError, match="GITHUB_USERS_FILE"):
        GitHubConfig.from_env({"GITHUB_USERS_FILE": str(tmp_path / "missing.txt")})
    with pytest.raises(ConfigError, match="GITHUB_PER_PAGE must be at most 100"):
        GitHubConfig.from_env({"GITHUB_PER_PAGE": "101"})
