"""Pure functions of the CFBD source: which seasons are finished, the plan of a run's calls within
its budget (and what it skips), API items to raw rows, and the v1 (snake_case) shape check."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from dlt_pipelines.cfbd import settings

# What each kind of call loads, in the order a run spends its budget on them.
KINDS = ("games", "fbs_teams", "conferences", "teams", "rankings", "box_scores")
PATHS = {"games": settings.GAMES_PATH, "fbs_teams": settings.FBS_TEAMS_PATH,
         "conferences": settings.CONFERENCES_PATH, "teams": settings.TEAMS_PATH,
         "rankings": settings.RANKINGS_PATH, "box_scores": settings.BOX_SCORES_PATH}
# a capture's file name (without .json, lower case, `_` and `-` dropped) -> the kind it holds
CAPTURE_NAMES = {"games": "games", "gamesteams": "box_scores", "boxscores": "box_scores", "teams": "teams",
                 "teamsfbs": "fbs_teams", "fbsteams": "fbs_teams", "conferences": "conferences",
                 "rankings": "rankings"}
# captures of CFBD endpoints this source does not load
OTHER_CAPTURES = frozenset({"calendar", "lines", "venues", "records", "plays", "drives", "coaches", "talent",
                            "recruiting", "ratings", "stats", "roster", "players"})


class V1ShapeError(ValueError):
    """A response in API v1's snake_case shape: this source reads v2 (camelCase) only."""


