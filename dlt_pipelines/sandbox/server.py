"""The one local sandbox server: the fake API of every registry source, each under ``/<source>``,
on one clock and with one fault injection, over HTTP on loopback.

Why: pipelines, tests and benchmarks need APIs that are free, offline, deterministic and able to
misbehave on request. Each source's fake API lives beside it (``dlt_pipelines/<source>/sandbox.py``)
and is declared in its registry entry (``SourceSpec.fake_api``: a factory given a
:class:`~dlt_pipelines.sandbox.context.SandboxContext`, returning an object with
``answer(path, params, headers) -> (status, headers, body)``). The server mounts them all (or the
ones named): ``GET /jsearch/search`` is JSearch's ``/search``, ``GET /openaq/v3/locations`` is
OpenAQ's ``/v3/locations``, and so on; a source's base URL is ``http://host:port/<source>``.
Start it in-thread with :func:`start_sandbox` (tests) or in its own process with
:func:`start_sandbox_process` / ``python -m dlt_pipelines.sandbox serve``.

Every mount answers ``GET /<source>/health`` (200 ``{"status": "ok"}``, not counted). The control
endpoints (for tests and benchmarks) act on every mount:

``GET  /health``            200 ``{"status": "ok"}``
``GET  /_sandbox/state``    config, simulated now, faults, what is mounted, request counts by status
                            (in all and per source)
``POST /_sandbox/clock``    ``{"now": "<iso>"}`` freezes the clock there;
                            ``{"advance_seconds": N}`` moves it (a running clock keeps running);
                            ``{"real_time": true}`` returns to the wall clock
``POST /_sandbox/faults``   replaces the faults with the given keys (those of SANDBOX_FAULTS, plus
                            optional ``rate_limit_per_min``); restarts the fault counters;
                            ``"endpoint": "<source>"`` sets the faults of that source only
``POST /_sandbox/reset``    zeroes request counts, the fault counters and the rate-limit window
``GET  /_sandbox/truth``    which job-board postings are the same job (a mounted API's ``truth()``,
                            see dlt_pipelines/job_boards/sandbox/boards.py)

Every response carries a ``Date`` header with the simulated now.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from dlt_pipelines.common.secrets import scrub
from dlt_pipelines.sandbox.config import SandboxConfig, format_time
from dlt_pipelines.sandbox.context import SandboxContext, SandboxState
from dlt_pipelines.sandbox.faults import FaultConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
FakeApiFactory = Callable[[SandboxContext], Any]


def fake_apis(names: Iterable[str] | None = None) -> dict[str, FakeApiFactory]:
    """The registry's fake APIs by source name (every source that declares one, or those named)."""
    from dlt_pipelines import registry

    specs = registry.sources() if names is None else {name: registry.get(name) for name in names}
    return {name: spec.fake_api for name, spec in specs.items() if spec.fake_api is not None}


