"""The air-quality models on a hand-made raw_openaq (tests/integration/air_quality_fixture.py, the
raw contract of the OpenAQ source): every raw value is staged clean or quarantined with a reason,
duplicates collapse, local days and their completeness are right, the US AQI of a day equals a
recomputation from EPA's breakpoints, WHO exceedances are the days above the guidelines, a new
load recomputes only the days it touches; and a warehouse without raw_openaq builds green with
empty air-quality marts."""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from datetime import timedelta, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT
from orchestration.dbt_runner import run_dbt
from orchestration.warehouse import with_database
from tests.conftest import _admin, query
from tests.integration import air_quality_fixture as fixture

SEEDS = REPO_ROOT / "dbt_project" / "seeds" / "air_quality"
# the run ledger (stg_dlt__loads+) spans every source and needs the ops staging: not part of this domain
AIR_QUALITY = ["--select", "source:raw_openaq+", "path:seeds/air_quality+", "--exclude", "quarantined_records+",
               "stg_dlt__loads+"]
MARTS = ("fct_air_quality_hourly", "fct_air_quality_daily", "fct_aqi_daily", "fct_who_guideline_exceedances",
         "dim_air_quality_locations")


def _green(report) -> None:
    assert report.count("model", "error") == 0, report.failures
    failed = sum(report.count(kind, status) for kind in ("test", "unit_test", "seed", "snapshot")
                 for status in ("fail", "error"))
    assert failed == 0, report.failures


@pytest.fixture(scope="module")
def warehouse(fresh_database, tmp_path_factory):
    """The fixture loaded and the whole project built on it (job boards never loaded)."""
    fixture.load_fixture(fresh_database)
    target = tmp_path_factory.mktemp("airq") / "target"
    report = run_dbt(["build"], fresh_database, target_path=target, quiet=True)
    _green(report)
    assert report.count("unit_test", "pass") > 0 and report.count("snapshot", "success") == 1
    return {"url": fresh_database, "target": target}


def _staged_keys() -> dict[tuple[int, str], fixture.Measurement]:
    """The newest complete-load row per sensor and hour, as staging must keep it."""
    newest: dict[tuple[int, str], fixture.Measurement] = {}
    for m in fixture.MEASUREMENTS:
        if m.load_id not in fixture.COMPLETE_LOADS:
            continue
        key = (m.sensor_id, m.period_end_utc.isoformat())
        if key not in newest or m.fetched_at > newest[key].fetched_at:
            newest[key] = m
    return newest


def test_every_raw_value_is_staged_clean_or_quarantined_with_a_reason(warehouse):
    url = warehouse["url"]
    complete_rows = [m for m in fixture.MEASUREMENTS if m.load_id in fixture.COMPLETE_LOADS]
    [(staged, clean, quarantined, raw_rows)] = query(
        url, "select count(*), count(*) filter (where not is_quarantined), count(*) filter (where is_quarantined),"
             " sum(raw_row_count) from staging.stg_openaq__measurements")
    assert staged == len(_staged_keys()) == clean + quarantined
    assert raw_rows == len(complete_rows)  # the duplicate hour is counted, not lost
    # the crashed load is invisible
    assert query(url, "select count(*) from staging.stg_openaq__measurements where load_id = %s",
                 (fixture.LOAD_CRASHED,)) == [(0,)]
    rules = dict(query(url, "select rule_name, count(*) from marts.quarantined_records"
                            " where source_name = 'openaq' group by 1"))
    assert rules == {"sentinel_value": 2, "negative_value": 2, "out_of_range": 3, "source_rejected": 1}
    assert sum(count for rule, count in rules.items() if rule != "source_rejected") == quarantined
    assert query(url, "select count(*) from marts.quarantined_records where source_name = 'openaq'"
                      " and (reason is null or record_id is null or load_id is null)") == [(0,)]
    # clean values (one sensor per parameter and location here) are the hourly fact
    assert query(url, "select count(*) from marts.fct_air_quality_hourly") == [(clean,)]
    # a negative temperature is a valid value
    assert query(url, "select is_quarantined from staging.stg_openaq__measurements"
                      " where parameter_name = 'temperature' and value_reported = -5") == [(False,)]
    # the quality marts keep working with the new rules
    counted = query(url, "select sum(quarantined_records) from marts.mart_quarantine_counts")[0][0]
    assert counted == query(url, "select count(*) from marts.quarantined_records")[0][0]


