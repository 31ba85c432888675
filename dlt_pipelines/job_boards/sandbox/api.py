"""What the fake APIs of Remotive, Arbeitnow and Adzuna (dlt_pipelines/<board>/sandbox.py) share:
the order of checks (the board's own auth, the server-side rate limit, the parameters, the request
faults), item faults on the served records, and the overlap truth (``GET /_sandbox/truth``).

A board subclasses :class:`BoardApi` with its ``board`` name, ``parse`` (parameters -> request,
raising :class:`BadRequest`) and ``serve`` (request -> the posts served and the body). Each board
draws its faults with its own salt and request counter, so one board's faults never shift
another's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import server_error_body
from dlt_pipelines.sandbox.hashing import text_salt

BAD_KEY = "bad-key"
EXHAUSTED_KEY = "exhausted-key"
TOO_MANY_REQUESTS = {"message": "Too many requests"}


class BadRequest(Exception):
    pass


def whole_number(params: Mapping[str, str], name: str, default: int | None, low: int = 1,
                 high: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None
    if value < low or (high is not None and value > high):
        raise BadRequest(f"{name} must be between {low} and {high}" if high else f"{name} must be >= {low}")
    return value


class BoardApi:
    board: str  # remotive | arbeitnow | adzuna
    items_key: str  # where the body holds the records

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def refuse(self, params: Mapping[str, str]) -> tuple[int, dict[str, str], Any] | None:
        """The board's answer to a refused key, checked before anything else (default: none)."""
        return None

    def parse(self, path: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        """The request's parameters; None if the path is not this board's."""
        raise NotImplementedError

    def serve(self, request: dict[str, Any], now: int) -> tuple[list[boards.BoardPosting], dict[str, Any]]:
        raise NotImplementedError

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str]) -> tuple[int, dict[str, str], Any]:
        ctx, config = self.ctx, self.ctx.config
        refused = self.refuse(params)
        if refused is not None:
            return refused
        wait = ctx.admit()
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, TOO_MANY_REQUESTS
        try:
            request = self.parse(path, params)
        except BadRequest as problem:
            return 400, {}, {"error": str(problem)}
        if request is None:
            return 404, {}, {"message": f"Endpoint '{path}' does not exist"}
        fault = ctx.decide(text_salt(self.board))
        if fault.kind == "rate_limit":
            return 429, {"Retry-After": str(fault.retry_after)}, TOO_MANY_REQUESTS
        if fault.kind == "server_error":
            return fault.status, {}, server_error_body(fault.status, f"{self.board}-{ctx.now()}")
        if fault.sleep_seconds:
            time.sleep(fault.sleep_seconds)
        posts, body = self.serve(request, ctx.now())
        faults = ctx.faults
        if faults.any_item_faults:
            body[self.items_key] = [boards.apply_board_faults(faults, config.seed, self.board, p.number, item)
                                    for p, item in zip(posts, body[self.items_key], strict=True)]
        return 200, {}, body

    def truth(self) -> dict[str, Any]:
        """Which visible board postings are the same job (boards.overlap_truth)."""
        return boards.overlap_truth(self.ctx.config, self.ctx.now())
