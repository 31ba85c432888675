"""Fault injection: transient errors, slowness, broken items, schema drift and rate limits."""

from __future__ import annotations

import pytest
import requests

from dlt_pipelines.job_boards.sandbox.catalogue import expected_postings, page_indices
from dlt_pipelines.sandbox import faults as fault_kinds
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig, decide_request

from .helpers import NOW, frozen_config, search, walk

# --- configuration ------------------------------------------------------------------------------


def test_fault_settings_parse_and_round_trip():
    faults = FaultConfig.parse(
        "rate_limit=0.1, server_error=0.05,slow=0.02,malformed=0.02,drift=0.05,retry_after=0"
    )
    assert faults == FaultConfig(
        rate_limit=0.1, server_error=0.05, slow=0.02, malformed=0.02, drift=0.05, retry_after=0
    )
    assert FaultConfig.parse(faults.to_string()) == faults
    assert FaultConfig.parse("") == FaultConfig() == FaultConfig.parse(None)
    assert not FaultConfig().any_item_faults and faults.any_item_faults


@pytest.mark.parametrize("text", ["rate_limit=2", "slow=-0.1", "bogus=1", "rate_limit", "retry_after=-1"])
def test_bad_fault_settings_fail_loudly(text):
    with pytest.raises(ValueError):
        FaultConfig.parse(text)


@pytest.mark.parametrize(("text", "says"), [
    ("rate_limit=2", "fault probability rate_limit=2.0 must be within [0, 1]"),
    ("slow=-0.1", "fault probability slow=-0.1 must be within [0, 1]"),
    ("bogus=1", "unknown fault keys: ['bogus']"),
    ("rate_limit", "fault setting 'rate_limit' is not key=value"),
    ("retry_after=-1", "retry_after must be >= 0"),
    ("slow_seconds=-2", "slow_seconds must be >= 0"),
    ("server_error=lots", "fault server_error='lots' is not a number"),
    ("retry_after=soon", "fault retry_after='soon' is not a number"),
])
def test_every_bad_sandbox_faults_value_names_the_variable(text, says):
    with pytest.raises(ValueError) as raised:
        SandboxConfig.from_env({"SANDBOX_FAULTS": text})
    message = str(raised.value)
    assert message.startswith("SANDBOX_FAULTS: ") and says in message
    assert "e.g. SANDBOX_FAULTS=rate_limit=0.1" in message


def test_faults_and_limits_come_from_the_environment():
    config = SandboxConfig.from_env(
        {"SANDBOX_FAULTS": "server_error=0.5,slow_seconds=0.25", "SANDBOX_RATE_LIMIT_PER_MIN": "30"}
    )
    assert config.faults == FaultConfig(server_error=0.5, slow_seconds=0.25)
    assert config.rate_limit_per_min == 30


def test_request_decisions_are_reproducible_and_near_their_rates():
    faults = FaultConfig(rate_limit=0.1, server_error=0.05, slow=0.02)
    first = [decide_request(faults, 42, n).kind for n in range(4000)]
    assert first == [decide_request(faults, 42, n).kind for n in range(4000)]
    assert first != [decide_request(faults, 43, n).kind for n in range(4000)]
    assert 0.08 < first.count("rate_limit") / 4000 < 0.12
    assert 0.03 < first.count("server_error") / 4000 < 0.07  # of the requests not rate limited


# --- request-level faults over HTTP ---------------------------------------------------------------


@pytest.mark.parametrize("retry_after", [0, 3])
def test_injected_rate_limit_is_429_with_retry_after(http, make_sandbox, retry_after):
    sandbox = make_sandbox(faults=FaultConfig(rate_limit=1.0, retry_after=retry_after))
    response = search(http, sandbox)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry_after)
    assert response.json() == {"message": "Too many requests"}


def test_partial_rate_limit_is_deterministic_and_restarts_on_reset(http, make_sandbox):
    config = frozen_config(faults=FaultConfig(rate_limit=0.3))
    first, second = make_sandbox(config), make_sandbox(config)
    statuses = [search(http, first).status_code for _ in range(40)]
    assert statuses == [search(http, second).status_code for _ in range(40)]
    assert 5 <= statuses.count(429) <= 20 and statuses.count(200) + statuses.count(429) == 40
    http.post(f"{first.url}/_sandbox/reset", timeout=5)
    assert [search(http, first).status_code for _ in range(40)] == statuses


def test_server_errors_are_5xx_with_json_bodies(http, make_sandbox):
    sandbox = make_sandbox(faults=FaultConfig(server_error=1.0))
    responses = [search(http, sandbox) for _ in range(30)]
    statuses = {r.status_code for r in responses}
    assert statuses <= {500, 502, 503} and len(statuses) >= 2
    assert all(isinstance(r.json(), dict) and r.json() for r in responses)
    state = http.get(f"{sandbox.url}/_sandbox/state", timeout=5).json()
    assert state["requests"]["total"] == 30 and "200" not in state["requests"]["by_status"]


def test_slow_responses_trip_a_client_timeout(http, make_sandbox):
    sandbox = make_sandbox(faults=FaultConfig(slow=1.0, slow_seconds=0.6))
    for _ in range(2):  # every request sleeps past a 0.2 s client timeout
        with pytest.raises(requests.exceptions.ReadTimeout):
            search(http, sandbox, timeout=0.2)
    response = search(http, sandbox, timeout=5)  # and a patient client gets the whole answer
    assert response.status_code == 200 and len(response.json()["data"]) >= 10


