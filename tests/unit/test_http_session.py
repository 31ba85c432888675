"""ResilientSession against a real local HTTP server that answers with scripted statuses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from dlt_pipelines.common.http import (
    ApiAuthError,
    ApiQuotaExceeded,
    ApiUnavailable,
    RateLimiter,
    ResilientSession,
    RetryPolicy,
    retry_after_seconds,
)


class Script:
    """Responses to serve in order: (status, headers, body); the last one repeats."""

    def __init__(self) -> None:
        self.responses: list[tuple[int, dict[str, str], dict]] = []
        self.calls = 0


@pytest.fixture()
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            status, headers, body = script.responses[min(script.calls, len(script.responses) - 1)]
            script.calls += 1
            payload = json.dumps(body).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()


def session(sleeps: list[float], attempts: int = 4) -> ResilientSession:
    return ResilientSession(api_name="Test API", key_variable="TEST_KEY", rate_limit_per_min=0,
                            retry=RetryPolicy(max_attempts=attempts, backoff_base_seconds=0.5,
                                              backoff_max_seconds=4.0, timeout_seconds=5),
                            sleep=sleeps.append)


def test_retry_after_is_honoured_and_never_shorter_than_backoff(scripted):
    url, script = scripted
    script.responses = [(429, {"Retry-After": "3"}, {"message": "Too many requests"}),
                        (429, {"Retry-After": "0"}, {"message": "Too many requests"}),
                        (503, {}, {"message": "unavailable"}),
                        (200, {}, {"data": [1]})]
    sleeps: list[float] = []
    response = session(sleeps).get(url + "/search")
    assert response.json() == {"data": [1]}
    # 3s from Retry-After; then Retry-After: 0 still waits the 1s backoff; then 2s backoff
    assert sleeps == [3.0, 1.0, 2.0]
    assert script.calls == 4


def test_gives_up_after_max_attempts_with_the_last_problem(scripted):
    url, script = scripted
    script.responses = [(502, {}, {"message": "bad gateway"})]
    sleeps: list[float] = []
    with pytest.raises(ApiUnavailable, match=r"gave up after 3 attempts.*HTTP 502: bad gateway.*HTTP_MAX_ATTEMPTS"):
        session(sleeps, attempts=3).get(url)
    assert script.calls == 3
    assert sleeps == [0.5, 1.0]


def test_bad_key_names_the_variable_and_is_not_retried(scripted):
    url, script = scripted
    script.responses = [(403, {}, {"message": "You are not subscribed to this API."})]
    with pytest.raises(ApiAuthError, match=r"rejected the API key.*not subscribed.*Set TEST_KEY"):
        session([]).get(url)
    assert script.calls == 1


def test_exhausted_quota_stops_without_retrying(scripted):
    url, script = scripted
    script.responses = [(429, {}, {"message": "You have exceeded the MONTHLY quota for Requests on your plan"})]
    with pytest.raises(ApiQuotaExceeded, match="quota is exhausted"):
        session([]).get(url)
    assert script.calls == 1


def test_very_long_retry_after_is_reported_not_waited(scripted):
    url, script = scripted
    script.responses = [(429, {"Retry-After": "86400"}, {"message": "slow down"})]
    sleeps: list[float] = []
    with pytest.raises(ApiQuotaExceeded, match="asked to wait 86400s"):
        session(sleeps).get(url)
    assert sleeps == []


def test_timeouts_are_retried(scripted):
    url, _ = scripted
    sleeps: list[float] = []
    s = session(sleeps, attempts=2)
    with pytest.raises(ApiUnavailable, match="ConnectionError|Timeout"):
        s.get("http://127.0.0.1:9/unreachable")
    assert s.attempts_made == 2 and sleeps == [0.5]


def test_rate_limiter_spaces_requests_evenly():
    now = [100.0]
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(per_minute=60, clock=lambda: now[0], sleep=fake_sleep)
    for _ in range(4):
        limiter.acquire()
    assert sleeps == [1.0, 1.0, 1.0]
    now[0] += 10  # idle time is not banked into a burst beyond one request
    limiter.acquire()
    limiter.acquire()
    assert sleeps[-1] == pytest.approx(1.0)


def test_unlimited_rate_never_sleeps():
    sleeps: list[float] = []
    limiter = RateLimiter(per_minute=0, sleep=sleeps.append)
    for _ in range(100):
        limiter.acquire()
    assert sleeps == []


def test_retry_after_http_date_is_understood():
    response = requests.Response()
    response.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after_seconds(response) == 0.0  # in the past: retry now
    response.headers["Retry-After"] = "soon"
    assert retry_after_seconds(response) is None


def test_retries_happen_before_response_hooks_that_raise(scripted):
    """dlt's RESTClient adds a raise-for-status hook; it must see only the final response."""
    url, script = scripted
    script.responses = [(503, {}, {"message": "busy"}), (200, {}, {"data": [1]})]
    seen: list[int] = []

    def raise_for_status(response, *args, **kwargs):
        seen.append(response.status_code)
        response.raise_for_status()

    response = session([]).get(url, hooks={"response": [raise_for_status]})
    assert response.status_code == 200
    assert seen == [200] and script.calls == 2


def test_a_403_or_429_rate_limit_is_not_a_bad_key(scripted):
    """GitHub's way: a secondary limit answers 403/429 with Retry-After (retried), the primary limit
    403/429 with x-ratelimit-remaining 0 (spent until its reset: not retried); a plain 403 is the key."""
    url, script = scripted
    sleeps: list[float] = []
    script.responses = [(403, {"Retry-After": "0"}, {"message": "secondary rate limit"}),
                        (429, {"Retry-After": "0"}, {"message": "secondary rate limit"}), (200, {}, {"ok": True})]
    assert session(sleeps).get(url).status_code == 200 and script.calls == 3
    assert len(sleeps) == 2  # both retried after the backoff
    script.responses, script.calls = [(403, {"x-ratelimit-remaining": "0"}, {"message": "API rate limit exceeded"})], 0
    with pytest.raises(ApiQuotaExceeded, match="rate limit is spent"):
        session(sleeps).get(url)
    assert script.calls == 1
    script.responses, script.calls = [(403, {}, {"message": "Bad credentials"})], 0
    with pytest.raises(ApiAuthError, match="TEST_KEY"):
        session(sleeps).get(url)
