"""Pure functions of the OpenAQ source (dlt_pipelines/openaq/helpers.py) and its settings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from dlt_pipelines.common.env import ConfigError
from dlt_pipelines.openaq import helpers
from dlt_pipelines.openaq.config import OpenAQConfig
from tests.conftest import SHARED

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
SAMPLES = SHARED / "data" / "api_samples" / "openaq"


def hour(end_utc="2023-10-16T13:00:00+00:00", value=6, **changes):
    item = {"period": {"label": "1hour", "interval": "01:00:00",
                       "datetimeFrom": {"utc": "2023-10-16T12:00:00+00:00", "local": "2023-10-16T06:00:00-06:00"},
                       "datetimeTo": {"utc": end_utc, "local": "2023-10-16T07:00:00-06:00"}},
            "value": value, "parameter": {"id": 2, "name": "pm25", "units": "µg/m³", "displayName": None}}
    item.update(changes)
    return item


def test_utc_z_always_has_the_z_and_refuses_a_bare_datetime():
    assert helpers.utc_z(datetime(2026, 3, 1, tzinfo=timezone.utc)) == "2026-03-01T00:00:00Z"
    assert helpers.utc_z(datetime(2026, 3, 1, 1, tzinfo=timezone(timedelta(hours=1)))) == "2026-03-01T00:00:00Z"
    with pytest.raises(ValueError):
        helpers.utc_z(datetime(2026, 3, 1))


def test_parse_utc_reads_z_and_offsets_and_refuses_the_rest():
    assert helpers.parse_utc("2023-10-16T13:00:00+00:00") == datetime(2023, 10, 16, 13, tzinfo=timezone.utc)
    assert helpers.parse_utc("2023-10-16T07:00:00-06:00") == datetime(2023, 10, 16, 13, tzinfo=timezone.utc)
    assert helpers.parse_utc("2023-10-16T13:00:00Z") == datetime(2023, 10, 16, 13, tzinfo=timezone.utc)
    for bad in ("2023-10-16T13:00:00", "yesterday-ish", "", None, 1697461200):
        assert helpers.parse_utc(bad) is None


def test_an_hour_becomes_the_contract_row_with_the_end_of_its_period():
    row = helpers.measurement_row(hour(), {"sensor_id": 3920, "location_id": 2178}, NOW)
    assert row["sensor_id"] == 3920 and row["location_id"] == 2178
    assert row["period_end_utc"] == datetime(2023, 10, 16, 13, tzinfo=timezone.utc)
    assert row["period_start_utc"] == datetime(2023, 10, 16, 12, tzinfo=timezone.utc)
    assert row["period_end_local"] == "2023-10-16T07:00:00-06:00"
    assert (row["parameter_id"], row["parameter_name"], row["units"], row["value"]) == (2, "pm25", "µg/m³", 6.0)
    assert row["payload"] == hour() and row["fetched_at"] == NOW


@pytest.mark.parametrize("item, sensor, reason", [
    ("<unavailable>", 1, "not an object"),
    (None, 1, "not an object"),
    (hour(), None, "no sensor id"),
    ({"value": 1}, 1, "unreadable period"),
    (hour(end_utc="yesterday-ish"), 1, "unreadable period"),
    (hour(end_utc="2023-10-16T13:00:00"), 1, "unreadable period"),
    (hour(value="n/a"), 1, "unreadable value"),
])
def test_what_cannot_be_read_has_a_reason(item, sensor, reason):
    assert helpers.measurement_problem(item, sensor).startswith(reason)


@pytest.mark.parametrize("value", [-9999, -999, -3.5, 1e7, None])
def test_out_of_range_values_are_loaded_as_reported(value):
    assert helpers.measurement_problem(hour(value=value), 1) is None


def test_paging_ends_on_a_short_page_whatever_found_says():
    assert not helpers.page_is_last([{}] * 5, 5)
    assert helpers.page_is_last([{}] * 4, 5)
    assert helpers.page_is_last([], 5)


def test_rate_limit_headers():
    cap = timedelta(minutes=5)
    assert helpers.rate_limit_wait({}, cap) is None
    assert helpers.rate_limit_wait({"x-ratelimit-remaining": "12", "x-ratelimit-reset": "30"}, cap) is None
    assert helpers.rate_limit_wait({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "42"}, cap) == 42.0
    with pytest.raises(ValueError):
        helpers.rate_limit_wait({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "3000"}, cap)


def test_a_capture_names_its_sensor_or_location():
    assert helpers.sensor_of(Path("r_list_sensor_measurements_3.json")) == 3
    assert helpers.sensor_of(Path("captures/sensors/3917/hours.json")) == 3917
    assert helpers.sensor_of(Path("r_list_sensor_measurements_limit_5.json")) is None  # 5 is the limit
    assert helpers.sensor_of(Path("python_measurements.json")) is None
    assert helpers.location_of(Path("r_list_location_sensors_3.json")) == 3
    assert helpers.location_of(Path("python_sensors.json")) is None


def test_capture_kind_reads_the_items():
    assert helpers.capture_kind([hour()]) == "measurements"
    assert helpers.capture_kind([{"id": 1, "timezone": "UTC", "sensors": []}]) == "locations"
    assert helpers.capture_kind([{"id": 1, "parameter": {"id": 2}}]) == "sensors"
    assert helpers.capture_kind([{"id": 9, "code": "IN"}]) == "other"
    assert helpers.capture_kind([]) == "empty"


def test_the_captured_location_and_sensor_give_contract_rows():
    path = SAMPLES / "python_locations.json"
    if not path.exists():
        pytest.skip(f"OpenAQ captures not available at {path}")
    [item] = orjson.loads(path.read_bytes())["results"]
    row = helpers.location_row(item, NOW)
    assert (row["location_id"], row["country_code"], row["timezone"], row["provider_name"]) == (
        2178, "US", "America/Denver", "AirNow")
    assert row["latitude"] == 35.1353 and row["is_monitor"] is True and row["payload"] is item
    sensor = helpers.sensor_row(item["sensors"][0], 2178, NOW)
    assert (sensor["sensor_id"], sensor["parameter_name"], sensor["units"]) == (3918, "so2", "ppm")


def test_config_defaults_and_the_real_api():
    sandbox = OpenAQConfig.from_env({})
    assert sandbox.uses_sandbox() and sandbox.lookback_hours == 8 and sandbox.first_run_days == 3
    assert sandbox.rate_limit_per_min == 600 and sandbox.discovery_queries() == [{}]
    real = OpenAQConfig.from_env({"OPENAQ_API_KEY": "k", "OPENAQ_COUNTRIES": "us, gb",
                                  "OPENAQ_LOCATION_IDS": "2178,8118"})
    assert not real.uses_sandbox() and real.secrets() == ("k",) and real.rate_limit_per_min == 60
    assert real.location_ids == (2178, 8118) and real.discovery_queries() == [{"iso": "US"}, {"iso": "GB"}]
    boxed = OpenAQConfig.from_env({"OPENAQ_BBOX": "-0.5,51.3,0.3,51.7"})
    assert boxed.discovery_queries() == [{"bbox": "-0.5,51.3,0.3,51.7"}]


@pytest.mark.parametrize("name, value", [
    ("OPENAQ_LOCATION_IDS", "2178,abc"), ("OPENAQ_COUNTRIES", "USA"), ("OPENAQ_BBOX", "1,2,3"),
    ("OPENAQ_BBOX", "10,0,5,1"), ("OPENAQ_LOOKBACK_HOURS", "-1"), ("OPENAQ_FIRST_RUN_DAYS", "0"),
    ("OPENAQ_RATE_LIMIT_PER_MIN", "fast"), ("OPENAQ_MAX_LOCATIONS", "0"), ("OPENAQ_BASE_URL", "api.openaq.org"),
])
def test_bad_settings_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        OpenAQConfig.from_env({name: value})
