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

import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from dlt_pipelines.job_boards.sandbox import pools
from dlt_pipelines.job_boards.sandbox.content import (  # noqa: F401 - re-exported: the catalogue's API
    _PUBLISHER_TABLES,
    _body_bank,
    _Content,
    _content,
    _slug_words,
    relative_age,
)
from dlt_pipelines.job_boards.sandbox.paging import (  # noqa: F401 - re-exported
    ExpectedPostings,
    expected_postings,
    page_indices,
    page_slice,
    parse_employment_types,
    repeats_on_next_page,
    visible_indices,
)
from dlt_pipelines.job_boards.sandbox.timeline import (  # noqa: F401 - re-exported
    ABSURD_SALARY,
    DATE_POSTED_VALUES,
    DATE_POSTED_WINDOWS,
    DIRTY_ABSURD_SALARY,
    DIRTY_EMPLOYER_EMPTY,
    DIRTY_EMPTY_DESCRIPTION,
    DIRTY_KINDS,
    DIRTY_NEGATIVE_SALARY,
    DIRTY_SALARY_MIN_GT_MAX,
    DIRTY_TITLE_BLANK,
    DIRTY_TITLE_NULL,
    DIRTY_UNKNOWN_EMPLOYMENT_TYPE,
    EPOCH,
    _dirty,
    _draws,
    _now_for,
    _root,
    _Streams,
    _streams,
    dirty_kind,
    job_id_for,
    last_index_at_or_before,
    new_postings_between,
    posted_at,
    repost_origin,
    visible_range,
    window_seconds,
)
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.hashing import derive

ITEM_KEYS = (
    "job_id", "job_title", "employer_name", "employer_logo", "employer_website", "job_publisher",
    "job_employment_type", "job_employment_types", "job_apply_link", "job_apply_is_direct", "apply_options",
    "job_description", "job_is_remote", "job_posted_at", "job_posted_at_timestamp",
    "job_posted_at_datetime_utc", "job_location", "job_city", "job_state", "job_country", "job_latitude",
    "job_longitude", "job_benefits", "job_google_link", "job_salary", "job_min_salary", "job_max_salary",
    "job_salary_period", "job_highlights", "job_onet_soc", "job_onet_job_zone",
)  # fmt: skip


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
