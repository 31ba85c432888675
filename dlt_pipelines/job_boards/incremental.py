"""Incremental loading of a job board whose API lists current postings: what is new or changed.

Job boards re-list the same postings on every call (Remotive and Arbeitnow return their whole
board; Adzuna a window of days). The resource state keeps the newest posting time loaded and a
change hash of every posting posted within `retention` of it; a posting is loaded only if it is
new or its hash changed. An unknown posting older than that horizon was loaded before and since
forgotten: it is skipped, unless the run is a backfill (replay of captured responses), which
loads whatever it has not seen.

Why not dlt's `incremental` cursor: it drops postings older than the cursor that a board indexes
late, cannot tell a changed posting from an unchanged one, and cannot see the rejected records
routed from the same stream. The state lives in dlt's resource state, so it is committed with
the data it describes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
from dlt.common import logger

from dlt_pipelines.job_boards.records import Rejected, hinted_postings, hinted_rejected, payload_and_hash, reject_key

FIRST_SEEN = "first_seen"
BATCH_ROWS = 5000


class PostingTracker:
    """Decides, per posting, whether to load it; remembers what was loaded in resource state."""

    def __init__(self, state: dict[str, Any], retention: timedelta, fetched_at: datetime,
                 backfill: bool = False, first_seen_retention: timedelta | None = None) -> None:
        self.state = state
        self.retention = retention
        # postings without a time of their own are dated the day they were first seen
        self.first_seen_retention = first_seen_retention or retention
        self.fetched_at = fetched_at
        self.backfill = backfill
        self.recent: dict[str, list[Any]] = state.setdefault("recent", {})
        # records already quarantined: reject_key -> when first rejected (see Batcher.add)
        self.rejects: dict[str, str] = state.setdefault("reject_keys", {})
        # the keys of before reject_key (they had the search: one reject per query), until they expire
        self.legacy_rejects: dict[str, str] = state.get("rejects", {})
        raw = state.get("newest_posted_at")
        self.newest: datetime | None = datetime.fromisoformat(raw) if raw else None
        self.horizon = self.newest - retention if self.newest else None
        self.emitted: set[str] = set()
        self.skipped_old = 0

    def admit(self, job_id: str, posted_at: datetime, posted_from: str, digest: str) -> datetime | None:
        """The posting time to load the posting with, or None to skip it."""
        known = self.recent.get(job_id)
        if job_id in self.emitted or (known and known[1] == digest):
            return None  # served twice in this run, or unchanged since it was loaded
        timed = posted_from != FIRST_SEEN
        if known and not timed:
            posted_at = datetime.fromisoformat(known[0])  # keep the first-seen day stable
        elif not known and timed and not self.backfill and self.horizon and posted_at < self.horizon:
            self.skipped_old += 1
            return None
        self.recent[job_id] = [posted_at.isoformat(), digest, posted_from]
        self.emitted.add(job_id)
        if timed and (self.newest is None or posted_at > self.newest):
            self.newest = posted_at
        return posted_at

    def first_rejection(self, key: str, legacy_key: str) -> bool:
        """True the first time a bad record is seen (within the retention): only then is it quarantined.
        One quarantined under its legacy key is not stored again: its row has no reject_key."""
        if key in self.rejects:
            return False
        legacy_at = self.legacy_rejects.get(legacy_key)
        self.rejects[key] = legacy_at or self.fetched_at.isoformat()
        return legacy_at is None

    def finish(self, board: str) -> None:
        """Store the newest time and forget postings that can no longer be re-listed as unknown."""
        if self.skipped_old:
            logger.info("%s: skipped %d postings posted before the remembered horizon", board, self.skipped_old)
        reject_cutoff = self.fetched_at - self.first_seen_retention
        for rejects in (self.rejects, self.legacy_rejects):
            for key in [k for k, at in rejects.items() if datetime.fromisoformat(at) < reject_cutoff]:
                del rejects[key]
        if not self.legacy_rejects:
            self.state.pop("rejects", None)
        if self.newest is None:
            return
        self.state["newest_posted_at"] = self.newest.isoformat()
        if self.backfill:
            return  # a backfill keeps every hash, so replaying the same capture again loads nothing
        cutoff = self.newest - self.retention
        first_seen_cutoff = self.fetched_at - self.first_seen_retention
        for job_id in [k for k, (posted, _, source) in self.recent.items()
                       if datetime.fromisoformat(posted) < (first_seen_cutoff if source == FIRST_SEEN else cutoff)]:
            del self.recent[job_id]


class Batcher:
    """Turns API items into hinted Arrow tables: postings that pass, rejects with their reason."""

    def __init__(self, tracker: PostingTracker, check: Callable[[Any], tuple[str, datetime, str]], id_field: str,
                 volatile: Iterable[str] = (), with_country: bool = True,
                 legacy_keys_with_country: bool = True) -> None:
        self.tracker = tracker
        self.id_field = id_field  # the board's record id: what tells bad records apart (records.reject_key)
        self.with_country = with_country
        # whether the board's state keys of bad records from before reject_key held the country
        # (JSearch's did not: its raw table had no search_country then)
        self.legacy_keys_with_country = legacy_keys_with_country
        self.check = check  # item -> (job_id, posted_at, posted_from), raises Rejected
        self.volatile = tuple(volatile)
        self.rows: list[tuple[Any, ...]] = []
        self.rejected: list[tuple[Any, ...]] = []

    def add(self, items: Iterable[Any], query: str | None, country: str | None = None) -> Iterator[Any]:
        """A bad record is quarantined once: every query that returns it and every rerun serves it
        again. It is recognised by its reject_key (its id, else its content, else its place after
        the valid posting listed before it: the board's order is stable), kept in the state for the
        retention; the insert-only merge on reject_key stores it once even past that. The first
        query and run to reject it are the ones kept. (A value that is not an object and moves in
        the listing may be quarantined again: a duplicate in the rejected table, never a loss.)"""
        fetched_at = self.tracker.fetched_at
        previous, run = "", 0
        for item in items:
            try:
                job_id, posted_at, posted_from = self.check(item)
            except Rejected as problem:
                run += 1  # bad records in a row after the same posting are told apart by position
                reason = str(problem)
                key = reject_key(item, reason, self.id_field, (previous, run), self.volatile)
                legacy = _legacy_key(item, query, country if self.legacy_keys_with_country else None, previous, run)
                if self.tracker.first_rejection(key, legacy):
                    self.rejected.append((fetched_at, reason, query, item, key))
                continue
            previous, run = job_id, 0
            payload, digest = payload_and_hash(item, self.volatile)
            admitted = self.tracker.admit(job_id, posted_at, posted_from, digest)
            if admitted is not None:
                row = (job_id, admitted, posted_from, query, fetched_at, payload)
                self.rows.append((*row, country) if self.with_country else row)
        if len(self.rows) >= BATCH_ROWS:
            yield hinted_postings(self.rows, self.with_country)
            self.rows = []
        if self.rejected:
            yield hinted_rejected(self.rejected)
            self.rejected = []

    def close(self) -> Iterator[Any]:
        if self.rows:
            yield hinted_postings(self.rows, self.with_country)
            self.rows = []
        # always declared, so the quarantine model has a table to read even before the first reject
        yield hinted_rejected([])


def _legacy_key(item: Any, query: str | None, country: str | None, previous: str, run: int) -> str:
    """The state key of a bad record before reject_key (remembered for the retention after the upgrade)."""
    return hashlib.blake2b(orjson.dumps([item, query, country, previous, run]), digest_size=8).hexdigest()


def first_seen_day(fetched_at: datetime) -> datetime:
    return fetched_at.replace(hour=0, minute=0, second=0, microsecond=0)


def require_object_with_id(item: Any, id_field: str) -> tuple[dict[str, Any], str]:
    """Hard validation shared by the boards: a JSON object with a non-empty id (as text)."""
    if not isinstance(item, dict):
        raise Rejected(f"item is not a JSON object but {type(item).__name__}")
    raw = item.get(id_field)
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise Rejected(f"missing {id_field}")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, (str, int)):
        raise Rejected(f"{id_field} is not a string or a number but {type(raw).__name__}")
    return item, str(raw).strip()


def check_board_item(item: Any, fetched_at: datetime, id_field: str, time_field: str,
                     parse_time: Callable[[Any], datetime | None]) -> tuple[str, datetime, str]:
    """(job_id, posted_at, where the time came from) of a board item; raises Rejected for what
    cannot be loaded. A missing time is the day first seen; an unreadable one is a reject."""
    posting, job_id = require_object_with_id(item, id_field)
    raw = posting.get(time_field)
    if raw is None or raw == "":
        return job_id, first_seen_day(fetched_at), FIRST_SEEN
    posted_at = parse_time(raw)
    if posted_at is None:
        raise Rejected(f"unparseable {time_field} {str(raw)[:40]!r}")
    return job_id, posted_at, time_field
