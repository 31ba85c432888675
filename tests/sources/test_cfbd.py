"""The CFBD source against its sandbox over HTTP: the first run loads whole seasons, a rerun loads
nothing, a finished season is called once and the current season only for its recent weeks and
the postseason; calls are planned within CFBD_MAX_CALLS_PER_RUN with what was skipped kept in the
state; the month's quota counts down from X-CallLimit-Remaining and an exhausted quota stops the
calls without failing the run; faults are retried; malformed items are rejected with a reason; a
v1 (snake_case) capture is refused."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
import requests

from dlt_pipelines import registry
from dlt_pipelines.cfbd import league
from dlt_pipelines.cfbd import sandbox as fake
from dlt_pipelines.common.env import ConfigError
from dlt_pipelines.common.replay import ReplayError
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.server import SandboxHandle, start_sandbox
from orchestration import elt
from orchestration.extract_load import pipeline_for, replay_source
from tests.conftest import _admin, make_settings, query

T1 = datetime(2026, 10, 20, 12, tzinfo=timezone.utc)  # week 8 of the 2026 season; 2025 is finished
SEASONS = "2025-2026"


@pytest.fixture
def warehouse(server_url):
    name = f"elt_test_cfbd_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def serve(config: SandboxConfig) -> SandboxHandle:
    """The shared sandbox server with only CFBD's fake API mounted."""
    return start_sandbox(config, sources=["cfbd"])


def settings_for(tmp_path, handle: SandboxHandle, now: datetime, **env):
    handle.state.set_now(now)  # the server's one clock
    return make_settings(tmp_path / "build", CFBD_BASE_URL=handle.base_url("cfbd"), CFBD_RATE_LIMIT_PER_MIN="0",
                         ELT_AS_OF=now.isoformat(), HTTP_BACKOFF_MAX_SECONDS="0.05",
                         CFBD_SEASONS=env.pop("CFBD_SEASONS", SEASONS), **env)


def run(tmp_path, warehouse, handle: SandboxHandle, now: datetime, **env):
    settings = settings_for(tmp_path, handle, now, **env)
    [report] = elt.extract_load(settings, warehouse, ("cfbd",))
    return report, pipeline_for(settings, warehouse, "cfbd").state["sources"]["cfbd"]


def served_games(config: SandboxConfig, season: int, now: datetime) -> dict[int, dict]:
    every = league.season_games(config.seed, season)
    return {g.id: fake.game_item(g, now) for g in every if league.announced(g, every) <= now}


def loaded_games(warehouse) -> dict[int, dict]:
    return {game_id: payload for game_id, payload in query(warehouse, "select game_id, payload from raw_cfbd.games")}


def calls(sandbox, since: int = 0) -> list[tuple[str, dict[str, str]]]:
    return sandbox.requests[since:]


def test_first_run_loads_whole_seasons_and_a_rerun_loads_nothing(tmp_path, warehouse):
    config = SandboxConfig(seed=3)
    with serve(config) as handle:
        sandbox = handle.apis["cfbd"]
        first, state = run(tmp_path, warehouse, handle, T1)
        expected = {**served_games(config, 2025, T1), **served_games(config, 2026, T1)}
        assert loaded_games(warehouse) == expected and first.rows_by_table["games"] == len(expected)
        unplayed = [g for g in expected.values() if not g["completed"]]
        assert unplayed and all(g["homePoints"] is None for g in unplayed)  # the future weeks are kept
        assert first.rows_by_table["fbs_teams"] == 2 * len(league.FBS)
        assert first.rows_by_table["teams"] == len(league.TEAMS)
        assert first.rows_by_table["conferences"] == len(league.CONFERENCES)
        assert first.rows_by_table["box_scores"] == sum(g["completed"] for g in expected.values())
        assert state["last_run"]["skipped"] == [] and state["seasons"]["2025"]["done"] is True
        assert state["quota"]["remaining"] == fake.FREE_TIER - len(sandbox.requests)

        made = len(sandbox.requests)
        again, state = run(tmp_path, warehouse, handle, T1)
        assert again.rows == 0, again.rows_by_table
        rerun = calls(sandbox, made)
        assert rerun and all(params.get("year") == "2026" for _, params in rerun)  # 2025 is not called again
        games = [params for path, params in rerun if path == "/games"]
        assert {p.get("week") for p in games if p["seasonType"] == "regular"} == {"7", "8", "9"}
        assert [p for p in games if p["seasonType"] == "postseason"] == [
            {"year": "2026", "seasonType": "postseason", "classification": "fbs"}]  # no week filter
        assert state["quota"]["remaining"] == fake.FREE_TIER - len(sandbox.requests)


