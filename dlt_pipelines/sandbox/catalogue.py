"""Deterministic catalogue of generated job postings, shaped like JSearch ``/search`` items.

Why: the sandbox must serve realistic postings that are identical on every run so pipelines
can be tested end to end and asserted exactly. The catalogue is an infinite absolute
timeline: posting ``i`` (i >= 0) is posted at ``EPOCH + i * 86400 / postings_per_day``
(EPOCH = 2026-01-01T00:00:00Z) and its content depends only on ``(seed, i)`` (and the
configured rates). Nothing is stored; any posting can be generated on demand, and the
helpers at the bottom compute what the server returns without any HTTP.

Visibility: a posting is visible at simulated time ``now`` when
``now - window < posted_at <= now``, window being 24 h (today), 72 h (3days), 7 d (week),
30 d (month) or ``history_days`` (all). Results are ordered newest first (higher index
first), which is stable because the order is a function of the index alone.

Reposts (``repost_rate``, default 5%): posting i copies the content (employer, title,
location, description, salary, highlights) of an earlier posting within the previous
``REPOST_LOOKBACK`` postings; it has its own job_id, time and publisher.

Page duplicates (``page_dup_rate``, default 1% of page boundaries): the last item of a page
is served again as the first item of the next page, like the real API sometimes does; that
page then holds ``page_size + 1`` items.

Dirty records (``dirty_rate``, default 3%): still JSON objects with a job_id and timestamp,
but with one bad value. The kinds (constants below) are picked uniformly:

``DIRTY_TITLE_NULL``               job_title is null
``DIRTY_TITLE_BLANK``              job_title is "" or whitespace
``DIRTY_EMPLOYER_EMPTY``           employer_name is ""
``DIRTY_NEGATIVE_SALARY``          job_min_salary is negative
``DIRTY_SALARY_MIN_GT_MAX``        job_min_salary > job_max_salary
``DIRTY_ABSURD_SALARY``            job_max_salary is 1_000_000_000
``DIRTY_UNKNOWN_EMPLOYMENT_TYPE``  employment type outside FULLTIME/PARTTIME/CONTRACTOR/INTERN
                                   (such postings never match an ``employment_types`` filter)
``DIRTY_EMPTY_DESCRIPTION``        job_description is ""

Helpers taking ``now`` accept an ISO-8601 string, a datetime or epoch seconds; None means the
config's clock (``SANDBOX_NOW`` if frozen, else the wall clock), exactly as the server reads it.

Salary: the real API has no currency field; amounts are in the local currency of
``job_country`` (USD, GBP, EUR, CAD, INR, AUD).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from random import Random
from typing import Any, NamedTuple

from dlt_pipelines.sandbox import pools
from dlt_pipelines.sandbox.config import EPOCH, SandboxConfig, parse_time
from dlt_pipelines.sandbox.faults import drift_kind, malformed_kind
from dlt_pipelines.sandbox.hashing import derive, stream_key, text_salt, unit

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

ITEM_KEYS = (
    "job_id", "job_title", "employer_name", "employer_logo", "employer_website", "job_publisher",
    "job_employment_type", "job_employment_types", "job_apply_link", "job_apply_is_direct", "apply_options",
    "job_description", "job_is_remote", "job_posted_at", "job_posted_at_timestamp",
    "job_posted_at_datetime_utc", "job_location", "job_city", "job_state", "job_country", "job_latitude",
    "job_longitude", "job_benefits", "job_google_link", "job_salary", "job_min_salary", "job_max_salary",
    "job_salary_period", "job_highlights", "job_onet_soc", "job_onet_job_zone",
)  # fmt: skip

# --- precomputed lookup tables --------------------------------------------------------------

_COUNTRY_TABLE = pools.weighted_table([(n, c.weight) for n, c in enumerate(pools.COUNTRIES)])
_EMPLOYMENT_TABLE = pools.weighted_table(list(pools.EMPLOYMENT_WEIGHTS))
_ROLE_TABLE = pools.weighted_table([(role, role.weight) for role in pools.ROLES])
_SENIORITY_TABLE = pools.weighted_table([((prefix, level), w) for prefix, level, w in pools.SENIORITY])
_BIT = pools.EMPLOYMENT_BITS
_TECH_FORMS = pools.TECH_FORMS
_TECH_LINES = tuple((line, 3 if "{c}" in line else 2 if "{b}" in line else 1) for line in pools.TECH_LINES)
_INTERN_TITLE_FORMS = ("{t}", "{t}", "Intern - {base}", "{base} Intern", "{base} Internship (Summer)")
_YEARS_BY_LEVEL = {-1: 0, 0: 1, 1: 3, 2: 5, 3: 8}
_PERIOD_DIVISOR = {"YEAR": 1, "MONTH": 12, "WEEK": 52, "DAY": 220, "HOUR": 2080}
_PERIOD_ROUND = {"YEAR": 1000, "MONTH": 100, "WEEK": 10, "DAY": 10, "HOUR": 1}
_PERIOD_WORDS = {"YEAR": "a year", "MONTH": "a month", "WEEK": "a week", "DAY": "a day", "HOUR": "an hour"}
_PERIODS_BY_TYPE = {
    pools.FULLTIME: pools.weighted_table([("YEAR", 84), ("MONTH", 11), ("WEEK", 3), ("HOUR", 2)]),
    pools.CONTRACTOR: pools.weighted_table([("HOUR", 58), ("DAY", 25), ("YEAR", 11), ("WEEK", 6)]),
    pools.PARTTIME: pools.weighted_table([("HOUR", 85), ("MONTH", 15)]),
    pools.INTERN: pools.weighted_table([("MONTH", 50), ("HOUR", 50)]),
}


def _publisher_table(country: pools.Country) -> tuple:
    pairs: list[tuple[object, int]] = []
    for name, weight, kind in pools.GLOBAL_BOARDS:
        if kind == "ziprecruiter" and country.code not in ("US", "CA"):
            continue
        pairs.append(((name, kind), weight))
    for name, host in country.local_boards:
        pairs.append(((name, "board:" + host), pools.LOCAL_BOARD_WEIGHT))
    return pools.weighted_table(pairs)


_PUBLISHER_TABLES = tuple(_publisher_table(country) for country in pools.COUNTRIES)


try:  # the C generator without the Python-level wrapper: same sequence, cheaper to seed
    from _random import Random as _random_source
except ImportError:  # pragma: no cover - other interpreters
    _random_source = Random


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


# --- generation -------------------------------------------------------------------------------


def relative_age(seconds: int) -> str:
    """Human text like the API's ``job_posted_at`` ("3 days ago"); always "<n> <unit>(s) ago"."""
    if seconds < 3600:
        value, unit_name = max(1, seconds // 60), "minute"
    elif seconds < 86400:
        value, unit_name = seconds // 3600, "hour"
    else:
        value, unit_name = seconds // 86400, "day"
    return f"{value} {unit_name}{'' if value == 1 else 's'} ago"


def _money(symbol: str, amount: int, period: str, currency: str) -> str:
    if period == "YEAR":
        if currency == "INR":
            return f"{symbol}{amount / 100000:g}L"
        return f"{symbol}{amount // 1000}K"
    return f"{symbol}{amount:,}"


class _Content(NamedTuple):
    """Fields shared by a posting and its reposts (generated once from the root index)."""

    title: str
    employer_name: str
    employer: pools.Employer
    country: pools.Country
    country_index: int
    city: pools.City
    location: str
    is_remote: bool
    types: tuple[str, ...]
    description: str
    salary_text: str | None
    min_salary: int
    max_salary: int
    period: str
    has_salary: bool
    benefits: tuple[str, ...] | None
    highlights: dict[str, list[str]]
    role: pools.Role


class _Body(NamedTuple):
    """The role-specific middle of a description (duties and requirements), pre-rendered."""

    plain: str
    html: str
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    extra_qualification: str | None


BODY_BANK_SIZE = 512  # pre-rendered bodies per role and seed; postings combine them with their own parts
_BODY_BANKS: dict[tuple[int, int], tuple[_Body, ...]] = {}
_BANK_LOCK = threading.Lock()
_BODY_SALT = text_salt("catalogue.body")


_AN_PREFIXES = ("ML ", "MLOps", "NLP", "SRE", "SDET", "SOC ", "HTML", "R ")


def _with_article(title: str) -> str:
    """'a Data Engineer' / 'an ML Engineer' (by sound, for the common cases)."""
    if title[:1].lower() in "aeiou" or title.startswith(_AN_PREFIXES):
        return "an " + title
    return "a " + title


def _pick_techs(r: Any, role: pools.Role) -> list[str]:
    pool = role.techs
    wanted = min(len(pool), 4 + int(r() * 4))
    chosen: list[str] = []
    for _ in range(24):
        key = pool[int(len(pool) * r() ** 1.4)]
        if key not in chosen:
            chosen.append(key)
            if len(chosen) == wanted:
                break
    return chosen


def _render_body(seed_value: int, role: pools.Role) -> _Body:
    r = _random_source(seed_value).random
    techs = _pick_techs(r, role)
    mentions = [0]

    def tech() -> str:
        forms = _TECH_FORMS[techs[mentions[0] % len(techs)]]
        mentions[0] += 1
        return forms[int(r() * len(forms))]

    duties_pool = role.duties
    start = int(r() * len(duties_pool))
    duties = []
    for n in range(2 + int(r() * 2)):
        duty = duties_pool[(start + n) % len(duties_pool)]
        duties.append(duty.format(a=tech()) if "{a}" in duty else duty)
    requirements = []
    used: set[int] = set()
    for _ in range(3 + int(r() * 2)):
        pick = int(r() * len(_TECH_LINES))
        while pick in used:
            pick = (pick + 1) % len(_TECH_LINES)
        used.add(pick)
        line, arity = _TECH_LINES[pick]
        if arity == 1:
            requirements.append(line.format(a=tech()))
        elif arity == 2:
            requirements.append(line.format(a=tech(), b=tech()))
        else:
            requirements.append(line.format(a=tech(), b=tech(), c=tech()))
    traps = []
    trap_roll = r()
    if trap_roll < 0.35:
        traps.append(pools.SKILL_TRAPS[int(r() * len(pools.SKILL_TRAPS))])
        if trap_roll < 0.08:
            traps.append(pools.SKILL_TRAPS[int(r() * len(pools.SKILL_TRAPS))])
    duty_header = pools.DUTY_HEADERS[int(r() * len(pools.DUTY_HEADERS))]
    requirement_header = pools.REQUIREMENT_HEADERS[int(r() * len(pools.REQUIREMENT_HEADERS))]
    bullet = pools.BULLETS[int(r() * len(pools.BULLETS))]
    trap_text = " ".join(traps)
    plain = (
        f"{duty_header}\n{bullet}"
        + f"\n{bullet}".join(duties)
        + f"\n\n{requirement_header}\n{bullet}"
        + f"\n{bullet}".join(requirements)
        + ("\n\n" + trap_text if traps else "")
    )
    html = (
        f"<p><b>{duty_header}</b></p><ul><li>"
        + "</li><li>".join(duties)
        + f"</li></ul><p><b>{requirement_header}</b></p><ul><li>"
        + "</li><li>".join(requirements)
        + "</li></ul>"
        + (f"<p>{trap_text}</p>" if traps else "")
    ).replace("&", "&amp;")
    extra = None
    if r() < 0.5:
        extra = pools.QUALIFICATION_LINES[1 + int(r() * (len(pools.QUALIFICATION_LINES) - 1))]
    return _Body(plain, html, tuple(duties), tuple(requirements), extra)


def _body_bank(seed: int, role_index: int) -> tuple[_Body, ...]:
    """Bodies for one role, rendered on first use; deterministic from the seed."""
    key = (seed, role_index)
    bank = _BODY_BANKS.get(key)
    if bank is None:
        stream = stream_key(seed, _BODY_SALT + role_index)
        role = pools.ROLES[role_index]
        built = tuple(_render_body(derive(stream, n), role) for n in range(BODY_BANK_SIZE))
        with _BANK_LOCK:
            bank = _BODY_BANKS.setdefault(key, built)
    return bank


def _benefit_combo(country: pools.Country, r: Any) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    texts: list[str] = []
    codes: list[str] = []
    benefit_pool = country.benefits
    for _ in range(2 + int(r() * 3)):
        text, code = benefit_pool[int(r() * len(benefit_pool))]
        if text not in texts:
            texts.append(text)
            if code and code not in codes:
                codes.append(code)
    sentence = "We offer: " + ", ".join(t[0].lower() + t[1:] for t in texts) + "."
    return tuple(texts), tuple(codes), sentence


def _build_benefit_combos() -> tuple[tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...], ...]:
    combos = []
    for n, country in enumerate(pools.COUNTRIES):
        stream = stream_key(0, text_salt("catalogue.benefits") + n)
        combos.append(
            tuple(_benefit_combo(country, _random_source(derive(stream, k)).random) for k in range(64))
        )
    return tuple(combos)


