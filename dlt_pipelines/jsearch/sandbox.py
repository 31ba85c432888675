"""JSearch's fake API, mounted by the one sandbox server (dlt_pipelines/sandbox/server.py) under
``/jsearch``: ``GET /search`` shaped like the real API, serving the generated catalogue
(dlt_pipelines/job_boards/sandbox/catalogue.py).

Parameters: ``query`` (required, echoed, *not* used for matching: every query returns the whole
catalogue), ``page`` (1-based), ``num_pages`` (1..max_num_pages), ``date_posted``
(all|today|3days|week|month), ``country`` (echoed; filters only with ``SANDBOX_COUNTRY_FILTER``),
``language`` (echoed), ``remote_jobs_only`` (true/false), ``employment_types`` (comma list of
FULLTIME,PARTTIME,CONTRACTOR,INTERN).

Auth (header ``X-RapidAPI-Key``): no key is fine; ``bad-key`` -> 403, ``exhausted-key`` -> 429
without ``Retry-After`` (monthly quota gone: not worth retrying). Then the server-side rate limit,
the parameters (400 in the API's error shape), and the request faults (SANDBOX_FAULTS).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from dlt_pipelines.job_boards.sandbox import catalogue
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import apply_item_faults, server_error_body

BAD_KEY = "bad-key"
EXHAUSTED_KEY = "exhausted-key"
NOT_SUBSCRIBED = {"message": "You are not subscribed to this API."}
QUOTA_EXCEEDED = {
    "message": "You have exceeded the MONTHLY quota for Requests on your current plan, BASIC. "
    "Upgrade your plan at https://rapidapi.com/sandbox/api/jsearch"
}
TOO_MANY_REQUESTS = {"message": "Too many requests"}


class _BadRequest(Exception):
    pass


def _request_id(params: Mapping[str, str], now: int) -> str:
    """Deterministic UUID4-shaped id from the parameters and the simulated clock."""
    digest = hashlib.blake2b(orjson.dumps([sorted(params.items()), now]), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def _positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadRequest(f"{name} must be a positive integer") from None
    if value < 1:
        raise _BadRequest(f"{name} must be a positive integer")
    return value


def _bool(params: Mapping[str, str], name: str) -> bool:
    raw = (params.get(name) or "false").strip().lower()
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise _BadRequest(f"{name} must be true or false")


class JSearchSandbox:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        catalogue.warm_up(ctx.config)  # render the description banks now, not in the first requests

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str]) -> tuple[int, dict[str, str], Any]:
        if path != "/search":
            return 404, {}, {"message": f"Endpoint '{path}' does not exist"}
        ctx, config = self.ctx, self.ctx.config
        key = headers.get("X-RapidAPI-Key")
        if key == BAD_KEY:
            return 403, {}, NOT_SUBSCRIBED
        if key == EXHAUSTED_KEY:
            return 429, {}, QUOTA_EXCEEDED
        wait = ctx.admit()
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, TOO_MANY_REQUESTS

        now = ctx.now()
        request_id = _request_id(params, now)
        try:
            query = (params.get("query") or "").strip()
            if not query:
                raise _BadRequest("query is required")
            page = _positive_int(params, "page", 1)
            num_pages = _positive_int(params, "num_pages", 1)
            if num_pages > config.max_num_pages:
                raise _BadRequest(f"num_pages must be between 1 and {config.max_num_pages}")
            date_posted = (params.get("date_posted") or "all").strip().lower()
            if date_posted not in catalogue.DATE_POSTED_VALUES:
                raise _BadRequest(f"date_posted must be one of {', '.join(catalogue.DATE_POSTED_VALUES)}")
            remote_only = _bool(params, "remote_jobs_only")
            try:
                employment_types = catalogue.parse_employment_types(params.get("employment_types"))
            except ValueError as problem:
                raise _BadRequest(str(problem)) from None
            country = (params.get("country") or "us").strip().lower()
            language = (params.get("language") or "en").strip().lower()
        except _BadRequest as problem:
            error = {"message": str(problem), "code": 400}
            return 400, {}, {"status": "ERROR", "request_id": request_id, "error": error}

        fault = ctx.decide()
        if fault.kind == "rate_limit":
            return 429, {"Retry-After": str(fault.retry_after)}, TOO_MANY_REQUESTS
        if fault.kind == "server_error":
            return fault.status, {}, server_error_body(fault.status, request_id)
        if fault.sleep_seconds:
            time.sleep(fault.sleep_seconds)

        ordered = catalogue.visible_indices(
            config, now, date_posted,
            country=country if "country" in params else None,
            remote_jobs_only=remote_only,
            employment_types=params.get("employment_types") if employment_types else None,
        )
        indices = catalogue.page_slice(config, ordered, page, num_pages)
        items: list[Any] = catalogue.postings_for(config, indices, now)
        faults = ctx.faults
        if faults.any_item_faults:
            items = [apply_item_faults(faults, config.seed, i, item) for i, item in zip(indices, items, strict=True)]
        parameters = {"query": query, "page": page, "num_pages": num_pages, "date_posted": date_posted,
                      "country": country, "language": language}
        return 200, {}, {"status": "OK", "request_id": request_id, "parameters": parameters, "data": items}
