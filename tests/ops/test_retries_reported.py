"""HTTP retries are counted per source by cause (429, 5xx status, timeout) with the time waited, and
the run summary prints one line per source that retried; faults from the sandbox's fault injection."""

from __future__ import annotations

import re

import pytest

from dlt_pipelines.common.http import ApiUnavailable, ResilientSession, RetryPolicy
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import start_sandbox
from tests.ops.conftest import cli
from tests.sandbox.helpers import frozen_config

RETRIES_LINE = re.compile(r"^retries jsearch: (\d+) \(((?:\d{3}|timeout|connection) x\d+(?:, .+)?)\), "
                          r"waited (\d+\.\d)s$", re.MULTILINE)


def session(sleeps: list[float], attempts: int = 3, timeout: float = 5.0) -> ResilientSession:
    return ResilientSession(api_name="JSearch", key_variable="RAPIDAPI_KEY", rate_limit_per_min=0,
                            retry=RetryPolicy(max_attempts=attempts, backoff_base_seconds=0.25,
                                              timeout_seconds=timeout), sleep=sleeps.append)


@pytest.mark.parametrize(("faults", "causes"), [
    (FaultConfig(rate_limit=1.0, retry_after=1), {"429"}),
    (FaultConfig(server_error=1.0), {"500", "502", "503"}),
    (FaultConfig(slow=1.0, slow_seconds=1.0), {"timeout"}),
])
def test_the_session_counts_retries_by_cause_and_the_time_waited(faults, causes):
    sleeps: list[float] = []
    s = session(sleeps, timeout=0.2)
    with start_sandbox(frozen_config(faults=faults)) as sandbox, pytest.raises(ApiUnavailable):
        s.get(f"{sandbox.url}/jsearch/search", params={"query": "data engineer"})
    stats = s.retry_stats
    assert stats.retries == 2 == len(sleeps)  # 3 attempts: 2 retries, the last failure is not retried
    assert set(stats.by_cause) <= causes and stats.by_cause
    assert stats.seconds_waited == pytest.approx(sum(sleeps))
    expected_first = 1.0 if faults.rate_limit else 0.25  # Retry-After: 1, else the backoff
    assert sleeps[0] == expected_first


def test_a_clean_request_counts_no_retry():
    s = session([])
    with start_sandbox(frozen_config()) as sandbox:
        assert s.get(f"{sandbox.url}/jsearch/search", params={"query": "data engineer"}).status_code == 200
    assert s.retry_stats.retries == 0 and s.retry_stats.describe() == "0 (), waited 0.0s"


def test_the_el_summary_prints_one_line_per_source_that_retried(fresh_database, tmp_path):
    common = {"WAREHOUSE_URL": fresh_database, "JSEARCH_QUERIES": "data engineer", "JSEARCH_NUM_PAGES": "1",
              "JSEARCH_MAX_PAGES": "6", "HTTP_MAX_ATTEMPTS": "30", "HTTP_BACKOFF_BASE_SECONDS": "0.01",
              "HTTP_BACKOFF_MAX_SECONDS": "0.02", "ELT_AS_OF": "2026-03-01T12:00:00+00:00"}
    faulty = cli("el", "--source", "jsearch", "--source", "remotive", ELT_BUILD_DIR=str(tmp_path / "a"),
                 SANDBOX_FAULTS="rate_limit=0.4,server_error=0.4,retry_after=0", **common)
    assert faulty.returncode == 0, faulty.stderr
    found = RETRIES_LINE.search(faulty.stdout)
    assert found, faulty.stdout
    total, causes, waited = int(found[1]), dict(c.split(" x") for c in found[2].split(", ")), float(found[3])
    assert total > 0 and sum(int(n) for n in causes.values()) == total
    assert set(causes) <= {"429", "500", "502", "503"} and waited >= 0.0
    # the lines come right after the extract-load lines, one per source that retried
    lines = faulty.stdout.splitlines()
    assert lines.index(found[0]) > max(i for i, line in enumerate(lines) if line.startswith("extract-load "))
    clean = cli("el", "--source", "jsearch", ELT_BUILD_DIR=str(tmp_path / "b"), **common)
    assert clean.returncode == 0, clean.stderr
    assert "extract-load jsearch:" in clean.stdout and "retries" not in clean.stdout
