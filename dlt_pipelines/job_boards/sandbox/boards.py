"""Deterministic catalogues of the Remotive, Arbeitnow and Adzuna sandboxes, and their overlap.

Why: the dedup models need boards that overlap like the real market, with a known answer. Each
board has its own timeline (posting ``j`` of board ``b`` is posted at ``EPOCH + offset_b +
j * 86400 / (postings_per_day * SHARE[b])``) and, like JSearch, content that depends only on
(seed, board, j):

- ``native``: a job of the board's own (generated like a JSearch posting, from the board's own
  decision streams);
- ``cross`` (``CROSS_RATE`` of each board): the same job as a JSearch posting, listed 0-3 days
  after it, with the board's own formatting of the same facts (company "Acme, Inc." / "ACME Inc" /
  "Acme", title case and punctuation, same city). Boards pick the JSearch postings among the same
  sparse set of market-wide jobs, so a job often appears on two or three boards;
- ``near_title``: the title of a JSearch posting at another company (not the same job);
- ``near_company``: another job at the company of a JSearch posting (not the same job).

:func:`overlap_truth` says which visible board postings are the same job (the ground truth for
dedup precision and recall); the server exposes it at ``GET /_sandbox/truth``. All text is
generated here; nothing is copied from real postings.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from dlt_pipelines.job_boards.sandbox import catalogue, pools
from dlt_pipelines.job_boards.sandbox.board_formats import (  # noqa: F401 - re-exported
    ADZUNA_AREA,
    REMOTIVE_CATEGORY,
    BoardPosting,
    _company,
    _keys,
    _title,
    adzuna_item,
    arbeitnow_item,
    remotive_item,
)
from dlt_pipelines.sandbox.config import EPOCH, SandboxConfig
from dlt_pipelines.sandbox.faults import (
    DRIFT_EXTRA_FIELD,
    GARBAGE_TIMESTAMP,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_MISSING_JOB_ID,
    MALFORMED_NOT_OBJECT_NULL,
    MALFORMED_NOT_OBJECT_STRING,
    MALFORMED_NULL_TIMESTAMP,
    NOT_OBJECT_STRING,
    FaultConfig,
    drift_kind,
    malformed_kind,
)
from dlt_pipelines.sandbox.hashing import derive, stream_key, text_salt, unit

BOARDS = ("remotive", "arbeitnow", "adzuna")
SHARE = {"remotive": 0.25, "arbeitnow": 0.5, "adzuna": 1.0}  # postings a day, relative to JSearch
OFFSET = {"remotive": 1111, "arbeitnow": 2222, "adzuna": 3333}  # seconds: no two boards tick together
CROSS_RATE = 0.13
NEAR_MISS_RATE = 0.04
MARKET_RATE = 0.3  # share of JSearch postings that are market-wide jobs (the ones boards cross-list)
MAX_DELAY = 3 * 86400
ID_FIELD = {"remotive": "id", "arbeitnow": "slug", "adzuna": "id"}
TIME_FIELD = {"remotive": "publication_date", "arbeitnow": "created_at", "adzuna": "created"}
ADZUNA_COUNTRIES = {"us": "US", "gb": "GB", "de": "DE"}
ARBEITNOW_PAGE_SIZE = 100



@lru_cache(maxsize=16)
def _board_streams(seed: int, board: str) -> Any:
    return catalogue._streams(seed ^ text_salt("boards." + board))


def per_day(config: SandboxConfig, board: str) -> float:
    return config.postings_per_day * SHARE[board]


def board_posted_at(config: SandboxConfig, board: str, number: int) -> int:
    return EPOCH + OFFSET[board] + int(number * 86400 / per_day(config, board))


def last_number_at_or_before(config: SandboxConfig, board: str, timestamp: int) -> int:
    if timestamp < EPOCH + OFFSET[board]:
        return -1
    guess = max(0, int((timestamp - EPOCH - OFFSET[board]) * per_day(config, board) / 86400))
    while board_posted_at(config, board, guess + 1) <= timestamp:
        guess += 1
    while guess >= 0 and board_posted_at(config, board, guess) > timestamp:
        guess -= 1
    return guess


def visible_numbers(config: SandboxConfig, board: str, now: int, max_age_seconds: int | None = None) -> range:
    """Numbers (ascending) of the board's postings visible at ``now``."""
    window = config.history_days * 86400 if max_age_seconds is None else min(max_age_seconds,
                                                                             config.history_days * 86400)
    return range(last_number_at_or_before(config, board, now - window) + 1,
                 last_number_at_or_before(config, board, now) + 1)


