"""HTTP server of the JSearch sandbox: ``GET /search`` shaped like the real API, on loopback.

Why: pipelines, tests and benchmarks need a JSearch that is free, offline, deterministic and
able to misbehave on request. Start it in-thread with :func:`start_sandbox` (tests) or in its
own process with :func:`start_sandbox_process` / ``python -m dlt_pipelines.sandbox serve``.

``GET /search`` parameters: ``query`` (required, echoed, *not* used for matching: every query
returns the whole catalogue), ``page`` (1-based), ``num_pages`` (1..max_num_pages),
``date_posted`` (all|today|3days|week|month), ``country`` (echoed; filters only with
``SANDBOX_COUNTRY_FILTER``), ``language`` (echoed), ``remote_jobs_only`` (true/false),
``employment_types`` (comma list of FULLTIME,PARTTIME,CONTRACTOR,INTERN).

Auth (header ``X-RapidAPI-Key``): no key is fine; ``bad-key`` -> 403, ``exhausted-key`` -> 429
without ``Retry-After`` (monthly quota gone: not worth retrying).

Admin endpoints (for tests and benchmarks):

``GET  /health``            200 ``{"status": "ok"}``
``GET  /_sandbox/state``    config, simulated now, faults, search request counts by status
``POST /_sandbox/clock``    ``{"now": "<iso>"}`` freezes the clock there;
                            ``{"advance_seconds": N}`` moves it (a running clock keeps running);
                            ``{"real_time": true}`` returns to the wall clock
``POST /_sandbox/faults``   replaces the faults with the given keys (those of SANDBOX_FAULTS, plus
                            optional ``rate_limit_per_min``); restarts the fault counter
``POST /_sandbox/reset``    zeroes request counts, the fault counter and the rate-limit window
``GET  /_sandbox/truth``    which job-board postings are the same job (see boards.overlap_truth)

The job boards (Remotive ``/api/remote-jobs``, Arbeitnow ``/api/job-board-api``, Adzuna
``/v1/api/jobs/{country}/search/{page}``) are served by the same server: see board_api.py.
``POST /_sandbox/faults`` with ``"endpoint": "<board>"`` sets the faults of one board only.

Every response carries a ``Date`` header with the simulated now.
"""

from __future__ import annotations

import collections
import hashlib
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from dlt_pipelines.common.secrets import scrub
from dlt_pipelines.job_boards.sandbox import boards, catalogue
from dlt_pipelines.sandbox.board_api import board_endpoint, board_response
from dlt_pipelines.sandbox.config import SandboxConfig, format_time, parse_time
from dlt_pipelines.sandbox.faults import FaultConfig, apply_item_faults, decide_request, server_error_body

BAD_KEY = "bad-key"
EXHAUSTED_KEY = "exhausted-key"
NOT_SUBSCRIBED = {"message": "You are not subscribed to this API."}
QUOTA_EXCEEDED = {
    "message": "You have exceeded the MONTHLY quota for Requests on your current plan, BASIC. "
    "Upgrade your plan at https://rapidapi.com/sandbox/api/jsearch"
}
TOO_MANY_REQUESTS = {"message": "Too many requests"}
REPO_ROOT = Path(__file__).resolve().parents[2]