_BENEFIT_COMBOS = _build_benefit_combos()
_ROLE_INDEX = {role.key: n for n, role in enumerate(pools.ROLES)}
_ROLE_TABLE_INDEXED = tuple(_ROLE_INDEX[role.key] for role in _ROLE_TABLE)


def _content(streams: _Streams, config: SandboxConfig, root: int) -> _Content:
    country_index, is_remote, types = _root_facets(streams, root)
    country = pools.COUNTRIES[country_index]
    primary = types[0]
    b = _draws(streams.content, root)

    role_index = _ROLE_TABLE_INDEXED[b() * len(_ROLE_TABLE_INDEXED) >> 8]
    role = pools.ROLES[role_index]
    team = role.teams[b() * len(role.teams) >> 8]
    base_title = role.titles[b() * len(role.titles) >> 8]
    if primary == pools.INTERN:
        level = -1
        form = _INTERN_TITLE_FORMS[b() * len(_INTERN_TITLE_FORMS) >> 8]
        title = form.format(t=role.intern_title, base=base_title)
    else:
        prefix, level = _SENIORITY_TABLE[b() * len(_SENIORITY_TABLE) >> 8]
        title = prefix + base_title
        if not prefix and b() < 0.12 * 256:
            suffix, level = pools.LEVEL_SUFFIXES[b() * len(pools.LEVEL_SUFFIXES) >> 8]
            title += suffix
        if b() < 0.12 * 256:
            title += (", " if b() < 0.5 * 256 else " – ") + team
        if country.title_suffixes and b() < 0.45 * 256:
            title += country.title_suffixes[b() * len(country.title_suffixes) >> 8]
        if primary == pools.CONTRACTOR and b() < 0.3 * 256:
            title += " (Contract)" if b() < 0.6 * 256 else " - 6 Month Contract"
    if is_remote and b() < 0.3 * 256:
        title += " - Remote" if b() < 0.5 * 256 else " (Remote)"
    if b() < 0.015 * 256:
        title = title.upper()

    local = pools.EMPLOYERS_BY_COUNTRY[country.code]
    pool = local if local and b() < 0.6 * 256 else pools.EMPLOYERS
    employer = pool[int(len(pool) * (b() / 256) ** 1.7)]
    names = employer.name_table
    employer_name = names[b() * len(names) >> 8]
    cities = country.cities
    city = cities[int(len(cities) * (b() / 256) ** 1.3)]
    if country.code in pools.STATE_STYLE_LOCATIONS:
        location = f"{city.name}, {city.state_code}"
    else:
        location = f"{city.name}, {country.name}"

    products, customers = pools.INDUSTRIES[employer.industry]
    fields = {
        "employer": employer.base_name,
        "title": title,
        "a_title": _with_article(title),
        "team": team,
        "city": city.name,
        "product": products[b() * len(products) >> 8],
        "customers": customers[b() * len(customers) >> 8],
        "region": country.region,
        "year": 1990 + (b() * 34 >> 8),
        "markets": 3 + (b() * 40 >> 8),
        "country": country.name,
    }
    opening = (
        pools.INTROS[b() * len(pools.INTROS) >> 8].format_map(fields)
        + " "
        + pools.COMPANY_LINES[b() * len(pools.COMPANY_LINES) >> 8].format_map(fields)
    )
    body = _body_bank(config.seed, role_index)[(b() << 8 | b()) * BODY_BANK_SIZE >> 16]
    modes = pools.WORK_MODES_REMOTE if is_remote else pools.WORK_MODES_OFFICE
    benefit_texts, benefit_codes, benefit_sentence = _BENEFIT_COMBOS[country_index][b() * 64 >> 8]
    closing = modes[b() * len(modes) >> 8].format_map(fields) + " " + benefit_sentence
    if b() < 0.4 * 256:
        closing += " " + country.closing_lines[b() * len(country.closing_lines) >> 8]
    closing += " " + pools.EEO_LINES[b() * len(pools.EEO_LINES) >> 8].format_map(fields)
    if b() < 0.1 * 256:
        description = (
            "<p>" + opening.replace("&", "&amp;") + "</p>" + body.html
            + "<p>" + closing.replace("&", "&amp;") + "</p>"
        )  # fmt: skip
    else:
        description = opening + "\n\n" + body.plain + "\n\n" + closing

    # salary: always computed so dirty salary kinds have numbers to spoil
    has_salary = b() < config.salary_rate * 256
    period_table = _PERIODS_BY_TYPE[primary]
    period = period_table[b() * len(period_table) >> 8]
    if period in ("MONTH", "DAY") and country.code == "US" and primary == pools.FULLTIME:
        period = "YEAR"
    annual = country.annual_base[max(level, 0)] * role.pay_multiplier * (0.85 + 0.3 * b() / 256)
    if level < 0:
        annual *= 0.45
    if primary == pools.CONTRACTOR and period in ("HOUR", "DAY"):
        annual *= 1.35
    if period == "YEAR":
        step = country.round_to
    else:
        step = _PERIOD_ROUND[period] * (100 if country.code == "IN" else 1)
    low = max(step, int(round(annual / _PERIOD_DIVISOR[period] / step)) * step)
    high = max(low + step, int(round(low * (1.1 + 0.35 * b() / 256) / step)) * step)
    salary_text = None
    if has_salary and b() < 0.35 * 256:
        symbol, currency = country.symbol, country.currency
        salary_text = (
            f"{_money(symbol, low, period, currency)}–{_money(symbol, high, period, currency)} "
            + _PERIOD_WORDS[period]
        )

    years = _YEARS_BY_LEVEL[level]
    qualifications = [
        f"{years}+ years of professional experience" if years else "Currently enrolled in a degree programme"
    ]
    qualifications.extend(body.requirements[:3])
    if body.extra_qualification:
        qualifications.append(body.extra_qualification)
    shape = b() / 256
    if shape < 0.05:
        highlights: dict[str, list[str]] = {}
    elif shape < 0.12:
        highlights = {"Qualifications": qualifications}
    elif shape < 0.25:
        highlights = {"Qualifications": qualifications, "Responsibilities": list(body.duties)}
    else:
        perks = list(benefit_texts)
        if salary_text and b() < 0.5 * 256:
            perks.insert(0, salary_text)
        highlights = {
            "Qualifications": qualifications,
            "Benefits": perks,
            "Responsibilities": list(body.duties),
        }

    return _Content(
        title,
        employer_name,
        employer,
        country,
        country_index,
        city,
        location,
        is_remote,
        types,
        description,
        salary_text,
        low,
        high,
        period,
        has_salary,
        (benefit_codes or None) if b() >= 0.3 * 256 else None,
        highlights,
        role,
    )


