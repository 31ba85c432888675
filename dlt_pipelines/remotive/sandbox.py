"""Remotive's fake API, mounted by the one sandbox server under ``/remotive``.

``GET /api/remote-jobs``: ``category`` (slug: software-dev, data, devops, qa, product), ``search``
(in title, company, tags), ``limit``; every visible posting, newest first, as
``{"00-warning", "0-legal-notice", "job-count", "total-job-count", "jobs"}``. The postings are the
job boards' generated catalogue (dlt_pipelines/job_boards/sandbox/boards.py); faults and errors as
every board (dlt_pipelines/job_boards/sandbox/api.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.job_boards.sandbox.api import BoardApi, whole_number

PATH = "/api/remote-jobs"
NOTICES = {
    "00-warning": "Local sandbox of the Remotive API: generated postings, not real jobs.",
    "0-legal-notice": "Sandbox data for tests. The real API asks for at most 4 calls a day; so does the source.",
}


class RemotiveSandbox(BoardApi):
    board = "remotive"
    items_key = "jobs"

    def parse(self, path: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        if path != PATH:
            return None
        return {"category": (params.get("category") or "").strip().lower() or None,
                "search": (params.get("search") or "").strip() or None,
                "limit": whole_number(params, "limit", None)}

    def serve(self, request: dict[str, Any], now: int) -> tuple[list[boards.BoardPosting], dict[str, Any]]:
        posts, total = boards.remotive_jobs(self.ctx.config, now, request["category"], request["search"],
                                            request["limit"])
        items = [boards.remotive_item(p) for p in posts]
        return posts, {**NOTICES, "job-count": len(items), "total-job-count": total, "jobs": items}
