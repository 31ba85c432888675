"""Filters and paging of the JSearch catalogue: exactly what ``/search`` serves, without HTTP."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dlt_pipelines.job_boards.sandbox import pools
from dlt_pipelines.job_boards.sandbox.timeline import (
    _BIT,
    _dirty,
    _facet_cache,
    _origin,
    _streams,
    job_id_for,
    visible_range,
)
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import drift_kind, malformed_kind
from dlt_pipelines.sandbox.hashing import unit

# --- filters and paging -----------------------------------------------------------------------


def parse_employment_types(value: str | Iterable[str] | None) -> int:
    """Bit mask for an ``employment_types`` value (comma list); 0 means no filter."""
    if value is None:
        return 0
    items = value.split(",") if isinstance(value, str) else list(value)
    mask = 0
    for item in items:
        name = item.strip().upper()
        if not name:
            continue
        if name not in _BIT:
            raise ValueError(f"unknown employment type {item!r}; use {','.join(pools.EMPLOYMENT_TYPES)}")
        mask |= _BIT[name]
    return mask


_FILTER_RESULTS: OrderedDict[tuple, tuple[int, ...]] = OrderedDict()
_FILTER_LOCK = threading.Lock()


def visible_indices(
    config: SandboxConfig,
    now: Any = None,
    date_posted: str = "all",
    *,
    country: str | None = None,
    remote_jobs_only: bool = False,
    employment_types: str | Iterable[str] | None = None,
) -> Sequence[int]:
    """Indices the server returns for these parameters, newest first (before paging).

    ``country`` narrows only when ``config.country_filter`` is on, exactly like the server.
    """
    indices = visible_range(config, now, date_posted)[::-1]
    type_mask = parse_employment_types(employment_types)
    country_index = None
    if country and config.country_filter:
        codes = [c.code for c in pools.COUNTRIES]
        if country.upper() not in codes:
            return ()
        country_index = codes.index(country.upper())
    if country_index is None and not remote_jobs_only and not type_mask:
        return indices
    cache = _facet_cache(config)
    key = (config.seed, config.repost_rate, config.dirty_rate, indices.start, indices.stop,
           country_index, remote_jobs_only, type_mask)  # fmt: skip
    with _FILTER_LOCK:
        hit = _FILTER_RESULTS.get(key)
        if hit is not None:
            _FILTER_RESULTS.move_to_end(key)
            return hit
    get = cache.get
    result = []
    for index in indices:
        facet = get(index)
        if country_index is not None and facet & 7 != country_index:
            continue
        if remote_jobs_only and not facet & 8:
            continue
        if type_mask and not (facet >> 4) & type_mask:
            continue
        result.append(index)
    found = tuple(result)
    with _FILTER_LOCK:
        _FILTER_RESULTS[key] = found
        while len(_FILTER_RESULTS) > 32:
            _FILTER_RESULTS.popitem(last=False)
    return found


def repeats_on_next_page(config: SandboxConfig, index: int) -> bool:
    """Whether posting ``index``, when last on a page, is served again first on the next page."""
    rate = config.page_dup_rate
    return rate > 0 and unit(_streams(config.seed).page_dup, index) < rate


def page_slice(config: SandboxConfig, ordered: Sequence[int], page: int, num_pages: int = 1) -> list[int]:
    """Indices served for ``page``..``page+num_pages-1`` of an ordered result, with page duplicates."""
    size = config.page_size
    served: list[int] = []
    for current in range(page, page + num_pages):
        start = (current - 1) * size
        chunk = ordered[start : start + size]
        if not chunk:
            break
        if start > 0 and repeats_on_next_page(config, ordered[start - 1]):
            served.append(ordered[start - 1])
        served.extend(chunk)
    return served


def page_indices(
    config: SandboxConfig,
    now: Any = None,
    page: int = 1,
    num_pages: int = 1,
    date_posted: str = "all",
    **filters: Any,
) -> list[int]:
    """Exactly the posting indices in ``data`` of a ``/search`` response (no HTTP)."""
    return page_slice(config, visible_indices(config, now, date_posted, **filters), page, num_pages)


@dataclass(frozen=True)
class ExpectedPostings:
    """What a full paging walk over ``/search`` returns; lets tests assert exact counts."""

    indices: tuple[int, ...]  # unique postings, newest first
    job_ids: tuple[str, ...]  # same order as indices
    pages: int  # pages of page_size needed to reach the end
    served_count: int  # items served over all pages, page duplicates included
    page_duplicates: tuple[int, ...]  # indices served twice (end of one page, start of the next)
    reposts: dict[int, int]  # index -> index of the posting whose content it repeats
    dirty: dict[int, str]  # index -> DIRTY_* kind
    malformed: dict[int, str]  # index -> MALFORMED_* kind (only with the malformed fault on)
    drift: dict[int, str]  # index -> DRIFT_* kind (only with the drift fault on; malformed wins)

    @property
    def count(self) -> int:
        return len(self.indices)


def expected_postings(
    config: SandboxConfig, now: Any = None, date_posted: str = "all", **filters: Any
) -> ExpectedPostings:
    """Compute, without HTTP, every posting the server returns for these parameters."""
    ordered = tuple(visible_indices(config, now, date_posted, **filters))
    size = config.page_size
    boundaries = range(size, len(ordered), size)
    duplicates = tuple(ordered[s - 1] for s in boundaries if repeats_on_next_page(config, ordered[s - 1]))
    streams = _streams(config.seed)
    reposts = {}
    dirty = {}
    for index in ordered:
        origin = _origin(streams, config.repost_rate, index)
        if origin is not None:
            reposts[index] = origin
        kind = _dirty(streams, config.dirty_rate, index)
        if kind is not None:
            dirty[index] = kind
    faults = config.faults
    malformed: dict[int, str] = {}
    drift: dict[int, str] = {}
    if faults.any_item_faults:
        for index in ordered:
            kind = malformed_kind(faults, config.seed, index)
            if kind is not None:
                malformed[index] = kind
                continue
            kind = drift_kind(faults, config.seed, index)
            if kind is not None:
                drift[index] = kind
    return ExpectedPostings(
        indices=ordered,
        job_ids=tuple(job_id_for(config, index) for index in ordered),
        pages=-(-len(ordered) // size),
        served_count=len(ordered) + len(duplicates),
        page_duplicates=duplicates,
        reposts=reposts,
        dirty=dirty,
        malformed=malformed,
        drift=drift,
    )