@lru_cache(maxsize=8192)
def _slug_words(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _apply_options(streams: _Streams, index: int, content: _Content) -> list[dict[str, Any]]:
    b = _draws(streams.listing, index)
    table = _PUBLISHER_TABLES[content.country_index]
    roll = b()
    wanted = 1 if roll < 0.55 * 256 else 2 if roll < 0.85 * 256 else 3
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    employer = content.employer
    for attempt in range(8):
        name, kind = table[b() * len(table) >> 8]
        if name in seen:
            continue
        seen.add(name)
        number = derive(streams.link, index * 8 + attempt)
        direct = b() < 0.15 * 256
        if kind == "careers":
            name = f"{employer.base_name} Careers"
            host = employer.website.split("://", 1)[1].replace("www.", "careers.", 1)
            link = f"https://{host}/jobs/{number % 1000000}?{pools.UTM}"
            direct = True
        elif kind == "linkedin":
            link = f"https://www.linkedin.com/jobs/view/{number % 10**10:010d}?{pools.UTM}"
        elif kind == "indeed":
            link = f"https://{content.country.indeed_host}/viewjob?jk={number:016x}&{pools.UTM}"
        elif kind == "glassdoor":
            slug = _slug_words(content.title or "job").lower()
            link = (
                f"https://www.glassdoor.com/job-listing/{slug}-{employer.slug}-JV.htm"
                f"?jl={number % 10**13}&{pools.UTM}"
            )
        elif kind == "ziprecruiter":
            slug = _slug_words(content.title or "job")
            city = content.city.name.replace(" ", "-")
            link = (
                f"https://www.ziprecruiter.com/c/{_slug_words(employer.base_name)}/Job/{slug}/-in-{city},"
                f"{content.city.state_code}?jid={number:016x}&{pools.UTM}"
            )
        else:
            host = kind.split(":", 1)[1]
            link = f"https://{host}/job/{number % 10**9}?{pools.UTM}"
        options.append({"publisher": name, "apply_link": link, "is_direct": direct})
        if len(options) == wanted:
            break
    return options


@lru_cache(maxsize=4096)
def _day_prefix(day: int) -> str:
    return time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))


