"""The JSearch catalogue's timeline: when posting ``i`` is posted, which postings are
reposts or dirty, and each posting's decision streams (see catalogue.py for the whole story)."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dlt_pipelines.job_boards.sandbox import pools
from dlt_pipelines.sandbox.config import EPOCH, SandboxConfig, parse_time
from dlt_pipelines.sandbox.hashing import stream_key, text_salt, unit

DIRTY_TITLE_NULL = "title_null"
DIRTY_TITLE_BLANK = "title_blank"
DIRTY_EMPLOYER_EMPTY = "employer_empty"
DIRTY_NEGATIVE_SALARY = "negative_salary"
DIRTY_SALARY_MIN_GT_MAX = "salary_min_gt_max"
DIRTY_ABSURD_SALARY = "absurd_salary"
DIRTY_UNKNOWN_EMPLOYMENT_TYPE = "unknown_employment_type"
DIRTY_EMPTY_DESCRIPTION = "empty_description"
DIRTY_KINDS = (
    DIRTY_TITLE_NULL,
    DIRTY_TITLE_BLANK,
    DIRTY_EMPLOYER_EMPTY,
    DIRTY_NEGATIVE_SALARY,
    DIRTY_SALARY_MIN_GT_MAX,
    DIRTY_ABSURD_SALARY,
    DIRTY_UNKNOWN_EMPLOYMENT_TYPE,
    DIRTY_EMPTY_DESCRIPTION,
)
ABSURD_SALARY = 1_000_000_000

DATE_POSTED_WINDOWS = {"today": 86400, "3days": 3 * 86400, "week": 7 * 86400, "month": 30 * 86400}
DATE_POSTED_VALUES = ("all", *DATE_POSTED_WINDOWS)
REPOST_LOOKBACK = 600  # a repost copies one of the previous 600 postings (10 days at 60/day)
REMOTE_RATE = 0.15

_COUNTRY_TABLE = pools.weighted_table([(n, c.weight) for n, c in enumerate(pools.COUNTRIES)])
_EMPLOYMENT_TABLE = pools.weighted_table(list(pools.EMPLOYMENT_WEIGHTS))
_BIT = pools.EMPLOYMENT_BITS


def _draws(key: int, index: int) -> Callable[[], int]:
    """64 pseudo-random bytes for (stream, index), handed out one at a time.

    Far cheaper than seeding a Mersenne Twister per posting; a posting uses fewer than 50.
    """
    return iter(hashlib.blake2b(b"%d:%d" % (key, index), digest_size=64).digest()).__next__


# --- decision streams -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Streams:
    repost: int
    origin: int
    country: int
    remote: int
    employment: int
    employment_extra: int
    dirty: int
    dirty_kind: int
    content: int
    listing: int
    link: int
    page_dup: int


@lru_cache(maxsize=64)
def _streams(seed: int) -> _Streams:
    names = _Streams.__dataclass_fields__
    return _Streams(**{name: stream_key(seed, text_salt("catalogue." + name)) for name in names})


def _origin(streams: _Streams, repost_rate: float, index: int) -> int | None:
    if index <= 0 or repost_rate <= 0 or unit(streams.repost, index) >= repost_rate:
        return None
    span = min(index, REPOST_LOOKBACK)
    return index - 1 - int(unit(streams.origin, index) * span)


def _root(streams: _Streams, repost_rate: float, index: int) -> int:
    origin = _origin(streams, repost_rate, index)
    while origin is not None:
        index = origin
        origin = _origin(streams, repost_rate, index)
    return index


def _dirty(streams: _Streams, dirty_rate: float, index: int) -> str | None:
    if dirty_rate <= 0 or unit(streams.dirty, index) >= dirty_rate:
        return None
    return DIRTY_KINDS[int(unit(streams.dirty_kind, index) * len(DIRTY_KINDS))]


def _root_facets(streams: _Streams, root: int) -> tuple[int, bool, tuple[str, ...]]:
    """Country index, remote flag and employment types (primary first) of a root posting."""
    country = _COUNTRY_TABLE[int(unit(streams.country, root) * len(_COUNTRY_TABLE))]
    remote = unit(streams.remote, root) < REMOTE_RATE
    primary = _EMPLOYMENT_TABLE[int(unit(streams.employment, root) * len(_EMPLOYMENT_TABLE))]
    extra = unit(streams.employment_extra, root)
    if primary == pools.FULLTIME and extra < 0.04:
        return country, remote, (primary, pools.CONTRACTOR)
    if primary == pools.FULLTIME and extra < 0.07:
        return country, remote, (primary, pools.PARTTIME)
    if primary == pools.CONTRACTOR and extra < 0.15:
        return country, remote, (primary, pools.FULLTIME)
    return country, remote, (primary,)


def _clean_facet(streams: _Streams, root: int) -> int:
    """Packed facets of a root posting: bits 0-2 country, bit 3 remote, bits 4-7 type mask."""
    country, remote, types = _root_facets(streams, root)
    mask = 0
    for name in types:
        mask |= _BIT[name]
    return country | (8 if remote else 0) | (mask << 4)


class _FacetCache:
    """Facets of each posting index, memoised in a bytearray so filters can scan quickly."""

    _UNSET = 0xFF  # impossible value: it would mean all four employment types at once

    def __init__(self, seed: int, repost_rate: float, dirty_rate: float) -> None:
        self.streams = _streams(seed)
        self.repost_rate = repost_rate
        self.dirty_rate = dirty_rate
        self.values = bytearray()
        self.lock = threading.Lock()

    def compute(self, index: int) -> int:
        root = _root(self.streams, self.repost_rate, index)
        facet = _clean_facet(self.streams, root)
        if _dirty(self.streams, self.dirty_rate, index) == DIRTY_UNKNOWN_EMPLOYMENT_TYPE:
            facet &= 0x0F
        return facet

    def get(self, index: int) -> int:
        values = self.values
        if index >= len(values):
            with self.lock:
                if index >= len(self.values):
                    self.values.extend(b"\xff" * (index + 1 - len(self.values) + 4096))
            values = self.values
        value = values[index]
        if value == self._UNSET:
            value = self.compute(index)
            values[index] = value
        return value


_FACET_CACHES: dict[tuple, _FacetCache] = {}
_FACET_LOCK = threading.Lock()


def _facet_cache(config: SandboxConfig) -> _FacetCache:
    key = (config.seed, config.repost_rate, config.dirty_rate)
    cache = _FACET_CACHES.get(key)
    if cache is None:
        with _FACET_LOCK:
            cache = _FACET_CACHES.setdefault(key, _FacetCache(*key))
    return cache


# --- timeline ---------------------------------------------------------------------------------


def posted_at(config: SandboxConfig, index: int) -> int:
    """Epoch seconds at which posting ``index`` is posted."""
    per_day = config.postings_per_day
    if float(per_day).is_integer():
        return EPOCH + (index * 86400) // int(per_day)
    return EPOCH + int(index * 86400 / per_day)


def last_index_at_or_before(config: SandboxConfig, timestamp: int) -> int:
    """Highest index posted at or before ``timestamp``; -1 if none."""
    if timestamp < EPOCH:
        return -1
    guess = max(0, int((timestamp - EPOCH) * config.postings_per_day / 86400))
    while posted_at(config, guess + 1) <= timestamp:
        guess += 1
    while guess >= 0 and posted_at(config, guess) > timestamp:
        guess -= 1
    return guess


def window_seconds(config: SandboxConfig, date_posted: str = "all") -> int:
    """Length of the look-back window for a ``date_posted`` value."""
    if date_posted == "all":
        return config.history_days * 86400
    try:
        return DATE_POSTED_WINDOWS[date_posted]
    except KeyError:
        raise ValueError(f"date_posted must be one of {DATE_POSTED_VALUES}, not {date_posted!r}") from None


def visible_range(config: SandboxConfig, now: Any = None, date_posted: str = "all") -> range:
    """Indices (ascending) visible at ``now`` for ``date_posted``, before any filter."""
    now_ts = _now_for(config, now)
    high = last_index_at_or_before(config, now_ts)
    low = last_index_at_or_before(config, now_ts - window_seconds(config, date_posted)) + 1
    return range(low, high + 1)


def new_postings_between(config: SandboxConfig, start: Any, end: Any) -> range:
    """Indices (ascending) posted in ``(start, end]``: what appears when the clock moves."""
    return range(
        last_index_at_or_before(config, parse_time(start)) + 1,
        last_index_at_or_before(config, parse_time(end)) + 1,
    )



def repost_origin(config: SandboxConfig, index: int) -> int | None:
    """Index of the posting that ``index`` reposts directly, or None."""
    return _origin(_streams(config.seed), config.repost_rate, index)


def dirty_kind(config: SandboxConfig, index: int) -> str | None:
    """DIRTY_* kind of posting ``index``, or None for a clean posting."""
    return _dirty(_streams(config.seed), config.dirty_rate, index)


def job_id_for(config: SandboxConfig, index: int) -> str:
    """Base64 job id like the real API's (16 bytes, trailing zero bytes => ends in '==')."""
    digest = hashlib.blake2b(b"%d:%d" % (config.seed, index), digest_size=12).digest()
    return base64.urlsafe_b64encode(digest + b"\0\0\0\0").decode()



def _now_for(config: SandboxConfig, now: Any) -> int:
    if now is not None:
        return parse_time(now)
    if config.now is not None:
        return config.now
    return int(time.time())