@dataclass(frozen=True)
class Call:
    kind: str
    params: tuple[tuple[str, str], ...] = ()
    season: int | None = None
    # the season is loaded once and for all when this call (and the season's other calls) succeed
    marks: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return PATHS[self.kind]

    @property
    def label(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        return f"{self.path}{'?' + query if query else ''}"


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what the run does not call, and why


def season_of(moment: datetime) -> int:
    """The season in progress or last played at `moment` (January's bowls belong to the season before)."""
    return moment.year if (moment.month, moment.day) >= settings.SEASON_STARTS else moment.year - 1


def season_status(season: int, now: datetime) -> str:
    """`future` (not started), `current` (its games may still change) or `finished` (loaded once)."""
    if (now.year, now.month, now.day) < (season, *settings.SEASON_STARTS):
        return "future"
    if (now.year, now.month, now.day) >= (season + 1, *settings.FINISHED_FROM):
        return "finished"
    return "current"


def default_seasons(now: datetime) -> tuple[int, ...]:
    current = season_of(now)
    return (current - 1, current)


def parse_utc(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    text = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def recent_weeks(week_starts: Mapping[str, str], now: datetime, count: int) -> list[int]:
    """The regular-season weeks the current season reloads: the last `count` weeks begun by `now`
    and the next one (its games may be rescheduled). `week_starts`: week -> its first game's start."""
    weeks = sorted((int(week), parse_utc(start)) for week, start in week_starts.items())
    begun = [week for week, start in weeks if start is not None and start <= now]
    upcoming = [week for week, start in weeks if start is None or start > now]
    return begun[-count:] + upcoming[:1]


def _is_stale(stamp: str | None, now: datetime) -> bool:
    at = parse_utc(stamp)
    return at is None or now - at >= settings.REFERENCE_MAX_AGE


def plan_calls(state: Mapping[str, Any], seasons: Iterable[int], now: datetime, *, division: str,
               conferences: tuple[str, ...], recent: int, rankings: bool) -> Plan:
    """Every call but box scores, most needed first: games (the current season, then finished
    seasons not loaded yet, newest first), FBS teams, conferences, teams, rankings. A finished
    season is loaded once (whole); the current season whole the first time, then its recent weeks
    and the postseason (no week filter)."""
    plan = Plan()
    season_state = state.get("seasons", {})
    reference = state.get("reference", {})
    games: list[Call] = []
    later: list[Call] = []
    by_conference = [(("conference", c),) for c in conferences] or [()]
    for season in sorted(seasons, reverse=True):
        status, known = season_status(season, now), season_state.get(str(season), {})
        if status == "future":
            plan.skipped.append(f"season {season}: not started yet")
            continue
        if status == "finished" and known.get("done"):
            continue  # loaded once, whole, after it finished
        base = (("year", str(season)),)
        marks = ("done",) if status == "finished" else ()
        weeks = recent_weeks(known.get("weeks", {}), now, recent) if known.get("loaded") else []
        for conference in by_conference:
            if status == "current" and weeks:
                games += [Call("games", (*base, ("seasonType", "regular"), ("week", str(w)),
                                         ("classification", division), *conference), season) for w in weeks]
            else:
                games.append(Call("games", (*base, ("seasonType", "regular"), ("classification", division),
                                            *conference), season, marks))
            games.append(Call("games", (*base, ("seasonType", "postseason"), ("classification", division),
                                        *conference), season, marks))
        if not known.get("fbs_teams") or status == "current" and _is_stale(known.get("fbs_teams"), now):
            later.append(Call("fbs_teams", base, season))
        if rankings and (status == "current" or not known.get("rankings")):
            later.append(Call("rankings", base, season))
    reference_calls = [Call(kind) for kind in ("conferences", "teams") if _is_stale(reference.get(kind), now)]
    ordered = games + [c for c in later if c.kind == "fbs_teams"] + reference_calls + \
        [c for c in later if c.kind == "rankings"]
    plan.calls.extend(ordered)
    return plan


def box_score_calls(state: Mapping[str, Any], seasons: Iterable[int], now: datetime, *, division: str,
                    recent: int) -> list[Call]:
    """`/games/teams` per played week not loaded yet (each once), and the current season's recent
    played weeks again; newest season first, after everything else."""
    calls: list[Call] = []
    for season in sorted(seasons, reverse=True):
        known = state.get("seasons", {}).get(str(season), {})
        status = season_status(season, now)
        if status == "future" or not known.get("loaded"):
            continue
        done = set(known.get("box_scores", []))
        played = {w: s for w, s in known.get("weeks", {}).items() if (parse_utc(s) or now) < now}
        recent_played = set(sorted(played, key=int)[-recent:]) if status == "current" else set()
        wanted = [("regular", int(w)) for w in sorted(played, key=int)
                  if w in recent_played or f"regular|{w}" not in done]
        post = known.get("postseason_weeks", [])
        wanted += [("postseason", int(w)) for w in post
                   if status == "current" or f"postseason|{w}" not in done]
        calls += [Call("box_scores", (("year", str(season)), ("week", str(w)), ("seasonType", kind),
                                      ("classification", division)), season) for kind, w in wanted]
    return calls


def within_budget(calls: list[Call], budget: int, skipped: list[str], why: str) -> list[Call]:
    """The first `budget` calls; the others are listed in `skipped` with the reason."""
    skipped.extend(f"{call.label}: {why}" for call in calls[budget:])
    return calls[:max(0, budget)]


def quota_budget(state: Mapping[str, Any], now: datetime, max_calls: int) -> tuple[int, int | None]:
    """(calls this run may make, the quota the API reported left this month or None if unknown)."""
    quota = state.get("quota", {})
    if quota.get("month") != now.strftime("%Y-%m"):
        return max_calls, None  # a new month: the quota reset
    remaining = int(quota.get("remaining", max_calls))
    return min(max_calls, remaining), remaining


def check_v2(items: list[Any], where: str) -> None:
    """Raise V1ShapeError when the items are API v1's (snake_case keys)."""
    for item in items[:50]:
        if isinstance(item, dict) and settings.V1_KEYS & set(item):
            keys = sorted(settings.V1_KEYS & set(item))[:4]
            raise V1ShapeError(
                f"{where}: an API v1 (snake_case) response, with keys {', '.join(keys)}; this source reads "
                "CollegeFootballData API v2, whose fields are camelCase (homeTeam, seasonType, ...). "
                "Capture again from https://api.collegefootballdata.com (v2).")


def whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fingerprint(value: Any) -> str:
    return hashlib.sha1(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def item_problem(kind: str, item: Any) -> str | None:
    """Why an item cannot be loaded as a row of `kind`, or None."""
    if not isinstance(item, dict):
        return f"not an object: {type(item).__name__}"
    if kind == "rankings":
        ok = all(whole_number(item.get(k)) is not None for k in ("season", "week")) and item.get("seasonType")
        return None if ok else "ranking without season, seasonType and week"
    if whole_number(item.get("id")) is None:
        return "no whole-number id"
    if kind == "games":
        if whole_number(item.get("season")) is None or not item.get("seasonType"):
            return "game without season and seasonType"
        if parse_utc(item.get("startDate")) is None:
            return f"unreadable startDate: {item.get('startDate')!r}"
    return None


def row(kind: str, item: dict[str, Any], call: Call, fetched_at: datetime, season: int | None) -> dict[str, Any]:
    """The raw row of an item: its keys as typed columns, the item untouched in `payload`."""
    base = {"fetched_at": fetched_at, "payload": item}
    params = dict(call.params)
    if kind == "games":
        return {"game_id": item["id"], "season": item["season"], "week": whole_number(item.get("week")),
                "season_type": item["seasonType"], "start_date": parse_utc(item["startDate"]),
                "completed": bool(item.get("completed")), **base}
    if kind == "box_scores":
        return {"game_id": item["id"], "season": season, "week": _int(params.get("week")),
                "season_type": params.get("seasonType"), **base}
    if kind in ("teams", "fbs_teams"):
        extra = {"season": season} if kind == "fbs_teams" else {}
        return {"team_id": item["id"], **extra, "school": item.get("school"),
                "conference": item.get("conference"), "classification": item.get("classification"), **base}
    if kind == "conferences":
        return {"conference_id": item["id"], "name": item.get("name"), "abbreviation": item.get("abbreviation"),
                "classification": item.get("classification"), **base}
    return {"season": item["season"], "season_type": item["seasonType"], "week": item["week"], **base}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def rejected_row(kind: str, item: Any, reason: str, fetched_at: datetime, where: str) -> dict[str, Any]:
    return {"rejected_at": fetched_at, "endpoint": kind, "reason": reason,
            "raw_json": orjson.dumps(item).decode(), "reject_key": fingerprint([where, reason, item])}


def capture_kind(path: Path, items: list[Any]) -> str:
    """The kind of call a captured file answers: by its name (games.json, gamesTeams.json,
    teamsFbs.json, ...), else by its items; `other` for an endpoint this source does not load."""
    name = path.stem.lower().replace("_", "").replace("-", "")
    if name in CAPTURE_NAMES:
        return CAPTURE_NAMES[name]
    if name in OTHER_CAPTURES:
        return "other"
    first = next((item for item in items if isinstance(item, dict)), {})
    if "lines" in first:  # betting lines carry the game's teams and scores too
        return "other"
    if "homeTeam" in first:
        return "games"
    if "teams" in first and "id" in first:
        return "box_scores"
    if "polls" in first:
        return "rankings"
    if "school" in first:
        return "teams"
    return "other"


def week_starts(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """season -> regular-season week -> the start of its first game (ISO, UTC), from game rows."""
    found: dict[str, dict[str, datetime]] = {}
    for game in rows:
        if game["season_type"] != "regular" or game["week"] is None:
            continue
        weeks = found.setdefault(str(game["season"]), {})
        start = weeks.get(str(game["week"]))
        weeks[str(game["week"])] = min(start, game["start_date"]) if start else game["start_date"]
    return {s: {w: at.strftime("%Y-%m-%dT%H:%M:%SZ") for w, at in weeks.items()} for s, weeks in found.items()}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