class SandboxState:
    """Mutable runtime state (clock, faults, counters) shared by all request threads."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.faults = config.faults
        self.rate_limit_per_min = config.rate_limit_per_min
        self._frozen_at = config.now  # None: follow the wall clock (plus an offset)
        self._offset = 0
        self.fault_counter = 0
        self.status_counts: collections.Counter[str] = collections.Counter()
        # the job-board endpoints (remotive, arbeitnow, adzuna): own faults if set, own counters
        self.endpoint_faults: dict[str, FaultConfig] = {}
        self.endpoint_counters: collections.Counter[str] = collections.Counter()
        self.endpoint_status: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self._window: collections.deque[float] = collections.deque()

    # clock
    def now(self) -> int:
        """Simulated now, epoch seconds."""
        frozen = self._frozen_at
        return frozen if frozen is not None else int(time.time()) + self._offset

    def set_now(self, value: Any) -> int:
        """Freeze the clock at ``value`` (ISO string, datetime or epoch seconds)."""
        with self.lock:
            self._frozen_at = parse_time(value)
            return self._frozen_at

    def advance(self, seconds: float) -> int:
        """Move the clock forward (or back, if negative); a running clock keeps running."""
        with self.lock:
            if self._frozen_at is not None:
                self._frozen_at += int(seconds)
            else:
                self._offset += int(seconds)
            return self.now()

    def use_real_time(self) -> int:
        with self.lock:
            self._frozen_at = None
            self._offset = 0
            return self.now()

    # faults and limits
    def set_faults(self, faults: FaultConfig, rate_limit_per_min: int | None = None,
                   endpoint: str | None = None) -> None:
        """Faults of every endpoint, or of one job-board endpoint (``remotive``, ``arbeitnow``, ``adzuna``)."""
        if endpoint is not None:
            if endpoint not in boards.BOARDS:
                raise ValueError(f"endpoint must be one of {', '.join(boards.BOARDS)}")
            with self.lock:
                self.endpoint_faults[endpoint] = faults
                self.endpoint_counters[endpoint] = 0
            return
        with self.lock:
            self.faults = faults
            self.endpoint_counters.clear()
            if rate_limit_per_min is not None:
                if rate_limit_per_min < 0:
                    raise ValueError("rate_limit_per_min must be >= 0")
                self.rate_limit_per_min = rate_limit_per_min
                self._window.clear()
            self.fault_counter = 0

    def faults_for(self, endpoint: str) -> FaultConfig:
        return self.endpoint_faults.get(endpoint, self.faults)

    def next_board_request_number(self, endpoint: str) -> int:
        with self.lock:
            number = self.endpoint_counters[endpoint]
            self.endpoint_counters[endpoint] += 1
            return number

    def next_request_number(self) -> int:
        with self.lock:
            number = self.fault_counter
            self.fault_counter += 1
            return number

    def admit(self) -> int | None:
        """None if the request is within the server-side limit, else seconds to wait."""
        limit = self.rate_limit_per_min
        if not limit:
            return None
        with self.lock:
            moment = time.monotonic()
            window = self._window
            while window and window[0] <= moment - 60.0:
                window.popleft()
            if len(window) >= limit:
                return max(1, math.ceil(60.0 - (moment - window[0])))
            window.append(moment)
            return None

    def count(self, status: int, endpoint: str = "search") -> None:
        with self.lock:
            self.status_counts[str(status)] += 1
            self.endpoint_status[endpoint][str(status)] += 1

    def reset(self) -> None:
        with self.lock:
            self.status_counts.clear()
            self.endpoint_status.clear()
            self.endpoint_counters.clear()
            self.fault_counter = 0
            self._window.clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            counts = dict(sorted(self.status_counts.items()))
            return {
                "config": self.config.as_dict(),
                "now": format_time(self.now()),
                "clock": "frozen" if self._frozen_at is not None else "running",
                "faults": self.faults.as_dict(),
                "rate_limit_per_min": self.rate_limit_per_min,
                "fault_counter": self.fault_counter,
                "requests": {"total": sum(counts.values()), "by_status": counts},
                "requests_by_endpoint": {name: dict(sorted(c.items())) for name, c in self.endpoint_status.items()},
                "endpoint_faults": {name: f.as_dict() for name, f in self.endpoint_faults.items()},
            }


class _BadRequest(Exception):
    pass


def _request_id(params: dict[str, str], now: int) -> str:
    """Deterministic UUID4-shaped id from the parameters and the simulated clock."""
    digest = hashlib.blake2b(orjson.dumps([sorted(params.items()), now]), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def _positive_int(params: dict[str, str], name: str, default: int) -> int:
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


def _bool(params: dict[str, str], name: str) -> bool:
    raw = (params.get(name) or "false").strip().lower()
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise _BadRequest(f"{name} must be true or false")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so paging clients reuse one connection
    # Headers and body leave in one buffered write (flushed per response) and without Nagle:
    # otherwise keep-alive clients wait ~40 ms per request on delayed ACKs.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header shows the simulated clock, not the wall clock."""
        return formatdate(self.server.state.now() if timestamp is None else timestamp, usegmt=True)

    # plumbing
    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = body if isinstance(body, bytes) else orjson.dumps(body)
        if status >= 400:  # an error body never echoes a caller's credentials
            payload = scrub(payload.decode()).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise _BadRequest("body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _BadRequest("body must be a JSON object")
        return body

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        url = urlsplit(self.path)
        if url.path == "/search":
            self._search(url.query)
        elif url.path == "/health":
            self._send(200, {"status": "ok"})
        elif url.path == "/_sandbox/state":
            self._send(200, self.server.state.snapshot())
        elif url.path == "/_sandbox/truth":
            state = self.server.state
            self._send(200, boards.overlap_truth(state.config, state.now()))
        elif (endpoint := board_endpoint(url.path)) is not None:
            self._board(endpoint, url.path, url.query)
        else:
            self._send(404, {"message": f"Endpoint '{url.path}' does not exist"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        state = self.server.state
        try:
            body = self._read_json()
            if path == "/_sandbox/clock":
                if body.get("real_time"):
                    now = state.use_real_time()
                elif "now" in body:
                    now = state.set_now(body["now"])
                elif "advance_seconds" in body:
                    now = state.advance(float(body["advance_seconds"]))
                else:
                    raise _BadRequest("give now, advance_seconds or real_time")
                self._send(200, {"now": format_time(now), "timestamp": now})
            elif path == "/_sandbox/faults":
                limit = body.pop("rate_limit_per_min", None)
                endpoint = body.pop("endpoint", None)
                state.set_faults(FaultConfig.from_mapping(body), None if limit is None else int(limit), endpoint)
                self._send(200, state.snapshot())
            elif path == "/_sandbox/reset":
                state.reset()
                self._send(200, state.snapshot())
            else:
                self._send(404, {"message": f"Endpoint '{path}' does not exist"})
        except (_BadRequest, ValueError, TypeError) as problem:
            self._send(400, {"message": str(problem)})

    # the job boards (dlt_pipelines/sandbox/board_api.py)
    def _board(self, endpoint: str, path: str, query_string: str) -> None:
        state = self.server.state
        status, body, headers = board_response(state, endpoint, path, query_string, self.headers)
        state.count(status, endpoint)
        self._send(status, body, headers)

    # the API
    def _search(self, query_string: str) -> None:
        state = self.server.state
        config = state.config
        status, body, headers = self._search_response(state, config, query_string)
        state.count(status)
        self._send(status, body, headers)

    def _search_response(
        self, state: SandboxState, config: SandboxConfig, query_string: str
    ) -> tuple[int, Any, dict[str, str] | None]:
        key = self.headers.get("X-RapidAPI-Key")
        if key == BAD_KEY:
            return 403, NOT_SUBSCRIBED, None
        if key == EXHAUSTED_KEY:
            return 429, QUOTA_EXCEEDED, None
        wait = state.admit()
        if wait is not None:
            return 429, TOO_MANY_REQUESTS, {"Retry-After": str(wait)}

        params = dict(parse_qsl(query_string, keep_blank_values=True))
        now = state.now()
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
            return 400, {"status": "ERROR", "request_id": request_id, "error": error}, None

        fault = decide_request(state.faults, config.seed, state.next_request_number())
        if fault.kind == "rate_limit":
            return 429, TOO_MANY_REQUESTS, {"Retry-After": str(fault.retry_after)}
        if fault.kind == "server_error":
            return fault.status, server_error_body(fault.status, request_id), None
        if fault.sleep_seconds:
            time.sleep(fault.sleep_seconds)

        ordered = catalogue.visible_indices(
            config,
            now,
            date_posted,
            country=country if "country" in params else None,
            remote_jobs_only=remote_only,
            employment_types=params.get("employment_types") if employment_types else None,
        )
        indices = catalogue.page_slice(config, ordered, page, num_pages)
        items: list[Any] = catalogue.postings_for(config, indices, now)
        faults = state.faults
        if faults.any_item_faults:
            items = [
                apply_item_faults(faults, config.seed, i, item)
                for i, item in zip(indices, items, strict=True)
            ]
        parameters = {
            "query": query,
            "page": page,
            "num_pages": num_pages,
            "date_posted": date_posted,
            "country": country,
            "language": language,
        }
        return 200, {"status": "OK", "request_id": request_id, "parameters": parameters, "data": items}, None


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: SandboxState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts in tests) are normal here; stay quiet about them."""
        if isinstance(sys.exc_info()[1], ConnectionError) and not self.verbose:
            return
        super().handle_error(request, client_address)


class SandboxHandle:
    """A running in-thread sandbox; stop it with :meth:`stop` or use it as a context manager."""

    def __init__(self, server: SandboxServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.host, self.port = server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.state = server.state
        self.config = server.state.config

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
) -> SandboxHandle:
    """Serve the sandbox from a background thread of this process (port 0 = any free port)."""
    config = config or SandboxConfig.from_env()
    catalogue.warm_up(config)
    server = SandboxServer((host, port), SandboxState(config), verbose)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.name = f"jsearch-sandbox-{server.server_address[1]}"
    thread.start()
    return SandboxHandle(server, thread)


class SandboxProcessHandle:
    """A sandbox running in a child process (so it does not share a core with the client)."""

    def __init__(self, process: subprocess.Popen[bytes], host: str, port: int) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> SandboxProcessHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_sandbox_process(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
) -> SandboxProcessHandle:
    """Run ``python -m dlt_pipelines.sandbox serve`` in a child process and wait until it listens."""
    child_env = dict(os.environ if env is None else env)
    if config is not None:
        child_env.update(config.to_env())
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), child_env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="jsearch-sandbox-") as tmp:
        port_file = Path(tmp) / "port"
        command = [
            sys.executable,
            "-m",
            "dlt_pipelines.sandbox",
            "serve",
            "--host",
            host,
            "--port",
            str(port),
        ]
        process = subprocess.Popen(
            [*command, "--port-file", str(port_file)], env=child_env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None:
                raise RuntimeError(f"the sandbox process exited with code {process.returncode}")
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the sandbox process did not start in time")
            time.sleep(0.02)
        return SandboxProcessHandle(process, host, int(port_file.read_text().strip()))


def write_port_file(path: str | os.PathLike[str], port: int) -> None:
    """Write atomically, so a parent polling the file never reads half a number."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(f"{port}\n")
    os.replace(partial, target)