def test_faults_can_be_changed_at_runtime(http, make_sandbox):
    sandbox = make_sandbox()
    assert search(http, sandbox).status_code == 200
    changed = http.post(f"{sandbox.url}/_sandbox/faults", json={"server_error": 1.0}, timeout=5)
    assert changed.status_code == 200 and changed.json()["faults"]["server_error"] == 1.0
    assert search(http, sandbox).status_code in (500, 502, 503)
    http.post(f"{sandbox.url}/_sandbox/faults", json={"rate_limit": 1, "retry_after": 0}, timeout=5)
    limited = search(http, sandbox)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "0"
    http.post(f"{sandbox.url}/_sandbox/faults", json={}, timeout=5)  # replace: all faults off
    assert search(http, sandbox).status_code == 200
    unknown = http.post(f"{sandbox.url}/_sandbox/faults", json={"meteor": 1}, timeout=5)
    assert unknown.status_code == 400


def test_auth_is_checked_before_faults(http, make_sandbox):
    sandbox = make_sandbox(faults=FaultConfig(server_error=1.0))
    assert search(http, sandbox, headers={"X-RapidAPI-Key": "bad-key"}).status_code == 403


# --- server-side rate limit -------------------------------------------------------------------------


def test_server_side_rate_limit_answers_429_with_retry_after(http, make_sandbox):
    sandbox = make_sandbox(rate_limit_per_min=3)
    assert [search(http, sandbox).status_code for _ in range(3)] == [200, 200, 200]
    limited = search(http, sandbox)
    assert limited.status_code == 429
    assert limited.json() == {"message": "Too many requests"}
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    http.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert search(http, sandbox).status_code == 200


def test_server_side_rate_limit_can_be_set_at_runtime(http, make_sandbox):
    sandbox = make_sandbox()
    http.post(f"{sandbox.url}/_sandbox/faults", json={"rate_limit_per_min": 1}, timeout=5)
    assert [search(http, sandbox).status_code for _ in range(2)] == [200, 429]
    http.post(f"{sandbox.url}/_sandbox/faults", json={"rate_limit_per_min": 0}, timeout=5)
    assert search(http, sandbox).status_code == 200


# --- item-level faults --------------------------------------------------------------------------------


def test_malformed_items_are_served_where_expected(http, make_sandbox):
    config = frozen_config(faults=FaultConfig(malformed=0.2))
    sandbox = make_sandbox(config)
    expected = expected_postings(config, NOW, "week")
    indices = page_indices(config, NOW, 1, expected.pages, "week")
    items = walk(http, sandbox, date_posted="week")
    assert len(items) == len(indices) == expected.served_count
    seen = set()
    for index, item in zip(indices, items, strict=True):
        kind = expected.malformed.get(index)
        seen.add(kind)
        if kind == fault_kinds.MALFORMED_NOT_OBJECT_STRING:
            assert isinstance(item, str)
        elif kind == fault_kinds.MALFORMED_NOT_OBJECT_NULL:
            assert item is None
        elif kind == fault_kinds.MALFORMED_MISSING_JOB_ID:
            assert isinstance(item, dict) and "job_id" not in item
        elif kind == fault_kinds.MALFORMED_GARBAGE_TIMESTAMP:
            assert item["job_posted_at_timestamp"] == "yesterday-ish"
            assert "job_posted_at_datetime_utc" not in item
        elif kind == fault_kinds.MALFORMED_NULL_TIMESTAMP:
            assert item["job_posted_at_timestamp"] is None and item["job_posted_at_datetime_utc"] is None
        else:
            assert isinstance(item, dict) and isinstance(item["job_posted_at_timestamp"], int)
    assert seen == {None, *fault_kinds.MALFORMED_KINDS}
    assert 0.1 < len(expected.malformed) / expected.count < 0.3


def test_schema_drift_adds_a_field_or_stringifies_the_salary(http, make_sandbox):
    config = frozen_config(faults=FaultConfig(drift=0.3))
    sandbox = make_sandbox(config)
    items = walk(http, sandbox, date_posted="3days")
    expected = expected_postings(config, NOW, "3days")
    extra = [item for item in items if "job_salary_currency" in item]
    as_text = [item for item in items if isinstance(item["job_min_salary"], str)]
    assert extra and as_text
    assert all(item["job_min_salary"].isdigit() for item in as_text)
    assert {item["job_salary_currency"] for item in extra} <= {"USD", "GBP", "EUR", "CAD", "INR", "AUD"}
    assert any(item["job_country"] == "US" and item["job_salary_currency"] == "USD" for item in extra)
    drifted_ids = {item["job_id"] for item in extra + as_text}
    assert len(drifted_ids) == len(expected.drift)


def test_item_faults_are_off_by_default(http, shared_sandbox):
    items = walk(http, shared_sandbox, date_posted="3days")
    assert all(isinstance(item, dict) and "job_id" in item for item in items)
    assert not any("job_salary_currency" in item for item in items)
    assert all(not isinstance(item["job_min_salary"], str) for item in items)