def test_no_duplicates_and_the_newest_value_of_a_repeated_hour_wins(warehouse):
    url = warehouse["url"]
    for table, key in (("staging.stg_openaq__measurements", "sensor_id, period_end_utc"),
                       ("marts.fct_air_quality_hourly", "location_id, parameter_name, period_end_utc"),
                       ("marts.fct_air_quality_daily", "location_id, parameter_name, measurement_date_local"),
                       ("marts.fct_aqi_daily", "location_id, measurement_date_local")):
        assert query(url, f"select count(*) from (select {key} from {table} group by {key} having count(*) > 1) d") \
            == [(0,)], table
    [(value, raw_row_count)] = query(
        url, "select value_reported, raw_row_count from staging.stg_openaq__measurements"
             " where sensor_id = 101 and measurement_date_local = '2023-10-16' and hour_local = 5")
    assert (value, raw_row_count) == (40.0, 2)


def test_local_days_and_their_completeness(warehouse):
    url = warehouse["url"]
    days = {(loc, param, str(day)): (hours, complete) for loc, param, day, hours, complete in query(
        url, "select location_id, parameter_name, measurement_date_local, hours_observed, is_complete"
             " from marts.fct_air_quality_daily")}
    assert days[(2178, "pm25", "2023-10-16")] == (24, True)
    assert days[(2178, "pm25", "2023-10-17")] == (17, False)  # 17 clean hours, the rest quarantined
    assert days[(3001, "pm10", "2023-10-16")] == (18, True)  # exactly 18: complete
    assert days[(2178, "no2", "2023-10-17")] == (3, False)
    # Denver's 23:00-24:00 local hour (05:00-06:00 UTC next day) belongs to the local day it started on
    [(day, hour, offset)] = query(
        url, "select measurement_date_local::text, hour_local, utc_offset::text from marts.fct_air_quality_hourly"
             " where location_id = 2178 and parameter_name = 'pm25' and period_end_utc = '2023-10-17 06:00:00+00'")
    assert (day, hour, offset) == ("2023-10-16", 23, "-06:00:00")


