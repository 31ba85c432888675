"""The OpenAQ source against its sandbox over HTTP (and replaying the shared captures): first run,
rerun, later runs with the lag window and late hours, merge without duplicates, retried faults,
rejected records, UTC `Z` timestamps, paging past `found: ">1000"`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
import requests

from dlt_pipelines.common.env import ConfigError
from dlt_pipelines.openaq import helpers
from dlt_pipelines.openaq import sandbox as fake
from dlt_pipelines.sandbox.config import SandboxConfig
from orchestration import elt
from orchestration.extract_load import replay_source
from tests.conftest import SHARED, _admin, make_settings, query

T1 = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
SAMPLES = SHARED / "data" / "api_samples" / "openaq"
SENSORS = [(sid, location[0]) for location in fake.LOCATIONS for sid, _ in location[8]]


@pytest.fixture
def warehouse(server_url):
    name = f"elt_test_openaq_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def run(tmp_path, warehouse, sandbox, now: datetime, **env):
    sandbox.now = int(now.timestamp())
    settings = make_settings(tmp_path / "build", OPENAQ_BASE_URL=sandbox.url, OPENAQ_RATE_LIMIT_PER_MIN="0",
                             ELT_AS_OF=now.isoformat(), HTTP_BACKOFF_MAX_SECONDS="0.05", **env)
    [report] = elt.extract_load(settings, warehouse, ("openaq",))
    return report


def served(config: SandboxConfig, now: datetime, start: datetime) -> dict[tuple[int, datetime], float]:
    """(sensor, period end) -> value the sandbox serves at `now` from `start`."""
    found = {}
    for sid, _ in SENSORS:
        for _, item in fake.hours_items(config.seed, sid, int(now.timestamp()), int(start.timestamp()),
                                        int(now.timestamp()) + 3600):
            found[(sid, helpers.parse_utc(item["period"]["datetimeTo"]["utc"]))] = item["value"]
    return found


def loaded(warehouse) -> dict[tuple[int, datetime], float]:
    return {(s, end): v for s, end, v in query(
        warehouse, "select sensor_id, period_end_utc, value from raw_openaq.measurements")}


def test_runs_load_new_hours_and_the_lag_window_once(tmp_path, warehouse):
    config = SandboxConfig(seed=7)
    with fake.serve(config) as sandbox:
        first = run(tmp_path, warehouse, sandbox, T1)
        assert first.rows_by_table["locations"] == len(fake.LOCATIONS)
        assert first.rows_by_table["sensors"] == len(SENSORS)
        expected = served(config, T1, T1 - timedelta(days=3))
        assert loaded(warehouse) == expected and first.rows_by_table["measurements"] == len(expected)
        odd = "select count(*) from raw_openaq.measurements where value in (-9999, -999) or value < 0 or value > 1000"
        assert query(warehouse, odd)[0][0] > 0
        assert query(warehouse, "select distinct units from raw_openaq.sensors where location_id = 2178 "
                                "and parameter_name in ('o3', 'no2', 'co', 'so2')") == [("ppm",)]

        again = run(tmp_path, warehouse, sandbox, T1)
        assert again.rows == 0, again.rows_by_table  # nothing new: nothing loaded, locations and sensors too

        t2 = T1 + timedelta(hours=6)
        later = run(tmp_path, warehouse, sandbox, t2)
        window = served(config, t2, T1 - timedelta(hours=8))
        new = {key for key in window if key not in expected}
        assert later.rows_by_table["measurements"] == len(new)
        late = {key for key in new if key[1] <= T1}  # hours that ended before the first run but came late
        assert late, "the sandbox should hold late hours within the lag"
        assert loaded(warehouse) == {**expected, **window}
        [(rows, distinct)] = query(warehouse, "select count(*), count(distinct (sensor_id, period_end_utc)) "
                                              "from raw_openaq.measurements")
        assert rows == distinct

    windows = [(p, q) for p, q in sandbox.requests if "datetime_from" in q]
    assert windows and all(q["datetime_from"].endswith("Z") and q["datetime_to"].endswith("Z") for _, q in windows)
    assert {q["datetime_from"] for p, q in windows[-len(SENSORS):]} == {helpers.utc_z(T1 - timedelta(hours=8))}


def test_faults_are_retried_and_change_nothing(tmp_path, warehouse, server_url):
    with fake.serve(SandboxConfig(faults="rate_limit=0.2,server_error=0.15,retry_after=0")) as sandbox:
        report = run(tmp_path, warehouse, sandbox, T1, HTTP_MAX_ATTEMPTS="10")
    assert {"429"} <= set(report.retries.by_cause) and set(report.retries.by_cause) & {"500", "502", "503"}
    assert loaded(warehouse) == served(SandboxConfig(), T1, T1 - timedelta(days=3))
    assert query(warehouse, "select count(*) from raw_openaq.locations")[0][0] == len(fake.LOCATIONS)


def test_malformed_records_are_rejected_with_a_reason(tmp_path, warehouse):
    with fake.serve(SandboxConfig(faults="malformed=0.05")) as sandbox:
        report = run(tmp_path, warehouse, sandbox, T1)
        rerun = run(tmp_path, warehouse, sandbox, T1)
    reasons = dict(query(warehouse, "select split_part(reason, ':', 1), count(*) from raw_openaq.measurements_rejected "
                                    "group by 1"))
    assert {"not an object", "unreadable period"} <= set(reasons), reasons
    assert report.rows_by_table["measurements_rejected"] == sum(reasons.values())
    assert rerun.rows_by_table.get("measurements_rejected", 0) == 0  # the same bad records are not added again
    good = served(SandboxConfig(), T1, T1 - timedelta(days=3))
    assert set(loaded(warehouse)) < set(good)
    assert len(loaded(warehouse)) + sum(reasons.values()) >= len(good)


def test_paging_goes_past_found_over_1000_and_stops_on_a_short_page(tmp_path, warehouse):
    with fake.serve(SandboxConfig()) as sandbox:
        sandbox.now = int(T1.timestamp())
        page = requests.get(f"{sandbox.url}/v3/sensors/8101/hours", params={
            "datetime_from": "2026-01-01T00:00:00Z", "limit": 1000}, timeout=10).json()
        assert page["meta"]["found"] == ">1000" and len(page["results"]) == 1000
        sandbox.requests.clear()
        report = run(tmp_path, warehouse, sandbox, T1, OPENAQ_LOCATION_IDS="2601", OPENAQ_FIRST_RUN_DAYS="50")
    pages = [(p, q["page"]) for p, q in sandbox.requests if p.endswith("/hours")]
    assert pages == [("/v3/sensors/8101/hours", "1"), ("/v3/sensors/8101/hours", "2"),
                     ("/v3/sensors/8102/hours", "1"), ("/v3/sensors/8102/hours", "2")]
    assert [p for p, _ in sandbox.requests[:2]] == ["/v3/locations/2601", "/v3/locations/2601/sensors"]
    assert report.rows_by_table["measurements"] > 2000


def test_without_a_key_the_run_uses_its_sandbox_on_the_run_clock(tmp_path, warehouse):
    settings = make_settings(tmp_path / "build", ELT_AS_OF=T1.isoformat(), OPENAQ_MAX_LOCATIONS="2")
    [report] = elt.extract_load(settings, warehouse, ("openaq",))
    assert report.rows_by_table["locations"] == 2
    assert query(warehouse, "select max(period_end_utc) from raw_openaq.measurements")[0][0] <= T1


def test_a_bad_setting_names_its_variable(tmp_path):
    with pytest.raises(ConfigError, match="OPENAQ_COUNTRIES"):
        make_settings(tmp_path, OPENAQ_COUNTRIES="United States")


def test_replaying_the_shared_captures_accounts_for_every_value(tmp_path, warehouse):
    if not SAMPLES.is_dir():
        pytest.skip(f"OpenAQ captures not available at {SAMPLES}")
    report = replay_source(make_settings(tmp_path / "build"), warehouse, "openaq", SAMPLES)
    assert report.rows_by_table["measurements"] > 0
    locations = {r[0] for r in query(warehouse, "select location_id from raw_openaq.locations")}
    sensors = {r[0] for r in query(warehouse, "select sensor_id from raw_openaq.sensors")}
    values = [orjson.dumps(r[0], option=orjson.OPT_SORT_KEYS) for r in query(
        warehouse, "select payload from raw_openaq.measurements")]
    rejected = [orjson.dumps(orjson.loads(r[0]), option=orjson.OPT_SORT_KEYS) for r in query(
        warehouse, "select raw_json from raw_openaq.measurements_rejected")]
    assert all(reason for (reason,) in query(warehouse, "select reason from raw_openaq.measurements_rejected"))
    total = 0
    for path in sorted(SAMPLES.glob("*.json")):
        results = orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))["results"]
        kind = helpers.capture_kind(results)
        for item in results:
            total += 1
            if kind == "locations":
                assert item["id"] in locations, path.name
            elif kind == "sensors":
                assert item["id"] in sensors, path.name
            else:
                assert orjson.dumps(item, option=orjson.OPT_SORT_KEYS) in values + rejected, path.name
    assert len(values) + len(rejected) <= total
    # hourly values without a sensor in the file's name belong to the sensor replayed before them
    assert query(warehouse, "select distinct sensor_id, location_id from raw_openaq.measurements "
                            "where parameter_name = 'pm25' and period_end_utc < '2023-11-01' "
                            "and period_end_utc > '2023-10-01'") == [(3920, 2178)]


def test_discovery_by_country_stops_at_the_cap(tmp_path, warehouse):
    with fake.serve(SandboxConfig()) as sandbox:
        run(tmp_path, warehouse, sandbox, T1, OPENAQ_COUNTRIES="GB,DE", OPENAQ_MAX_LOCATIONS="2",
            OPENAQ_FIRST_RUN_DAYS="1")
        listings = [q for p, q in sandbox.requests if p == "/v3/locations"]
        berlin = requests.get(f"{sandbox.url}/v3/locations", params={"bbox": "13,52,14,53"}, timeout=10).json()
    assert listings == [{"iso": "GB", "limit": "2", "page": "1"}]  # two in GB: Germany is never asked
    assert query(warehouse, "select distinct country_code from raw_openaq.locations") == [("GB",)]
    assert [item["id"] for item in berlin["results"]] == [4321]


def test_an_exhausted_rate_limit_is_waited_out_or_stops_the_run(tmp_path, warehouse, caplog):
    small = {"OPENAQ_LOCATION_IDS": "2601", "OPENAQ_FIRST_RUN_DAYS": "1"}
    with fake.serve(SandboxConfig()) as sandbox:
        sandbox.rate_headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0.3"}
        with caplog.at_level("WARNING", logger="dlt_pipelines.openaq"):
            report = run(tmp_path, warehouse, sandbox, T1, **small)
        waits = [r.args[0] for r in caplog.records if r.getMessage().startswith("OpenAQ rate limit reached")]
        assert waits == [0.3] * len(sandbox.requests)  # waited for the reset after every response
        assert report.rows_by_table["measurements"] > 0
        sandbox.rate_headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "3000"}
        with pytest.raises(elt.StageError, match="2000 requests an hour"):
            run(tmp_path, warehouse, sandbox, T1 + timedelta(hours=2), **small)
