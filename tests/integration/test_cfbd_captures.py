"""The shared CFBD v2 captures of 2023 (week 1 and the postseason) replay into the college-football
marts: the postseason record of every team in those games, and the box-score strings, equal what
is computed by hand from the capture files."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import orjson
import pytest

from orchestration.dbt_runner import run_dbt
from orchestration.extract_load import replay_source
from tests.conftest import SHARED, make_settings, needs_shared, query

CAPTURES = SHARED / "data" / "api_samples" / "cfbd"
FOOTBALL = ["--select", "source:raw_cfbd+", "source:ml+", "--exclude", "stg_dlt__loads+", "quarantined_records+"]

pytestmark = needs_shared("data", "api_samples", "cfbd")


@pytest.fixture(scope="module")
def replayed(fresh_database, tmp_path_factory):
    work = tmp_path_factory.mktemp("cfbd-captures")
    report = replay_source(make_settings(work / "build"), fresh_database, "cfbd", CAPTURES)
    build = run_dbt(["build", *FOOTBALL], fresh_database, target_path=work / "target", quiet=True)
    return fresh_database, report, build


def _capture(name: str) -> list[dict]:
    return orjson.loads((CAPTURES / name).read_bytes())


def by_hand(season_type: str | None) -> dict[int, tuple[int, int, int, int]]:
    """team id -> (games, wins, losses, ties) over the capture's completed games of `season_type`."""
    tally: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for game in _capture("games.json"):
        if not game["completed"] or season_type and game["seasonType"] != season_type:
            continue
        for me, them in (("home", "away"), ("away", "home")):
            row = tally[game[f"{me}Id"]]
            mine, theirs = game[f"{me}Points"], game[f"{them}Points"]
            row[0] += 1
            row[1 if mine > theirs else 2 if mine < theirs else 3] += 1
    return {team: tuple(row) for team, row in tally.items()}


def test_the_build_on_the_captures_is_green(replayed):
    _, report, build = replayed
    assert report.rows_by_table["games"] == len(_capture("games.json"))
    assert report.rows_by_table["fbs_teams"] == len(_capture("teamsFbs.json"))
    assert build.count("model", "error") == 0, build.failures
    assert build.count("test", "fail") + build.count("test", "error") + build.count("unit_test", "fail") == 0, \
        build.failures


def test_every_postseason_team_has_its_record_as_computed_by_hand(replayed):
    url, _, _ = replayed
    expected = by_hand("postseason")
    assert len(expected) >= 2 * 40  # the bowls and the playoff of 2023
    found = {team: (games, wins, losses, ties, pct) for team, games, wins, losses, ties, pct in query(url, """
        select team_id, games, wins, losses, ties, win_pct from marts.fct_team_season_records
        where season = 2023 and split_name = 'postseason' and games > 0""")}
    assert set(found) == set(expected)
    for team, (games, wins, losses, ties) in expected.items():
        pct = (Decimal(wins) + Decimal(ties) / 2) / games
        assert found[team] == (games, wins, losses, ties, pct.quantize(Decimal("0.0001"))), team
    totals = by_hand(None)
    found_totals = dict(query(url, "select team_id, games from marts.fct_team_season_records "
                                   "where season = 2023 and split_name = 'total' and games > 0"))
    assert found_totals == {team: row[0] for team, row in totals.items()}


def test_box_score_strings_are_typed(replayed):
    url, _, _ = replayed
    for game in _capture("gamesTeams.json"):
        for team in game["teams"]:
            stats = {s["category"]: s["stat"] for s in team["stats"]}
            minutes, seconds = stats["possessionTime"].split(":")
            made, attempted = stats["completionAttempts"].split("-")
            third_made, third_attempted = stats["thirdDownEff"].split("-")
            [row] = query(url, "select possession_seconds, pass_completions, pass_attempts, third_down_conversions, "
                               "third_down_attempts from staging.stg_cfbd__game_team_stats "
                               "where game_id = %s and team_id = %s", (game["id"], team["teamId"]))
            assert row == (int(minutes) * 60 + int(seconds), int(made), int(attempted), int(third_made),
                           int(third_attempted))