class _BadRequest(Exception):
    pass


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
    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        payload = body if isinstance(body, bytes) else orjson.dumps(body)
        if status >= 400:  # an error body never echoes a caller's credentials
            payload = scrub(payload.decode()).encode()
        self.send_response(status)
        headers = dict(headers or {})
        if not any(name.lower() == "content-type" for name in headers):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
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
        server = self.server
        name, _, rest = url.path.lstrip("/").partition("/")
        api = server.apis.get(name)
        if api is not None:
            path = "/" + rest
            if path == "/health":
                self._send(200, {"status": "ok"})
                return
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            status, headers, body = api.answer(path, params, self.headers)
            server.state.count(name, status)
            self._send(status, body, headers)
        elif url.path == "/health":
            self._send(200, {"status": "ok"})
        elif url.path == "/_sandbox/state":
            self._send(200, server.snapshot())
        elif url.path == "/_sandbox/truth" and (truth := server.truth()) is not None:
            self._send(200, truth)
        else:
            self._send(404, {"message": f"Endpoint '{url.path}' does not exist"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        server = self.server
        state = server.state
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
                self._send(200, server.snapshot())
            elif path == "/_sandbox/reset":
                state.reset()
                self._send(200, server.snapshot())
            else:
                self._send(404, {"message": f"Endpoint '{path}' does not exist"})
        except (_BadRequest, ValueError, TypeError) as problem:
            self._send(400, {"message": str(problem)})


class SandboxServer(ThreadingHTTPServer):
    """Binds, then builds each fake API with its context (its base URL is known by then)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: SandboxState,
                 apis: Mapping[str, FakeApiFactory] | None = None, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, _Handler)
        host, port = self.server_address[:2]
        self.url = f"http://{host}:{port}"
        factories = fake_apis() if apis is None else apis
        self.apis = {name: factory(SandboxContext(name, state, f"{self.url}/{name}"))
                     for name, factory in factories.items()}
        state.mounted = tuple(self.apis)

    def snapshot(self) -> dict[str, Any]:
        return self.state.snapshot({name: f"{self.url}/{name}" for name in self.apis})

    def truth(self) -> Any:
        """The first mounted API's ``truth()`` (the job boards share one), or None."""
        for api in self.apis.values():
            if hasattr(api, "truth"):
                return api.truth()
        return None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts in tests) are normal here; stay quiet about them."""
        if isinstance(sys.exc_info()[1], ConnectionError) and not self.verbose:
            return
        super().handle_error(request, client_address)


class SandboxHandle:
    """A running in-thread sandbox; stop it with :meth:`stop` or use it as a context manager.
    ``url`` is the server's root (the control endpoints); ``base_url(source)`` a source's API."""

    def __init__(self, server: SandboxServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.host, self.port = server.server_address[:2]
        self.url = server.url
        self.state = server.state
        self.config = server.state.config
        self.apis = server.apis

    def base_url(self, source: str) -> str:
        if source not in self.apis:
            raise KeyError(f"{source!r} is not mounted; mounted: {', '.join(self.apis)}")
        return f"{self.url}/{source}"

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
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0, verbose: bool = False,
    sources: Iterable[str] | Mapping[str, FakeApiFactory] | None = None,
) -> SandboxHandle:
    """Serve the sandbox from a background thread of this process (port 0 = any free port):
    every registry source's fake API, or those named in ``sources`` (names, or name -> factory)."""
    config = config or SandboxConfig.from_env()
    apis = sources if isinstance(sources, Mapping) else fake_apis(sources)
    server = SandboxServer((host, port), SandboxState(config), apis, verbose)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.name = f"sandbox-{server.server_address[1]}"
    thread.start()
    return SandboxHandle(server, thread)


@contextlib.contextmanager
def serve_source(name: str, factory: FakeApiFactory, env: Mapping[str, str]) -> Iterator[str]:
    """One source's fake API on its own server, configured by SANDBOX_* in ``env``; yields its base
    URL. What a registry entry's ``sandbox`` is when it declares a ``fake_api``."""
    with start_sandbox(SandboxConfig.from_env(dict(env)), sources={name: factory}) as handle:
        yield handle.base_url(name)


class SandboxProcessHandle:
    """A sandbox running in a child process (so it does not share a core with the client)."""

    def __init__(self, process: subprocess.Popen[bytes], host: str, port: int) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"

    def base_url(self, source: str) -> str:
        return f"{self.url}/{source}"

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
    sources: Iterable[str] | None = None,
) -> SandboxProcessHandle:
    """Run ``python -m dlt_pipelines.sandbox serve`` in a child process and wait until it listens."""
    child_env = dict(os.environ if env is None else env)
    if config is not None:
        child_env.update(config.to_env())
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), child_env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="sandbox-") as tmp:
        port_file = Path(tmp) / "port"
        command = [sys.executable, "-m", "dlt_pipelines.sandbox", "serve", "--host", host, "--port", str(port)]
        for source in sources or ():
            command += ["--source", source]
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