def _market_job(config: SandboxConfig, timestamp: int, earliest: int) -> int | None:
    """The newest market-wide JSearch posting in ``[earliest, timestamp]`` (the set all boards share)."""
    market = stream_key(config.seed, text_salt("boards.market"))
    candidate = catalogue.last_index_at_or_before(config, timestamp)
    while candidate >= 0 and catalogue.posted_at(config, candidate) >= earliest:
        if unit(market, candidate) < MARKET_RATE:
            return candidate
        candidate -= 1
    return None


@lru_cache(maxsize=1 << 16)  # every page request walks the visible postings: generate each once
def board_posting(config: SandboxConfig, board: str, number: int) -> BoardPosting:
    keys = _keys(config.seed, board)
    posted = board_posted_at(config, board, number)
    roll = unit(keys["kind"], number)
    kind, source = "native", None
    if roll < CROSS_RATE + NEAR_MISS_RATE:
        source = _market_job(config, posted - int(unit(keys["delay"], number) * MAX_DELAY), posted - MAX_DELAY)
        if source is not None:
            kind = "cross" if roll < CROSS_RATE else ("near_title" if unit(keys["near"], number) < 0.5
                                                      else "near_company")
    streams = catalogue._streams(config.seed)
    if kind == "native":
        content = catalogue._content(_board_streams(config.seed, board), config, number)
    else:
        jsearch_content = catalogue._content(streams, config, catalogue._root(streams, config.repost_rate, source))
        if kind == "cross":
            content = jsearch_content
        elif kind == "near_title":  # same title, another company
            pool = pools.EMPLOYERS
            other = pool[derive(keys["other"], number) % len(pool)]
            if other.base_name == jsearch_content.employer.base_name:
                other = pool[(derive(keys["other"], number) + 1) % len(pool)]
            content = jsearch_content._replace(employer=other, employer_name=other.name_variants[0])
        else:  # the same company, another job
            native = catalogue._content(_board_streams(config.seed, board), config, number)
            if native.title == jsearch_content.title:
                native = native._replace(title=native.title + " II")
            content = native._replace(employer=jsearch_content.employer,
                                      employer_name=jsearch_content.employer.name_variants[0])
    german = board == "arbeitnow" and (content.country.code == "DE" or unit(keys["german"], number) < 0.35)
    if board == "arbeitnow" and kind in ("native", "near_company") and content.country.code != "DE" \
            and unit(keys["city"], number) < 0.7:
        germany = pools.COUNTRY_BY_CODE["DE"]
        city = germany.cities[derive(keys["city"], number) % len(germany.cities)]
        content = content._replace(country=germany, city=city, location=f"{city.name}, {germany.name}")
        german = True
    return BoardPosting(board, number, posted, kind, source, content, german)


# --- faults on board items ---------------------------------------------------------------------


def fault_index(board: str, number: int) -> int:
    """The index item faults are drawn for, for posting `number` of a board: apart from JSearch's."""
    return number * 4 + BOARDS.index(board) + 1


def board_malformed_kind(faults: FaultConfig, seed: int, board: str, number: int) -> str | None:
    """The malformed kind posting `number` of a board is served with, or None (what tests expect)."""
    return malformed_kind(faults, seed, fault_index(board, number))


