"""HTTP contract of the sandbox's job boards, served by the same server as JSearch's ``/search``.

``GET /api/remote-jobs`` (Remotive): ``category`` (slug: software-dev, data, devops, qa, product),
``search`` (in title, company, tags), ``limit``; every visible posting, newest first, as
``{"00-warning", "0-legal-notice", "job-count", "total-job-count", "jobs"}``.

``GET /api/job-board-api`` (Arbeitnow): ``page`` (1-based, 100 postings a page, newest first);
``{"data", "links": {"first", "last", "prev", "next"}, "meta": {...}}``, ``links.next`` null on the
last page.

``GET /v1/api/jobs/{country}/search/{page}`` (Adzuna, country us|gb|de): ``app_id``/``app_key``
(none is fine; ``bad-key`` -> 401, ``exhausted-key`` -> 429 without Retry-After), ``what``
(echoed, not matched, like JSearch's query), ``results_per_page`` (1..50), ``max_days_old``,
``sort_by`` (date); ``{"__CLASS__", "count", "mean", "results"}``.

Each endpoint has the fault machinery of ``/search`` (429 with Retry-After, 5xx, slow responses,
malformed items, schema drift): the global faults, or its own set with
``POST /_sandbox/faults {"endpoint": "<board>", ...}``; its own request counter keeps its faults
deterministic. The server-side rate limit is shared with ``/search``.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any
from urllib.parse import parse_qsl

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.sandbox.faults import decide_request, server_error_body
from dlt_pipelines.sandbox.hashing import text_salt

ADZUNA_PATH = re.compile(r"^/v1/api/jobs/(?P<country>[a-z]{2})/search/(?P<page>[^/]+)$")
PATHS = {"/api/remote-jobs": "remotive", "/api/job-board-api": "arbeitnow"}
BAD_KEY = "bad-key"
EXHAUSTED_KEY = "exhausted-key"
REMOTIVE_NOTICES = {
    "00-warning": "Local sandbox of the Remotive API: generated postings, not real jobs.",
    "0-legal-notice": "Sandbox data for tests. The real API asks for at most 4 calls a day; so does the source.",
}
ARBEITNOW_META = {
    "terms": "Local sandbox of the Arbeitnow job board API: generated postings, not real jobs.",
    "info": "100 postings a page, newest first; follow links.next.",
}


class _BadRequest(Exception):
    pass


def board_endpoint(path: str) -> str | None:
    """The board a request path belongs to, or None."""
    if path in PATHS:
        return PATHS[path]
    return "adzuna" if ADZUNA_PATH.match(path) else None


def _int(params: dict[str, str], name: str, default: int | None, low: int = 1, high: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadRequest(f"{name} must be a whole number") from None
    if value < low or (high is not None and value > high):
        raise _BadRequest(f"{name} must be between {low} and {high}" if high else f"{name} must be >= {low}")
    return value


def board_response(state: Any, endpoint: str, path: str, query_string: str,
                   headers: Any) -> tuple[int, Any, dict[str, str] | None]:
    config = state.config
    params = dict(parse_qsl(query_string, keep_blank_values=True))
    if endpoint == "adzuna":
        key = params.get("app_id") or params.get("app_key")
        if BAD_KEY in (params.get("app_id"), params.get("app_key")):
            return 401, {"__CLASS__": "Adzuna::API::Response::Exception", "exception": "AUTH_FAIL",
                         "display": "Authorisation failed", "doc": "https://developer.adzuna.com/docs"}, None
        if key == EXHAUSTED_KEY:
            return 429, {"__CLASS__": "Adzuna::API::Response::Exception", "exception": "USAGE_LIMIT",
                         "display": "Your monthly request quota is exceeded"}, None
    wait = state.admit()
    if wait is not None:
        return 429, {"message": "Too many requests"}, {"Retry-After": str(wait)}
    try:
        request = _parse(endpoint, path, params)
    except _BadRequest as problem:
        return 400, {"error": str(problem)}, None

    faults = state.faults_for(endpoint)
    fault = decide_request(faults, config.seed ^ text_salt(endpoint), state.next_board_request_number(endpoint))
    if fault.kind == "rate_limit":
        return 429, {"message": "Too many requests"}, {"Retry-After": str(fault.retry_after)}
    if fault.kind == "server_error":
        return fault.status, server_error_body(fault.status, f"{endpoint}-{state.now()}"), None
    if fault.sleep_seconds:
        time.sleep(fault.sleep_seconds)

    now = state.now()
    if endpoint == "remotive":
        posts, total = boards.remotive_jobs(config, now, request["category"], request["search"], request["limit"])
        items = [boards.remotive_item(p) for p in posts]
        body: dict[str, Any] = {**REMOTIVE_NOTICES, "job-count": len(items), "total-job-count": total, "jobs": items}
        key = "jobs"
    elif endpoint == "arbeitnow":
        page = request["page"]
        visible = list(boards.postings(config, "arbeitnow", now))
        size = boards.ARBEITNOW_PAGE_SIZE
        posts = visible[(page - 1) * size: page * size]
        items = [boards.arbeitnow_item(p) for p in posts]
        base = f"http://{headers.get('Host', '127.0.0.1')}{path}"
        more = page * size < len(visible)
        body = {
            "data": items,
            "links": {"first": f"{base}?page=1", "last": None,
                      "prev": f"{base}?page={page - 1}" if page > 1 else None,
                      "next": f"{base}?page={page + 1}" if more else None},
            "meta": {"current_page": page, "from": (page - 1) * size + 1 if items else None, "path": base,
                     "per_page": size, "to": (page - 1) * size + len(items) if items else None, **ARBEITNOW_META},
        }
        key = "data"
    else:
        matching = boards.adzuna_postings(config, now, request["country"], request["max_days_old"])
        size = request["results_per_page"]
        page = request["page"]
        posts = matching[(page - 1) * size: page * size]
        token = hashlib.blake2b(f"{request['what']}|{page}|{now}".encode(), digest_size=9).hexdigest()
        items = [boards.adzuna_item(p, token) for p in posts]
        salaries = [(p.content.min_salary + p.content.max_salary) / 2 for p in matching[:200]]
        body = {"__CLASS__": "Adzuna::API::Response::JobSearchResults", "count": len(matching),
                "mean": round(sum(salaries) / len(salaries), 2) if salaries else 0, "results": items}
        key = "results"
    if faults.any_item_faults:
        body[key] = [boards.apply_board_faults(faults, config.seed, endpoint, p.number, item)
                     for p, item in zip(posts, items, strict=True)]
    return 200, body, None


def _parse(endpoint: str, path: str, params: dict[str, str]) -> dict[str, Any]:
    if endpoint == "remotive":
        category = (params.get("category") or "").strip().lower() or None
        return {"category": category, "search": (params.get("search") or "").strip() or None,
                "limit": _int(params, "limit", None)}
    if endpoint == "arbeitnow":
        return {"page": _int(params, "page", 1)}
    match = ADZUNA_PATH.match(path)
    assert match is not None
    country = match.group("country")
    if country not in boards.ADZUNA_COUNTRIES:
        raise _BadRequest(f"country {country!r} is not served by the sandbox; use one of "
                          f"{', '.join(boards.ADZUNA_COUNTRIES)}")
    try:
        page = int(match.group("page"))
    except ValueError:
        raise _BadRequest("the page in the path must be a whole number") from None
    if page < 1:
        raise _BadRequest("the page in the path must be >= 1")
    sort_by = params.get("sort_by") or "default"
    if sort_by not in ("default", "date", "salary", "relevance", "hybrid"):
        raise _BadRequest("sort_by must be one of default, date, salary, relevance, hybrid")
    return {"country": country, "page": page, "what": params.get("what") or "",
            "results_per_page": _int(params, "results_per_page", 10, high=50),
            "max_days_old": _int(params, "max_days_old", None)}
