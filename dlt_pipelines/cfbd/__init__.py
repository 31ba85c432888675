"""dlt source for CollegeFootballData API v2 (camelCase fields): `raw_cfbd` (domain college_football).

A run plans its calls before making any (helpers.plan_calls): games of the current season (whole
the first time, then only its recent weeks and the postseason without a week filter), games of
finished seasons not loaded yet (whole, once), the FBS teams of each season, conferences and teams
(refreshed weekly), rankings, then box scores (`/games/teams`) per played week. The plan is cut to
`CFBD_MAX_CALLS_PER_RUN` and to the month's quota the API last reported (`X-CallLimit-Remaining`,
kept in dlt state); whatever is cut is logged as skipped and kept in the source state
(`last_run`). An exhausted quota (429 "Monthly call quota exceeded") stops the calls, loads what
was fetched, and the next runs of that month call nothing. Games merge on the game id; an item
served again unchanged is not loaded again (a fingerprint per id in the state), so a rerun with
nothing new loads nothing. Items that are not objects or lack their keys go to `rejected`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from dlt_pipelines.cfbd import helpers, settings
from dlt_pipelines.cfbd.helpers import Call
from dlt_pipelines.common.http import ApiError, ApiQuotaExceeded, ResilientSession

log = logging.getLogger(__name__)

_BASE = {"fetched_at": {"data_type": "timestamp"}, "payload": {"data_type": "json"}}
_SEASON = {"season": {"data_type": "bigint"}, "week": {"data_type": "bigint"}, "season_type": {"data_type": "text"}}
_TEAM = {"team_id": {"data_type": "bigint", "nullable": False}, "school": {"data_type": "text"},
         "conference": {"data_type": "text"}, "classification": {"data_type": "text"}}
TABLES: dict[str, dict[str, Any]] = {
    "games": {"primary_key": "game_id", "columns": {
        "game_id": {"data_type": "bigint", "nullable": False}, **_SEASON,
        "start_date": {"data_type": "timestamp"}, "completed": {"data_type": "bool"}, **_BASE}},
    "box_scores": {"primary_key": "game_id", "columns": {
        "game_id": {"data_type": "bigint", "nullable": False}, **_SEASON, **_BASE}},
    "teams": {"primary_key": "team_id", "columns": {**_TEAM, **_BASE}},
    "fbs_teams": {"primary_key": ["season", "team_id"], "columns": {
        **_TEAM, "season": {"data_type": "bigint", "nullable": False}, **_BASE}},
    "conferences": {"primary_key": "conference_id", "columns": {
        "conference_id": {"data_type": "bigint", "nullable": False}, "name": {"data_type": "text"},
        "abbreviation": {"data_type": "text"}, "classification": {"data_type": "text"}, **_BASE}},
    "rankings": {"primary_key": ["season", "season_type", "week"], "columns": {**_SEASON, **_BASE}},
}
_KEYS = {kind: spec["primary_key"] for kind, spec in TABLES.items()}
REJECTED_COLUMNS = {"rejected_at": {"data_type": "timestamp"}, "endpoint": {"data_type": "text"},
                    "reason": {"data_type": "text", "nullable": False}, "raw_json": {"data_type": "text"},
                    "reject_key": {"data_type": "text"}}


class _QuotaExhausted(Exception):
    pass


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dlt.source(name="cfbd", max_table_nesting=0)
def cfbd_source(
    session: ResilientSession,
    base_url: str,
    api_key: str | None = None,
    seasons: tuple[int, ...] = (),
    conferences: tuple[str, ...] = (),
    division: str = "fbs",
    max_calls_per_run: int = 40,
    recent_weeks: int = 2,
    box_scores: bool = True,
    rankings: bool = True,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    replay: Path | None = None,
) -> Any:
    """`replay`: a captured file being replayed; the one request its kind answers is made, with no
    budget and no plan (its season, where the items carry none, is the last replayed games')."""
    client = RESTClient(base_url=base_url, session=session, auth=BearerTokenAuth(api_key) if api_key else None)
    fetched_at = now()
    month = fetched_at.strftime("%Y-%m")

    def request(call: Call, state: dict[str, Any]) -> list[Any]:
        try:
            response = client.get(call.path, params=dict(call.params))
        except ApiQuotaExceeded:
            state["quota"] = {"month": month, "remaining": 0, "at": _stamp(fetched_at)}
            raise _QuotaExhausted from None
        remaining = response.headers.get(settings.QUOTA_HEADER, "")
        if remaining.strip().isdigit():
            state["quota"] = {"month": month, "remaining": int(remaining), "at": _stamp(fetched_at)}
        if not response.ok:
            raise ApiError(f"{settings.API_NAME}: {call.label} answered HTTP {response.status_code}: "
                           f"{response.text[:200]}")
        body = response.json()
        if not isinstance(body, list):
            raise ApiError(f"{settings.API_NAME}: {call.label} did not answer a JSON array: {str(body)[:200]}")
        helpers.check_v2(body, call.label)
        return body

    @cache
    def fetched() -> dict[str, list[dict[str, Any]]]:
        state = dlt.current.source_state()
        found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in (*helpers.KINDS, "rejected")}
        if replay:
            _replay(state, found)
        else:
            _run(state, found)
        return found

    def take(call: Call, items: list[Any], state: dict[str, Any], found: dict[str, list], season: int | None) -> None:
        marks = state.setdefault("marks", {}).setdefault(call.kind, {})
        seen_rejects = state.setdefault("rejected", {})
        rows = []
        for item in items:
            problem = helpers.item_problem(call.kind, item)
            if problem:
                bad = helpers.rejected_row(call.kind, item, problem, fetched_at, call.kind)
                if bad["reject_key"] not in seen_rejects:
                    seen_rejects[bad["reject_key"]] = _stamp(fetched_at)
                    found["rejected"].append(bad)
                continue
            rows.append(helpers.row(call.kind, item, call, fetched_at, season))
        for row in rows:
            keys = _KEYS[call.kind]
            key = "|".join(str(row[k]) for k in ([keys] if isinstance(keys, str) else keys))
            mark = helpers.fingerprint(row["payload"])
            if marks.get(key) != mark:
                marks[key] = mark
                found[call.kind].append(row)
        if call.kind == "games" and not replay:
            _note_games(state, call, rows)

    def _note_games(state: dict[str, Any], call: Call, rows: list[dict[str, Any]]) -> None:
        known = state.setdefault("seasons", {}).setdefault(str(call.season), {})
        known["loaded"] = True
        weeks = known.setdefault("weeks", {})
        for week, start in helpers.week_starts(rows).get(str(call.season), {}).items():
            weeks[week] = min(weeks.get(week, start), start)
        post = {r["week"] for r in rows if r["season_type"] == "postseason" and r["week"] is not None}
        known["postseason_weeks"] = sorted(set(known.get("postseason_weeks", [])) | post)

    def _note(state: dict[str, Any], call: Call) -> None:
        stamp = _stamp(fetched_at)
        if call.kind in ("conferences", "teams"):
            state.setdefault("reference", {})[call.kind] = stamp
            return
        known = state.setdefault("seasons", {}).setdefault(str(call.season), {})
        if call.kind in ("fbs_teams", "rankings"):
            known[call.kind] = stamp
        elif call.kind == "box_scores":
            params = dict(call.params)
            done = set(known.get("box_scores", [])) | {f"{params['seasonType']}|{params['week']}"}
            known["box_scores"] = sorted(done)

    def _run(state: dict[str, Any], found: dict[str, list]) -> None:
        chosen = seasons or helpers.default_seasons(fetched_at)
        plan = helpers.plan_calls(state, chosen, fetched_at, division=division, conferences=conferences,
                                  recent=recent_weeks, rankings=rankings)
        budget, remaining = helpers.quota_budget(state, fetched_at, max_calls_per_run)
        skipped = list(plan.skipped)
        why = "the month's call quota is used up" if remaining == 0 else \
            f"over the run's budget of {budget} calls (CFBD_MAX_CALLS_PER_RUN, X-CallLimit-Remaining)"
        made: list[str] = []
        exhausted = remaining == 0
        pending = helpers.within_budget(plan.calls, budget, skipped, why)
        finishing = {c.season for c in plan.calls if "done" in c.marks}
        incomplete = {c.season for c in plan.calls[len(pending):] if "done" in c.marks}
        for phase in range(2):
            if phase == 1:
                if not box_scores or exhausted:
                    break
                later = helpers.box_score_calls(state, chosen, fetched_at, division=division, recent=recent_weeks)
                pending = helpers.within_budget(later, budget - len(made), skipped, why)
            for index, call in enumerate(pending):
                try:
                    items = request(call, state)
                except _QuotaExhausted:
                    exhausted = True
                    rest = pending[index:]
                    skipped.extend(f"{c.label}: the month's call quota is used up (HTTP 429)" for c in rest)
                    incomplete |= {c.season for c in rest if "done" in c.marks}
                    break
                made.append(call.label)
                take(call, items, state, found, call.season)
                _note(state, call)
        for season in finishing - incomplete:
            state.setdefault("seasons", {}).setdefault(str(season), {})["done"] = True
        quota = state.get("quota", {})
        state["last_run"] = {"at": _stamp(fetched_at), "calls": made, "skipped": skipped,
                             "quota_remaining": quota.get("remaining") if quota.get("month") == month else None}
        if skipped:
            log.warning("cfbd: made %d calls, skipped %d: %s", len(made), len(skipped), "; ".join(skipped[:20]))

    def _replay(state: dict[str, Any], found: dict[str, list]) -> None:
        assert replay is not None
        items = _capture_items(replay)
        kind = helpers.capture_kind(replay, items)
        replayed = state.setdefault("replay", {})
        if kind == "other":
            request(Call("conferences"), state)  # answered by the capture, which is not loaded
            log.warning("cfbd: %s is not an endpoint this source loads; not loaded", replay.name)
            return
        call = Call(kind)
        body = request(call, state)
        season = replayed.get("season")
        take(call, body, state, found, season)
        seasons_seen = [i["season"] for i in body if isinstance(i, dict) and helpers.whole_number(i.get("season"))]
        if kind == "games" and seasons_seen:
            replayed["season"] = max(seasons_seen)

    def resource(kind: str):
        spec = TABLES[kind]

        @dlt.resource(name=kind, write_disposition="merge", primary_key=spec["primary_key"], columns=spec["columns"])
        def rows() -> Iterator[dict[str, Any]]:
            yield from fetched()[kind]

        return rows

    @dlt.resource(name="rejected", write_disposition="append", columns=REJECTED_COLUMNS)
    def rejected() -> Iterator[dict[str, Any]]:
        for kind in TABLES:  # every call is made before the rejects are known
            fetched()[kind]
        yield from fetched()["rejected"]

    return [resource(kind) for kind in TABLES] + [rejected]


def _capture_items(path: Path) -> list[Any]:
    import orjson

    from dlt_pipelines.common.replay import UTF8_BOM

    content = orjson.loads(path.read_bytes().removeprefix(UTF8_BOM))
    return content if isinstance(content, list) else []