def apply_board_faults(faults: FaultConfig, seed: int, board: str, number: int, item: dict[str, Any]) -> Any:
    """The item as served: maybe malformed (wins) or drifted, decided by (seed, board, number)."""
    kind = board_malformed_kind(faults, seed, board, number)
    if kind == MALFORMED_NOT_OBJECT_STRING:
        return NOT_OBJECT_STRING
    if kind == MALFORMED_NOT_OBJECT_NULL:
        return None
    if kind is not None:
        broken = dict(item)
        if kind == MALFORMED_MISSING_JOB_ID:
            del broken[ID_FIELD[board]]
        elif kind == MALFORMED_GARBAGE_TIMESTAMP:
            broken[TIME_FIELD[board]] = GARBAGE_TIMESTAMP
        elif kind == MALFORMED_NULL_TIMESTAMP:
            broken[TIME_FIELD[board]] = None
        return broken
    kind = drift_kind(faults, seed, fault_index(board, number))
    if kind is None:
        return item
    drifted = dict(item)
    if kind == DRIFT_EXTRA_FIELD:
        drifted["salary_currency"] = "EUR" if board == "arbeitnow" else "USD"
    elif board == "remotive":
        drifted["id"] = str(item["id"])  # ids as strings
    elif board == "arbeitnow":
        drifted["created_at"] = str(item["created_at"])  # epoch as a numeric string
    else:
        drifted["salary_min"] = str(item["salary_min"])  # amounts as strings
    return drifted


# --- what each endpoint serves ----------------------------------------------------------------


def postings(config: SandboxConfig, board: str, now: int, max_age_seconds: int | None = None) -> Iterator[BoardPosting]:
    """Visible postings of a board, newest first."""
    for number in reversed(visible_numbers(config, board, now, max_age_seconds)):
        yield board_posting(config, board, number)


def remotive_jobs(config: SandboxConfig, now: int, category: str | None, search: str | None,
                  limit: int | None) -> tuple[list[BoardPosting], int]:
    visible = list(postings(config, "remotive", now))
    chosen = []
    for post in visible:
        if category and REMOTIVE_CATEGORY.get(post.content.role.key, ("all-others",))[0] != category:
            continue
        if search:
            item = remotive_item(post)
            haystack = " ".join([item["title"], item["company_name"], *item["tags"]]).lower()
            if search.lower() not in haystack:
                continue
        chosen.append(post)
    return (chosen[:limit] if limit else chosen), len(visible)


def adzuna_postings(config: SandboxConfig, now: int, country: str, max_days_old: int | None) -> list[BoardPosting]:
    code = ADZUNA_COUNTRIES[country]
    max_age = max_days_old * 86400 if max_days_old else None
    return [post for post in postings(config, "adzuna", now, max_age) if post.content.country.code == code]


def job_id_of(post: BoardPosting) -> str:
    if post.board == "remotive":
        return str(2_000_000 + post.number)
    if post.board == "adzuna":
        return str(5_000_000_000 + post.number)
    return arbeitnow_item(post)["slug"]


def overlap_truth(config: SandboxConfig, now: int) -> dict[str, Any]:
    """Which visible board postings are the same job (grouped by the JSearch posting they copy),
    and the near misses that look alike but are not."""
    groups: dict[int, dict[str, Any]] = {}
    near: list[dict[str, Any]] = []
    counts = {board: 0 for board in BOARDS}
    for board in BOARDS:
        for post in postings(config, board, now):
            if board == "adzuna" and post.content.country.code not in ADZUNA_COUNTRIES.values():
                continue  # served by no country endpoint of the sandbox
            counts[board] += 1
            entry = {"board": board, "job_id": job_id_of(post)}
            if board == "adzuna":
                entry["country"] = post.content.country.code.lower()
            if post.kind == "cross":
                group = groups.setdefault(post.source_index, {
                    "jsearch_job_id": catalogue.job_id_for(config, post.source_index), "postings": []})
                group["postings"].append(entry)
            elif post.kind != "native":
                near.append({**entry, "kind": post.kind,
                             "resembles_jsearch_job_id": catalogue.job_id_for(config, post.source_index)})
    ordered = [groups[k] for k in sorted(groups)]
    return {"postings_by_board": counts, "same_job_groups": ordered, "near_misses": near}
