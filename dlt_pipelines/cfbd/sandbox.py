"""CollegeFootballData API v2's deterministic fake, mounted by the one sandbox server
(dlt_pipelines/sandbox/server.py) under `/cfbd`: the source's runs without `CFBD_API_KEY`.

`CfbdSandbox(ctx).answer(path, params, headers) -> (status, headers, body)` is the whole API.
Endpoints, in v2's camelCase shapes (checked against ../shared/data/api_samples/cfbd): `/games`
(`year` required; `seasonType` regular | postseason | both, `week`, `classification`, `conference`,
`team`), `/games/teams` (`year` and one of `week`, `team`, `conference`; completed games only),
`/teams` (`conference`), `/teams/fbs` (`year`), `/conferences`, `/rankings` (`year`, `seasonType`,
`week`). The league (dlt_pipelines/cfbd/league.py) is a function of SANDBOX_SEED and the season;
the server's clock (SANDBOX_NOW / ELT_AS_OF, moved by POST /_sandbox/clock) decides which games are
played: a game is completed four hours after kick-off, later games are served unplayed
(`completed: false`, no points), and championship and postseason games appear once their teams
are known.

Like CFBD, the key travels as `Authorization: Bearer <key>`; any key is accepted and a call
without one is served too (the sandbox stands in for keyless runs), but an `Authorization` header
that is not a Bearer token answers 401. Every API call counts against a monthly quota
(SANDBOX_CFBD_QUOTA, default CFBD's free tier of 1,000; `quota` and `reset_quota()` on the API
object, `handle.apis["cfbd"]` in tests): `X-CallLimit-Remaining` counts down, and once it is used
up every call answers 429 "Monthly call quota exceeded" (no Retry-After). SANDBOX_FAULTS applies,
as set on the server (429 with Retry-After, 5xx, slow, malformed items), and so does
SANDBOX_RATE_LIMIT_PER_MIN. Every counted call is recorded (`requests`), for tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from dlt_pipelines.cfbd import league
from dlt_pipelines.cfbd.league import BY_ID, CLASSIFICATION, CONFERENCES, TEAMS, Game
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import (
    GARBAGE_TIMESTAMP,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_MISSING_JOB_ID,
    break_with,
    malformed_kind,
    server_error_body,
)

FREE_TIER = 1000
QUOTA_MESSAGE = "Monthly call quota exceeded"
FIRST_SEASON = 1990  # the league plays from this season on
ABBREVIATION = {c[1]: c[3] for c in CONFERENCES}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def team_item(team: tuple) -> dict[str, Any]:
    tid, school, mascot, abbreviation, conference, city, state, _ = team
    return {"id": tid, "school": school, "mascot": mascot, "abbreviation": abbreviation,
            "alternateNames": [abbreviation, school], "conference": conference,
            "division": None, "classification": CLASSIFICATION[conference], "color": "#000000",
            "alternateColor": "#ffffff", "logos": [f"http://a.espncdn.com/i/teamlogos/ncaa/500/{tid}.png"],
            "twitter": None, "location": {"id": 3000 + tid, "name": f"{school} Stadium", "city": city,
                                          "state": state, "countryCode": "US", "timezone": "America/New_York",
                                          "capacity": 40000 + tid % 50 * 1000, "grass": tid % 2 == 0,
                                          "dome": False}}


def game_item(game: Game, now: datetime) -> dict[str, Any]:
    done = league.completed(game, now)
    home, away = BY_ID[game.home], BY_ID[game.away]
    venue = league.NEUTRAL_VENUES[game.id % len(league.NEUTRAL_VENUES)] if game.neutral else f"{home[1]} Stadium"

    def side(team: tuple, quarters: tuple[int, ...], prefix: str) -> dict[str, Any]:
        return {f"{prefix}Id": team[0], f"{prefix}Team": team[1], f"{prefix}Classification": CLASSIFICATION[team[4]],
                f"{prefix}Conference": team[4], f"{prefix}Points": sum(quarters) if done else None,
                f"{prefix}LineScores": list(quarters) if done else None,
                f"{prefix}PostgameWinProbability": None, f"{prefix}PregameElo": None, f"{prefix}PostgameElo": None}

    return {"id": game.id, "season": game.season, "week": game.week, "seasonType": game.season_type,
            "startDate": _iso(game.start), "startTimeTBD": False, "completed": done, "neutralSite": game.neutral,
            "conferenceGame": game.conference_game, "attendance": 30000 + game.id % 60000 if done else None,
            "venueId": 3000 + (game.id % 8 if game.neutral else game.home), "venue": venue,
            **side(home, game.home_quarters, "home"), **side(away, game.away_quarters, "away"),
            "excitementIndex": None, "highlights": None, "notes": game.notes}


def box_score_item(game: Game) -> dict[str, Any]:
    """`/games/teams`' shape: per team a list of {category, stat} with stat always a string
    ("7-12" made-attempted, "32:15" possession time)."""
    seconds_home = 1500 + game.id % 600  # 25:00 to 34:59; the two add up to 60:00
    teams = []
    for side, team, points, seconds in (("home", game.home, game.home_points, seconds_home),
                                        ("away", game.away, game.away_points, 3600 - seconds_home)):
        n = game.id + (0 if side == "home" else 7)
        third_att = 10 + n % 8
        completions_att = 20 + n % 18
        stats = {"possessionTime": f"{seconds // 60}:{seconds % 60:02d}",
                 "thirdDownEff": f"{(third_att * (3 + n % 4)) // 10}-{third_att}",
                 "fourthDownEff": f"{n % 2}-{1 + n % 3}",
                 "completionAttempts": f"{(completions_att * (5 + n % 3)) // 8}-{completions_att}",
                 "totalPenaltiesYards": f"{3 + n % 7}-{(3 + n % 7) * 8}",
                 "rushingYards": str(80 + points * 3 + n % 40), "netPassingYards": str(120 + points * 4 + n % 60),
                 "turnovers": str(n % 4), "firstDowns": str(12 + points // 3)}
        stats["totalYards"] = str(int(stats["rushingYards"]) + int(stats["netPassingYards"]))
        row = BY_ID[team]
        teams.append({"teamId": team, "team": row[1], "conference": row[4], "homeAway": side, "points": points,
                      "stats": [{"category": k, "stat": v} for k, v in stats.items()]})
    return {"id": game.id, "teams": teams}


def _break_cfbd(broken: dict[str, Any], kind: str) -> None:
    if kind == MALFORMED_MISSING_JOB_ID:
        del broken["id"]
    elif "startDate" in broken:
        broken["startDate"] = GARBAGE_TIMESTAMP if kind == MALFORMED_GARBAGE_TIMESTAMP else None
    else:
        broken["id"] = str(broken["id"])


def break_item(item: dict[str, Any], kind: str) -> Any:
    """One of the faults' malformed kinds, applied to a CFBD item."""
    return break_with(item, kind, _break_cfbd)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _year(params: dict[str, str], required: bool = True) -> int | None:
    raw = params.get("year")
    if raw is None and not required:
        return None
    if raw is None or not raw.isdigit():
        raise ApiError(400, "year is required and must be a whole number")
    return int(raw)