def _breakpoints() -> dict[tuple[str, int], list[dict]]:
    table: dict[tuple[str, int], list[dict]] = defaultdict(list)
    with (SEEDS / "us_aqi_breakpoints.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[(row["pollutant"], int(row["averaging_hours"]))].append(row)
    return table


def _aqi(pollutant: str, hours: int, concentration: Decimal) -> int | None:
    rows = _breakpoints()[(pollutant, hours)]
    digits = int(rows[0]["truncate_digits"])
    c = concentration.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    for row in rows:
        c_lo, c_hi = Decimal(row["concentration_low"]), Decimal(row["concentration_high"])
        if c_lo <= c <= c_hi:
            i_lo, i_hi = Decimal(row["aqi_low"]), Decimal(row["aqi_high"])
            return int(((i_hi - i_lo) / (c_hi - c_lo) * (c - c_lo) + i_lo).quantize(Decimal(1), ROUND_HALF_UP))
    return None


def test_aqi_of_a_day_equals_epa_recomputed_in_python(warehouse):
    kept = _staged_keys().values()
    series: dict[str, list[tuple]] = defaultdict(list)
    for m in kept:
        if m.location_id == 2178 and m.value >= 0:
            series[fixture.SENSOR_BY_ID[m.sensor_id][3]].append((m.period_end_utc, m.local_day, Decimal(str(m.value))))

    def day_values(param):
        return [v for _, day, v in series[param] if day == fixture.D16]

    def max_8h(param):
        points = sorted(series[param])
        means = []
        for end, day, _ in points:
            if day != fixture.D16:
                continue
            window = [v for t, _, v in points if end - timedelta(hours=7) <= t <= end]
            if len(window) >= 6:
                means.append(sum(window) / len(window))
        return max(means)

    pm25 = day_values("pm25")
    assert len(pm25) == 24
    expected = {
        "pm25": _aqi("pm25", 24, sum(pm25) / len(pm25)),
        "o3": _aqi("o3", 8, max_8h("o3")),  # the 1-hour maximum (0.076 ppm) is below the 1-hour breakpoints
        "co": _aqi("co", 8, max_8h("co")),
        "no2": _aqi("no2", 1, max(day_values("no2"))),
    }
    assert max(day_values("o3")) < Decimal("0.125")
    [row] = query(warehouse["url"], "select aqi_pm25, aqi_o3, aqi_co, aqi_no2, aqi, dominant_pollutant, aqi_category,"
                                    " aqi_pm10, aqi_so2 from marts.fct_aqi_daily"
                                    " where location_id = 2178 and measurement_date_local = '2023-10-16'")
    assert row[:4] == (expected["pm25"], expected["o3"], expected["co"], expected["no2"])
    dominant = max(expected, key=expected.get)
    assert row[4:7] == (expected[dominant], dominant, "Unhealthy for Sensitive Groups")
    assert row[7:] == (None, None)
    # the incomplete PM2.5 day has no 24-hour index: NO2 gives the day's AQI
    [(aqi_pm25, dominant_17)] = query(
        warehouse["url"], "select aqi_pm25, dominant_pollutant from marts.fct_aqi_daily"
                          " where location_id = 2178 and measurement_date_local = '2023-10-17'")
    assert (aqi_pm25, dominant_17) == (None, "no2")


def test_who_exceedances_are_the_complete_days_above_the_guidelines(warehouse):
    rows = {(loc, str(day), pollutant) for loc, day, pollutant in query(
        warehouse["url"],
        "select location_id, measurement_date_local, pollutant from marts.fct_who_guideline_exceedances")}
    assert rows == {
        (2178, "2023-10-16", "pm25"),  # 36.1 µg/m³ > 15
        (2178, "2023-10-16", "no2"),  # 21.5 ppb > 25 µg/m³ = 13.3 ppb
        (2178, "2023-10-16", "o3"),  # 8-hour 0.069 ppm > 100 µg/m³ = 0.051 ppm
        (3001, "2023-10-16", "pm10"),  # 48.5 µg/m³ > 45 (18 hours: complete)
        (3001, "2023-10-16", "no2"),  # 41.5 µg/m³ > 25
    }  # not: Berlin's O3 (highest 8-hour mean 99 µg/m³), SO2, CO, nor the incomplete PM2.5 day


def test_a_new_load_recomputes_only_the_days_it_touches(warehouse):
    url, target = warehouse["url"], warehouse["target"]
    before = dict(query(url, "select location_id || '/' || measurement_date_local, last_staged_at"
                             " from marts.fct_air_quality_daily where parameter_name = 'pm10'"))
    load = "1697800000.400004"
    new = fixture.Measurement(101, fixture.D17, 20, 31.0, load, fixture.FETCHED_2)  # the 18th clean hour
    _, _, parameter_id, parameter_name, units = fixture.SENSOR_BY_ID[new.sensor_id]
    query(url, "insert into raw_openaq._dlt_loads values (%s, 'openaq', 0, now(), 'hash1');"
               " insert into raw_openaq.measurements values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{}', %s, %s)",
          (load, new.sensor_id, new.location_id, parameter_id, parameter_name, units,
           new.period_end_utc - timedelta(hours=1), new.period_end_utc, new.period_end_local, new.value,
           new.fetched_at, load, "new0"))
    _green(run_dbt(["build", *AIR_QUALITY], url, target_path=target, quiet=True))
    assert query(url, "select hours_observed, is_complete from marts.fct_air_quality_daily where location_id = 2178"
                      " and parameter_name = 'pm25' and measurement_date_local = '2023-10-17'") == [(18, True)]
    assert query(url, "select aqi_pm25 is not null from marts.fct_aqi_daily where location_id = 2178"
                      " and measurement_date_local = '2023-10-17'") == [(True,)]
    after = dict(query(url, "select location_id || '/' || measurement_date_local, last_staged_at"
                            " from marts.fct_air_quality_daily where parameter_name = 'pm10'"))
    assert after == before  # Berlin's day was not recomputed


@pytest.fixture
def empty_warehouse(server_url):
    name = f"elt_test_no_openaq_{uuid.uuid4().hex[:8]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def test_a_warehouse_without_raw_openaq_builds_green_with_empty_marts(empty_warehouse, tmp_path: Path):
    _green(run_dbt(["build", *AIR_QUALITY], empty_warehouse, target_path=tmp_path / "target", quiet=True))
    for name in ("stg_openaq__locations", "stg_openaq__sensors", "stg_openaq__measurements"):
        assert query(empty_warehouse, f"select count(*) from staging.{name}") == [(0,)], name
    for name in MARTS:
        assert query(empty_warehouse, f"select count(*) from marts.{name}") == [(0,)], name


# utc offsets of the fixture are fixed; a guard that the fixture means what it says
def test_fixture_local_times_carry_their_offset():
    m = fixture.Measurement(101, fixture.D16, 23, 1.0)
    assert m.period_end_local == "2023-10-17T00:00:00-06:00"
    assert m.period_end_utc.astimezone(timezone.utc).isoformat() == "2023-10-17T06:00:00+00:00"