def test_a_week_later_only_the_recent_weeks_change(tmp_path, warehouse):
    config = SandboxConfig(seed=3)
    later = T1 + timedelta(days=7)
    with serve(config) as handle:
        run(tmp_path, warehouse, handle, T1)
        before = loaded_games(warehouse)
        report, _ = run(tmp_path, warehouse, handle, later)
    now_served = served_games(config, 2026, later)
    changed = {i for i, g in now_served.items() if before.get(i) != g}
    assert changed and report.rows_by_table["games"] == len(changed)
    assert {now_served[i]["week"] for i in changed} == {9}  # the week played since
    assert {i: g for i, g in loaded_games(warehouse).items() if i in now_served} == now_served


def test_calls_are_planned_within_the_budget_and_the_rest_is_skipped_and_resumed(tmp_path, warehouse):
    with serve(SandboxConfig()) as handle:
        sandbox = handle.apis["cfbd"]
        report, state = run(tmp_path, warehouse, handle, T1, CFBD_MAX_CALLS_PER_RUN="3")
        assert len(sandbox.requests) == 3
        assert [p for p, _ in sandbox.requests] == ["/games"] * 3  # games first, the current season first
        skipped = state["last_run"]["skipped"]
        assert skipped and all("over the run's budget of 3 calls" in s for s in skipped)
        assert any(s.startswith("/games?year=2025&seasonType=postseason") for s in skipped)
        assert not state["seasons"].get("2025", {}).get("done")  # cut short: loaded again next time
        assert report.rows_by_table["games"] > 0 and "teams" not in report.rows_by_table

        run(tmp_path, warehouse, handle, T1, CFBD_MAX_CALLS_PER_RUN="100")
        _, state = run(tmp_path, warehouse, handle, T1, CFBD_MAX_CALLS_PER_RUN="100")
    assert state["seasons"]["2025"]["done"] is True
    assert query(warehouse, "select count(distinct season) from raw_cfbd.games") == [(2,)]


def test_the_quota_counts_down_and_an_exhausted_quota_stops_the_calls(tmp_path, warehouse):
    with serve(SandboxConfig(cfbd_quota=6)) as handle:
        sandbox = handle.apis["cfbd"]
        report, state = run(tmp_path, warehouse, handle, T1)
        assert len(sandbox.requests) == 7  # six answered, the seventh refused with 429
        assert sandbox.answer("/conferences", {})[:3:2] == (429, {"message": "Monthly call quota exceeded"})
        assert state["quota"]["remaining"] == 0 and state["last_run"]["quota_remaining"] == 0
        assert any("quota is used up (HTTP 429)" in s for s in state["last_run"]["skipped"])
        assert report.rows_by_table["games"] > 0  # what was fetched is loaded

        made = len(sandbox.requests)
        _, state = run(tmp_path, warehouse, handle, T1 + timedelta(days=1))
        assert len(sandbox.requests) == made  # the same month: nothing is called
        assert state["last_run"]["calls"] == [] and all("quota is used up" in s for s in state["last_run"]["skipped"])

        sandbox.reset_quota(1000)  # a new month
        _, state = run(tmp_path, warehouse, handle, datetime(2026, 11, 2, 12, tzinfo=timezone.utc))
        assert sandbox.requests and state["quota"] == {"month": "2026-11", "remaining": 1000 - len(sandbox.requests),
                                                       "at": "2026-11-02T12:00:00Z"}


def test_faults_are_retried_and_change_nothing(tmp_path, warehouse):
    config = SandboxConfig(faults="rate_limit=0.2,server_error=0.15,retry_after=0")
    with serve(config) as handle:
        report, _ = run(tmp_path, warehouse, handle, T1, HTTP_MAX_ATTEMPTS="10", CFBD_SEASONS="2026")
    assert {"429"} <= set(report.retries.by_cause) and set(report.retries.by_cause) & {"500", "502", "503"}
    assert loaded_games(warehouse) == served_games(SandboxConfig(), 2026, T1)


