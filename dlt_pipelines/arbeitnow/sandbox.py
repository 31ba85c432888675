"""Arbeitnow's fake API, mounted by the one sandbox server under ``/arbeitnow``.

``GET /api/job-board-api``: ``page`` (1-based, 100 postings a page, newest first);
``{"data", "links": {"first", "last", "prev", "next"}, "meta": {...}}``, ``links.next`` null on the
last page. The postings are the job boards' generated catalogue
(dlt_pipelines/job_boards/sandbox/boards.py); faults and errors as every board
(dlt_pipelines/job_boards/sandbox/api.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.job_boards.sandbox.api import BoardApi, whole_number

PATH = "/api/job-board-api"
META = {
    "terms": "Local sandbox of the Arbeitnow job board API: generated postings, not real jobs.",
    "info": "100 postings a page, newest first; follow links.next.",
}


class ArbeitnowSandbox(BoardApi):
    board = "arbeitnow"
    items_key = "data"

    def parse(self, path: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        return {"page": whole_number(params, "page", 1)} if path == PATH else None

    def serve(self, request: dict[str, Any], now: int) -> tuple[list[boards.BoardPosting], dict[str, Any]]:
        page = request["page"]
        visible = list(boards.postings(self.ctx.config, "arbeitnow", now))
        size = boards.ARBEITNOW_PAGE_SIZE
        posts = visible[(page - 1) * size: page * size]
        items = [boards.arbeitnow_item(p) for p in posts]
        base = f"{self.ctx.url}{PATH}"
        more = page * size < len(visible)
        return posts, {
            "data": items,
            "links": {"first": f"{base}?page=1", "last": None,
                      "prev": f"{base}?page={page - 1}" if page > 1 else None,
                      "next": f"{base}?page={page + 1}" if more else None},
            "meta": {"current_page": page, "from": (page - 1) * size + 1 if items else None, "path": base,
                     "per_page": size, "to": (page - 1) * size + len(items) if items else None, **META},
        }