class CfbdSandbox:
    """The fake API (a registry FakeApi), given the server's context: its clock, faults and
    settings. `requests` lists this month's calls; `reset_quota()` starts a new month."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.url = ctx.url
        self.quota = ctx.config.cfbd_quota
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()

    def clock(self) -> datetime:
        return datetime.fromtimestamp(self.ctx.now(), timezone.utc)

    def reset_quota(self, quota: int | None = None) -> None:
        """A new month (tests): the calls made so far no longer count."""
        with self._lock:
            self.requests.clear()
            if quota is not None:
                self.quota = quota

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        params = dict(params)
        authorization = (headers or {}).get("Authorization")
        if authorization is not None and not (authorization.startswith("Bearer ") and authorization[7:].strip()):
            return 401, {}, {"message": "Unauthorized: send your key as 'Authorization: Bearer <key>'"}
        wait = self.ctx.admit()
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"message": "Too many requests"}
        with self._lock:
            number = len(self.requests)
            self.requests.append((path, params))
        if number >= self.quota:
            return 429, {"X-CallLimit-Remaining": "0"}, {"message": QUOTA_MESSAGE}
        out = {"X-CallLimit-Remaining": str(self.quota - number - 1)}
        fault = self.ctx.decide()
        if fault.kind == "rate_limit":
            return 429, {**out, "Retry-After": str(fault.retry_after)}, {"message": "Too many requests"}
        if fault.kind == "server_error":
            return fault.status, out, server_error_body(fault.status, f"req-{number}")
        time.sleep(fault.sleep_seconds)
        try:
            return 200, out, self.results(path.rstrip("/") or "/", params)
        except ApiError as problem:
            return problem.status, out, {"message": str(problem)}

    def _faulted(self, items: list[dict[str, Any]]) -> list[Any]:
        out = []
        for item in items:
            kind = malformed_kind(self.ctx.faults, self.config.seed, int(item["id"]))
            out.append(break_item(item, kind) if kind else item)
        return out

    def games(self, season: int, now: datetime) -> list[Game]:
        if season < FIRST_SEASON or season > now.year:
            return []
        every = league.season_games(self.config.seed, season)
        return [g for g in every if league.announced(g, every) <= now]

    def results(self, path: str, params: dict[str, str]) -> list[Any]:
        now = self.clock()
        if path == "/conferences":
            return [{"id": c[0], "name": c[1], "shortName": c[2], "abbreviation": c[3], "classification": c[4]}
                    for c in CONFERENCES]
        if path == "/teams":
            conference = params.get("conference")
            return self._faulted([team_item(t) for t in TEAMS if conference in (None, t[4], ABBREVIATION[t[4]])])
        if path == "/teams/fbs":
            year = _year(params, required=False)
            if year is not None and (year < FIRST_SEASON or year > now.year):
                return []
            return self._faulted([team_item(t) for t in TEAMS if CLASSIFICATION[t[4]] == "fbs"])
        if path in ("/games", "/games/teams"):
            games = self._select(params, now, box_scores=path == "/games/teams")
            if path == "/games":
                return self._faulted([game_item(g, now) for g in games])
            return [box_score_item(g) for g in games if league.completed(g, now)]
        if path == "/rankings":
            return self._rankings(_year(params), params.get("seasonType", "regular"), params.get("week"), now)
        raise ApiError(404, f"no such endpoint {path}")

    def _select(self, params: dict[str, str], now: datetime, box_scores: bool) -> list[Game]:
        year = _year(params)
        if box_scores and not any(params.get(k) for k in ("week", "team", "conference")):
            raise ApiError(400, "week, team or conference is required with year")
        kind = params.get("seasonType", "regular")
        if kind not in ("regular", "postseason", "both"):
            raise ApiError(400, f"seasonType must be regular, postseason or both, got {kind!r}")
        week, division = params.get("week"), params.get("classification")
        conference, team = params.get("conference"), params.get("team")

        def wanted(g: Game) -> bool:
            sides = (BY_ID[g.home], BY_ID[g.away])
            return ((kind == "both" or g.season_type == kind) and (week is None or str(g.week) == week)
                    and (division is None or any(CLASSIFICATION[t[4]] == division for t in sides))
                    and (conference is None or any(conference in (t[4], ABBREVIATION[t[4]]) for t in sides))
                    and (team is None or any(t[1] == team for t in sides)))

        return [g for g in self.games(year, now) if wanted(g)]

    def _rankings(self, year: int, kind: str, week: str | None, now: datetime) -> list[dict[str, Any]]:
        """An "AP Top 25" after every played week (by wins, then strength), and a final poll once
        the postseason is played."""
        played = [g for g in self.games(year, now) if league.completed(g, now)]
        regular_weeks = sorted({g.week for g in played if g.season_type == "regular"})
        polls = [("regular", w) for w in [1, *[w + 1 for w in regular_weeks if w < 13]]
                 if not regular_weeks or w <= regular_weeks[-1] + 1] if played else []
        every = league.season_games(self.config.seed, year) if year >= FIRST_SEASON and year <= now.year else ()
        if every and all(league.completed(g, now) for g in every if g.season_type == "postseason"):
            polls.append(("postseason", 1))
        out = []
        for season_type, number in dict.fromkeys(polls):
            if kind != season_type or week is not None and str(number) != week:
                continue
            before = [g for g in played if g.season_type == "regular" and g.week < number] \
                if season_type == "regular" else played
            wins = {t: sum((g.home == t and g.home_points > g.away_points) or
                           (g.away == t and g.away_points > g.home_points) for g in before) for t in league.FBS}
            order = sorted(league.FBS, key=lambda t: (wins[t], league.strength(self.config.seed, t, year)),
                           reverse=True)[:25]
            out.append({"season": year, "seasonType": season_type, "week": number, "polls": [
                {"poll": "AP Top 25", "ranks": [{"rank": r + 1, "teamId": t, "school": BY_ID[t][1],
                                                 "conference": BY_ID[t][4], "firstPlaceVotes": 62 if r == 0 else 0,
                                                 "points": 1550 - 60 * r} for r, t in enumerate(order)]}]})
        return out
