"""Adzuna's fake API, mounted by the one sandbox server under ``/adzuna``.

``GET /v1/api/jobs/{country}/search/{page}`` (country us|gb|de): ``app_id``/``app_key`` (none is
fine; ``bad-key`` -> 401, ``exhausted-key`` -> 429 without Retry-After), ``what`` (echoed, not
matched, like JSearch's query), ``results_per_page`` (1..50), ``max_days_old``, ``sort_by``;
``{"__CLASS__", "count", "mean", "results"}``. The postings are the job boards' generated
catalogue (dlt_pipelines/job_boards/sandbox/boards.py); faults and errors as every board
(dlt_pipelines/job_boards/sandbox/api.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.job_boards.sandbox.api import BAD_KEY, EXHAUSTED_KEY, BadRequest, BoardApi, whole_number

PATH = re.compile(r"^/v1/api/jobs/(?P<country>[a-z]{2})/search/(?P<page>[^/]+)$")
SORTS = ("default", "date", "salary", "relevance", "hybrid")


class AdzunaSandbox(BoardApi):
    board = "adzuna"
    items_key = "results"

    def refuse(self, params: Mapping[str, str]) -> tuple[int, dict[str, str], Any] | None:
        if BAD_KEY in (params.get("app_id"), params.get("app_key")):
            return 401, {}, {"__CLASS__": "Adzuna::API::Response::Exception", "exception": "AUTH_FAIL",
                             "display": "Authorisation failed", "doc": "https://developer.adzuna.com/docs"}
        if (params.get("app_id") or params.get("app_key")) == EXHAUSTED_KEY:
            return 429, {}, {"__CLASS__": "Adzuna::API::Response::Exception", "exception": "USAGE_LIMIT",
                             "display": "Your monthly request quota is exceeded"}
        return None

    def parse(self, path: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        match = PATH.match(path)
        if match is None:
            return None
        country = match.group("country")
        if country not in boards.ADZUNA_COUNTRIES:
            raise BadRequest(f"country {country!r} is not served by the sandbox; use one of "
                             f"{', '.join(boards.ADZUNA_COUNTRIES)}")
        try:
            page = int(match.group("page"))
        except ValueError:
            raise BadRequest("the page in the path must be a whole number") from None
        if page < 1:
            raise BadRequest("the page in the path must be >= 1")
        if (params.get("sort_by") or "default") not in SORTS:
            raise BadRequest(f"sort_by must be one of {', '.join(SORTS)}")
        return {"country": country, "page": page, "what": params.get("what") or "",
                "results_per_page": whole_number(params, "results_per_page", 10, high=50),
                "max_days_old": whole_number(params, "max_days_old", None)}

    def serve(self, request: dict[str, Any], now: int) -> tuple[list[boards.BoardPosting], dict[str, Any]]:
        matching = boards.adzuna_postings(self.ctx.config, now, request["country"], request["max_days_old"])
        size, page = request["results_per_page"], request["page"]
        posts = matching[(page - 1) * size: page * size]
        token = hashlib.blake2b(f"{request['what']}|{page}|{now}".encode(), digest_size=9).hexdigest()
        items = [boards.adzuna_item(p, token) for p in posts]
        salaries = [(p.content.min_salary + p.content.max_salary) / 2 for p in matching[:200]]
        return posts, {"__CLASS__": "Adzuna::API::Response::JobSearchResults", "count": len(matching),
                       "mean": round(sum(salaries) / len(salaries), 2) if salaries else 0, "results": items}
