"""A hand-made raw_openaq dataset, exactly as the raw contract of the OpenAQ source describes it
(dlt_pipelines/openaq; tables locations, sensors, measurements, measurements_rejected and dlt's
_dlt_loads), for building the air-quality models without the source.

Two sites: Del Norte, Albuquerque (US, AirNow, America/Denver, -06:00 in October; PM2.5 in
µg/m³, O3 and CO in ppm, NO2 in ppb) and Berlin Mitte (DE, +02:00; PM10, NO2 and O3 in µg/m³,
SO2 in ppb, temperature in °C). Local day 2023-10-16 is complete for every pollutant of both
sites (Berlin's PM10: exactly 18 hours); Albuquerque's PM2.5 has 17 clean hours on 2023-10-17.
Bad values: -9999 and -999 sentinels, negatives (PM2.5, PM10; a negative temperature is valid),
absurd values (PM2.5 1500, PM10 5000, 75 °C), one hour delivered twice (two loads, the later
value wins) and the rows of a load dlt never completed (not in _dlt_loads: never staged).

`MEASUREMENTS` holds every raw measurement row, for the tests' own recomputation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg2

LOAD_1, LOAD_2, LOAD_CRASHED = "1697500000.100001", "1697600000.200002", "1697700000.300003"
FETCHED_1 = datetime(2023, 10, 18, 2, 0, tzinfo=timezone.utc)
FETCHED_2 = datetime(2023, 10, 18, 5, 0, tzinfo=timezone.utc)

LOCATIONS = [
    # location_id, name, locality, timezone, country, lat, lon, provider, owner, utc offset (hours) in Oct 2023
    (2178, "Del Norte", "Albuquerque", "America/Denver", "US", 35.1353, -106.5847, "AirNow", "EPA", -6),
    (3001, "Berlin Mitte", "Berlin", "Europe/Berlin", "DE", 52.5200, 13.4050, "Umweltbundesamt", "UBA", 2),
]
OFFSETS = {location[0]: location[-1] for location in LOCATIONS}

SENSORS = [
    # sensor_id, location_id, parameter_id, parameter_name, units
    (101, 2178, 2, "pm25", "µg/m³"),
    (102, 2178, 10, "o3", "ppm"),
    (103, 2178, 8, "co", "ppm"),
    (104, 2178, 7, "no2", "ppb"),
    (201, 3001, 1, "pm10", "µg/m³"),
    (202, 3001, 5, "no2", "µg/m³"),
    (203, 3001, 3, "o3", "µg/m³"),
    (204, 3001, 9, "so2", "ppb"),
    (205, 3001, 100, "temperature", "c"),
]
SENSOR_BY_ID = {sensor[0]: sensor for sensor in SENSORS}


@dataclass(frozen=True)
class Measurement:
    sensor_id: int
    local_day: str  # the local date of the hour's start
    hour: int  # local hour of the hour's start, 0-23
    value: float
    load_id: str = LOAD_1
    fetched_at: datetime = FETCHED_1

    @property
    def location_id(self) -> int:
        return SENSOR_BY_ID[self.sensor_id][1]

    @property
    def period_end_utc(self) -> datetime:
        start_local = datetime.fromisoformat(self.local_day) + timedelta(hours=self.hour)
        offset = timedelta(hours=OFFSETS[self.location_id])
        return (start_local - offset + timedelta(hours=1)).replace(tzinfo=timezone.utc)

    @property
    def period_end_local(self) -> str:
        offset = timezone(timedelta(hours=OFFSETS[self.location_id]))
        return self.period_end_utc.astimezone(offset).isoformat()


def _day(sensor_id: int, day: str, values: list[float], first_hour: int = 0) -> list[Measurement]:
    return [Measurement(sensor_id, day, first_hour + hour, value) for hour, value in enumerate(values)]


D16, D17, D18 = "2023-10-16", "2023-10-17", "2023-10-18"

MEASUREMENTS: list[Measurement] = [
    # Albuquerque, 2023-10-16: every pollutant 24 hours
    *_day(101, D16, [30.0 + 0.5 * h for h in range(24)]),
    *_day(102, D16, [round(0.030 + 0.002 * h, 3) for h in range(24)]),
    *_day(103, D16, [round(0.3 + 0.1 * (h % 4), 1) for h in range(24)]),
    *_day(104, D16, [10.0 + h for h in range(24)]),
    # the same hour again in a later load, with a corrected value: the later one is kept
    Measurement(101, D16, 5, 40.0, LOAD_2, FETCHED_2),
    # Albuquerque, 2023-10-17: PM2.5 17 clean hours (incomplete), then a sentinel, an absurd value, a negative
    *_day(101, D17, [30.0 + 0.5 * h for h in range(17)]),
    Measurement(101, D17, 17, -9999.0),
    Measurement(101, D17, 18, 1500.0),
    Measurement(101, D17, 19, -2.0),
    *_day(104, D17, [12.0, 15.0, 11.0]),
    # Berlin, 2023-10-16: PM10 exactly 18 clean hours (complete), then -999, a negative, an absurd value
    *_day(201, D16, [40.0 + h for h in range(18)]),
    Measurement(201, D16, 18, -999.0),
    Measurement(201, D16, 19, -3.2),
    Measurement(201, D16, 20, 5000.0),
    *_day(202, D16, [30.0 + h for h in range(24)]),
    *_day(203, D16, [60.0 + 2 * h for h in range(24)]),
    *_day(204, D16, [2.0] * 24),
    *_day(205, D16, [-5.0] + [8.0 + 0.25 * h for h in range(1, 24)]),
    Measurement(205, D17, 0, 75.0),
    # rows of a load dlt never completed (no _dlt_loads row): never staged
    *[Measurement(104, D18, h, 20.0, LOAD_CRASHED, FETCHED_2) for h in range(3)],
]

COMPLETE_LOADS = (LOAD_1, LOAD_2)

DDL = """
create schema if not exists raw_openaq;
create table raw_openaq._dlt_loads (
    load_id text not null, schema_name text, status bigint not null, inserted_at timestamptz not null,
    schema_version_hash text
);
create table raw_openaq.locations (
    location_id bigint not null, name text, locality text, timezone text, country_code text,
    latitude double precision, longitude double precision, provider_name text, owner_name text,
    is_mobile boolean, is_monitor boolean, fetched_at timestamptz, payload jsonb,
    _dlt_load_id text not null, _dlt_id text not null
);
create table raw_openaq.sensors (
    sensor_id bigint not null, location_id bigint, parameter_id bigint, parameter_name text, units text,
    fetched_at timestamptz, payload jsonb, _dlt_load_id text not null, _dlt_id text not null
);
create table raw_openaq.measurements (
    sensor_id bigint not null, location_id bigint, parameter_id bigint, parameter_name text, units text,
    period_start_utc timestamptz, period_end_utc timestamptz not null, period_end_local text,
    value double precision, fetched_at timestamptz, payload jsonb,
    _dlt_load_id text not null, _dlt_id text not null
);
create table raw_openaq.measurements_rejected (
    rejected_at timestamptz, reason text, raw_json text, reject_key text,
    _dlt_load_id text not null, _dlt_id text not null
);
"""


def _location_payload(location: tuple) -> dict:
    location_id, name, locality, tz, country, lat, lon, provider, owner, _ = location
    return {"id": location_id, "name": name, "locality": locality, "timezone": tz,
            "country": {"code": country}, "owner": {"name": owner}, "provider": {"name": provider},
            "isMobile": False, "isMonitor": True, "coordinates": {"latitude": lat, "longitude": lon}}


def _measurement_payload(m: Measurement) -> dict:
    _, _, parameter_id, parameter_name, units = SENSOR_BY_ID[m.sensor_id]
    start = m.period_end_utc - timedelta(hours=1)
    offset = timezone(timedelta(hours=OFFSETS[m.location_id]))
    return {"period": {"label": "1hour", "interval": "01:00:00",
                       "datetimeFrom": {"utc": start.isoformat(), "local": start.astimezone(offset).isoformat()},
                       "datetimeTo": {"utc": m.period_end_utc.isoformat(), "local": m.period_end_local}},
            "value": m.value, "parameter": {"id": parameter_id, "name": parameter_name, "units": units}}


def load_fixture(url: str) -> None:
    """Create raw_openaq in the database at `url` and fill it."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(DDL)
            cur.executemany(
                "insert into raw_openaq._dlt_loads values (%s, 'openaq', 0, %s, 'hash1')",
                [(LOAD_1, FETCHED_1), (LOAD_2, FETCHED_2)])
            for number, location in enumerate(LOCATIONS):
                location_id, name, locality, tz, country, lat, lon, provider, owner, _ = location
                cur.execute(
                    "insert into raw_openaq.locations values"
                    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, false, true, %s, %s, %s, %s)",
                    (location_id, name, locality, tz, country, lat, lon, provider, owner, FETCHED_1,
                     json.dumps(_location_payload(location)), LOAD_1, f"loc{number}"))
            for sensor_id, location_id, parameter_id, parameter_name, units in SENSORS:
                cur.execute(
                    "insert into raw_openaq.sensors values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (sensor_id, location_id, parameter_id, parameter_name, units, FETCHED_1,
                     json.dumps({"id": sensor_id, "name": f"{parameter_name} {units}",
                                 "parameter": {"id": parameter_id, "name": parameter_name, "units": units}}),
                     LOAD_1, f"sen{sensor_id}"))
            for number, m in enumerate(MEASUREMENTS):
                _, _, parameter_id, parameter_name, units = SENSOR_BY_ID[m.sensor_id]
                cur.execute(
                    "insert into raw_openaq.measurements values"
                    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (m.sensor_id, m.location_id, parameter_id, parameter_name, units,
                     m.period_end_utc - timedelta(hours=1), m.period_end_utc, m.period_end_local, m.value,
                     m.fetched_at, json.dumps(_measurement_payload(m)), m.load_id, f"mea{number}"))
            cur.execute(
                "insert into raw_openaq.measurements_rejected values (%s, %s, %s, %s, %s, %s)",
                (FETCHED_1, "measurement has no sensor id", json.dumps({"value": 3.0, "period": {}}),
                 "rk-no-sensor-1", LOAD_1, "rej0"))
    finally:
        conn.close()


if __name__ == "__main__":  # load into a scratch database: python -m tests.integration.air_quality_fixture URL
    import sys

    load_fixture(sys.argv[1])