def _iso_millis(timestamp: int) -> str:
    """``2026-01-02T16:00:00.000Z`` like the API's job_posted_at_datetime_utc (hot path)."""
    day, seconds = divmod(timestamp, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_day_prefix(day)}{hours:02d}:{minutes:02d}:{seconds:02d}.000Z"


class _Generator:
    """Per-config generator; holds the precomputed streams so each posting costs little."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.streams = _streams(config.seed)

    def posting(self, index: int, now: int) -> dict[str, Any]:
        config = self.config
        streams = self.streams
        root = _root(streams, config.repost_rate, index)
        content = _content(streams, config, root)
        options = _apply_options(streams, index, content)  # per index: a repost lists anew
        first = options[0]
        job_id = job_id_for(config, index)
        posted = posted_at(config, index)
        types = list(content.types)
        employment_text = " and ".join(pools.EMPLOYMENT_DISPLAY[t] for t in types)
        if content.has_salary:
            low, high, period, salary_text = (
                content.min_salary,
                content.max_salary,
                content.period,
                content.salary_text,
            )
        else:
            low = high = period = salary_text = None
        item = {
            "job_id": job_id,
            "job_title": content.title,
            "employer_name": content.employer_name,
            "employer_logo": content.employer.logo,
            "employer_website": content.employer.website,
            "job_publisher": first["publisher"],
            "job_employment_type": employment_text,
            "job_employment_types": types,
            "job_apply_link": first["apply_link"],
            "job_apply_is_direct": first["is_direct"],
            "apply_options": options,
            "job_description": content.description,
            "job_is_remote": content.is_remote,
            "job_posted_at": relative_age(now - posted),
            "job_posted_at_timestamp": posted,
            "job_posted_at_datetime_utc": _iso_millis(posted),
            "job_location": content.location,
            "job_city": content.city.name,
            "job_state": content.city.state,
            "job_country": content.country.code,
            "job_latitude": content.city.latitude,
            "job_longitude": content.city.longitude,
            "job_benefits": list(content.benefits) if content.benefits else None,
            "job_google_link": "https://www.google.com/search?q=jobs&gl="
            + content.country.code.lower()
            + "&hl=en&udm=8#vhid=vt%3D20/docid%3D"
            + job_id.replace("=", "%3D")
            + "&vssid=jobs-detail-viewer",
            "job_salary": salary_text,
            "job_min_salary": low,
            "job_max_salary": high,
            "job_salary_period": period,
            "job_highlights": content.highlights,
            "job_onet_soc": content.role.onet_soc,
            "job_onet_job_zone": content.role.onet_job_zone,
        }
        kind = _dirty(streams, config.dirty_rate, index)
        if kind is not None:
            _spoil(item, kind, content, index)
        return item


def _spoil(item: dict[str, Any], kind: str, content: _Content, index: int) -> None:
    """Apply one dirty kind in place."""
    if kind == DIRTY_TITLE_NULL:
        item["job_title"] = None
    elif kind == DIRTY_TITLE_BLANK:
        item["job_title"] = "" if index % 2 else "   "
    elif kind == DIRTY_EMPLOYER_EMPTY:
        item["employer_name"] = ""
    elif kind == DIRTY_EMPTY_DESCRIPTION:
        item["job_description"] = ""
    elif kind == DIRTY_UNKNOWN_EMPLOYMENT_TYPE:
        text, code = pools.UNKNOWN_EMPLOYMENT_TYPES[index % len(pools.UNKNOWN_EMPLOYMENT_TYPES)]
        item["job_employment_type"] = text
        item["job_employment_types"] = [code]
    else:
        low, high = content.min_salary, content.max_salary
        if kind == DIRTY_NEGATIVE_SALARY:
            low = -low
        elif kind == DIRTY_SALARY_MIN_GT_MAX:
            low, high = high, low
        elif kind == DIRTY_ABSURD_SALARY:
            high = ABSURD_SALARY
        item["job_min_salary"] = low
        item["job_max_salary"] = high
        item["job_salary_period"] = content.period
        item["job_salary"] = None


@lru_cache(maxsize=32)
def _generator(config: SandboxConfig) -> _Generator:
    return _Generator(config)


def _now_for(config: SandboxConfig, now: Any) -> int:
    if now is not None:
        return parse_time(now)
    if config.now is not None:
        return config.now
    return int(time.time())


def generate_posting(config: SandboxConfig, index: int, now: Any = None) -> dict[str, Any]:
    """The clean item for posting ``index`` (no fault injection), as of ``now``.

    ``now`` only affects the relative ``job_posted_at`` text; it defaults to the config's
    frozen clock, else the real time.
    """
    if index < 0:
        raise ValueError("posting index must be >= 0")
    return _generator(config).posting(index, _now_for(config, now))


def iter_postings(config: SandboxConfig, start: int, stop: int, now: Any = None) -> Iterator[dict[str, Any]]:
    """Postings ``start`` .. ``stop - 1`` in index order (oldest first)."""
    generator = _generator(config)
    now_ts = _now_for(config, now)
    for index in range(start, stop):
        yield generator.posting(index, now_ts)


def postings_for(config: SandboxConfig, indices: Iterable[int], now: Any = None) -> list[dict[str, Any]]:
    """Clean items for the given indices, in that order (the server's hot path)."""
    generator = _generator(config)
    now_ts = _now_for(config, now)
    return [generator.posting(index, now_ts) for index in indices]


def warm_up(config: SandboxConfig) -> None:
    """Render the per-role description banks now (~0.15 s) rather than during the first requests."""
    for role_index in range(len(pools.ROLES)):
        _body_bank(config.seed, role_index)