def test_malformed_items_are_rejected_once_with_a_reason(tmp_path, warehouse):
    with serve(SandboxConfig(faults="malformed=0.05")) as handle:
        report, _ = run(tmp_path, warehouse, handle, T1, CFBD_SEASONS="2026")
        rerun, _ = run(tmp_path, warehouse, handle, T1, CFBD_SEASONS="2026")
    reasons = dict(query(warehouse, "select split_part(reason, ':', 1), count(*) from raw_cfbd.rejected group by 1"))
    assert {"not an object", "no whole-number id", "unreadable startDate"} <= set(reasons), reasons
    assert report.rows_by_table["rejected"] == sum(reasons.values())
    assert rerun.rows_by_table.get("rejected", 0) == 0
    good = served_games(SandboxConfig(), 2026, T1)
    assert set(loaded_games(warehouse)) < set(good)


def test_the_sandbox_plays_ties_only_before_overtime_and_serves_unplayed_weeks():
    with serve(SandboxConfig(seed=11, now=T1)) as handle:
        sandbox = handle.apis["cfbd"]
        status, headers, games_1995 = sandbox.answer("/games", {"year": "1995", "seasonType": "both"})
        assert status == 200 and int(headers["X-CallLimit-Remaining"]) == fake.FREE_TIER - 1
        assert any(g["homePoints"] == g["awayPoints"] for g in games_1995)
        later = sandbox.answer("/games", {"year": "2025", "seasonType": "both"})[2]
        assert later and not any(g["homePoints"] == g["awayPoints"] for g in later)
        assert any(len(g["homeLineScores"]) == 5 for g in later)  # an even score went to overtime
        assert int(sandbox.answer("/conferences", {})[1]["X-CallLimit-Remaining"]) == fake.FREE_TIER - 3
        current = sandbox.answer("/games", {"year": "2026"})[2]
        assert {g["completed"] for g in current} == {True, False}
        assert any(g["neutralSite"] for g in current) and any(not g["neutralSite"] for g in current)
        assert sandbox.answer("/games/teams", {"year": "2026"})[0] == 400  # week, team or conference needed
        [box] = sandbox.answer("/games/teams", {"year": "2026", "week": "1"})[2][:1]
        stats = {s["category"]: s["stat"] for s in box["teams"][0]["stats"]}
        assert stats["possessionTime"].count(":") == 1 and stats["thirdDownEff"].count("-") == 1


def test_the_shared_server_serves_cfbd_with_its_key_header_quota_setting_and_clock():
    env = {"SANDBOX_CFBD_QUOTA": "2", "SANDBOX_NOW": T1.isoformat(), "SANDBOX_SEED": "3"}
    with registry.get("cfbd").sandbox(env) as url:  # the registry entry's sandbox, from its fake_api
        assert url.endswith("/cfbd")
        refused = requests.get(f"{url}/conferences", headers={"Authorization": "Token abc"}, timeout=10)
        assert refused.status_code == 401 and "Bearer" in refused.json()["message"]
        keyed = requests.get(f"{url}/games", params={"year": "2026"}, headers={"Authorization": "Bearer abc"},
                             timeout=10)
        assert keyed.status_code == 200 and keyed.headers["X-CallLimit-Remaining"] == "1"  # 401 is not counted
        regular = [g for g in served_games(SandboxConfig(seed=3), 2026, T1).values() if g["seasonType"] == "regular"]
        assert regular and keyed.json() == regular  # the seed and the clock of the settings
        keyless = requests.get(f"{url}/conferences", timeout=10)
        assert keyless.status_code == 200 and keyless.headers["X-CallLimit-Remaining"] == "0"
        spent = requests.get(f"{url}/conferences", timeout=10)
        assert (spent.status_code, spent.json()) == (429, {"message": fake.QUOTA_MESSAGE})
        assert "Retry-After" not in spent.headers


def test_a_v1_capture_is_refused_with_a_clear_error(tmp_path, warehouse):
    folder = tmp_path / "v1"
    folder.mkdir()
    (folder / "games.json").write_bytes(orjson.dumps([{"id": 1, "season": 2023, "season_type": "regular",
                                                        "home_team": "Alabama", "away_team": "Auburn"}]))
    with pytest.raises(ReplayError, match=r"API v1 \(snake_case\).*camelCase"):
        replay_source(make_settings(tmp_path / "build"), warehouse, "cfbd", folder)


def test_a_bad_setting_names_its_variable(tmp_path):
    with pytest.raises(ConfigError, match="CFBD_SEASONS"):
        make_settings(tmp_path, CFBD_SEASONS="2024-2023")
    with pytest.raises(ConfigError, match="CFBD_DIVISION"):
        make_settings(tmp_path, CFBD_DIVISION="d1")
