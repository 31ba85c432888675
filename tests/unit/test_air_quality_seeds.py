"""The air-quality reference seeds hold the published values: the US EPA AQI breakpoints equal
EPA's 2024 table (../shared/data/reference/us_aqi_breakpoints_2024.csv) after naming and unit
spelling, and the WHO 2021 guideline seed holds WHO's short-term guideline levels."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from tests.conftest import REPO_ROOT, SHARED, needs_shared

SEEDS = REPO_ROOT / "dbt_project" / "seeds" / "air_quality"
REFERENCE = SHARED / "data" / "reference" / "us_aqi_breakpoints_2024.csv"
# EPA's names and unit spellings -> the warehouse's (OpenAQ parameter names, µg/m³): the same
# scale, so the concentrations compare as they are
POLLUTANTS = {"PM2.5": "pm25", "PM10": "pm10", "O3": "o3", "CO": "co", "SO2": "so2", "NO2": "no2"}
UNITS = {"ug/m3": "µg/m³", "ppm": "ppm", "ppb": "ppb"}
# EPA's index ends at 500: the seed closes each open-ended Hazardous row there, with EPA's
# top-of-index concentration (EPA-454/B-24-002)
TOP_OF_INDEX = {("pm25", 24): "325.4", ("pm10", 24): "604", ("co", 8): "50.4", ("o3", 1): "0.604",
                ("so2", 1): "1004", ("no2", 1): "2049"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def seed_breakpoints() -> dict[tuple[str, int, int], dict[str, str]]:
    return {(r["pollutant"], int(r["averaging_hours"]), int(r["aqi_low"])): r
            for r in rows(SEEDS / "us_aqi_breakpoints.csv")}


@needs_shared("data", "reference", "us_aqi_breakpoints_2024.csv")
def test_aqi_breakpoints_seed_equals_epas_2024_table():
    seed = seed_breakpoints()
    expected: dict[tuple[str, int, int], dict[str, object]] = {}
    for row in rows(REFERENCE):
        pollutant, hours = POLLUTANTS[row["pollutant"]], int(row["averaging_period"])
        low, high = number(row["concentration_lower"]), number(row["concentration_upper"])
        if low is None or (high is None and row["category"] != "Hazardous"):
            continue  # undefined in EPA's table (1-hour O3 below AQI 101): only the 8-hour value counts
        if (pollutant, hours) == ("o3", 8) and high is None:
            continue  # 8-hour O3 above 0.200 ppm: EPA uses the 1-hour value
        open_ended = high is None
        expected[(pollutant, hours, int(row["category_lower"]))] = {
            "canonical_unit": UNITS[row["units"]], "aqi_category": row["category"],
            "category_color": row["hex"], "aqi_high": 500 if open_ended else int(row["category_upper"]),
            "concentration_low": low,
            "concentration_high": Decimal(TOP_OF_INDEX[(pollutant, hours)]) if open_ended else high,
            "is_open_ended": open_ended,
        }
    # 6 categories x 7 pollutant averages, less 8-hour O3 Hazardous and 1-hour O3 Good and Moderate
    assert len(expected) == 39
    assert set(seed) == set(expected)
    for key, want in expected.items():
        got = seed[key]
        assert {"canonical_unit": got["canonical_unit"], "aqi_category": got["aqi_category"],
                "category_color": got["category_color"], "aqi_high": int(got["aqi_high"]),
                "concentration_low": Decimal(got["concentration_low"]),
                "concentration_high": Decimal(got["concentration_high"]),
                "is_open_ended": got["is_open_ended"] == "true"} == want, key


def test_aqi_breakpoints_truncate_to_epas_precision():
    digits = {(r["pollutant"], int(r["truncate_digits"])) for r in rows(SEEDS / "us_aqi_breakpoints.csv")}
    assert digits == {("pm25", 1), ("pm10", 0), ("o3", 3), ("co", 1), ("so2", 0), ("no2", 0)}


def test_who_2021_guideline_seed_holds_whos_values():
    guidelines = {r["pollutant"]: (int(r["averaging_hours"]), Decimal(r["guideline_value"]), r["guideline_unit"])
                  for r in rows(SEEDS / "who_air_quality_guidelines_2021.csv")}
    assert guidelines == {
        "pm25": (24, Decimal(15), "µg/m³"),
        "pm10": (24, Decimal(45), "µg/m³"),
        "no2": (24, Decimal(25), "µg/m³"),
        "so2": (24, Decimal(40), "µg/m³"),
        "co": (24, Decimal(4), "mg/m³"),
        "o3": (8, Decimal(100), "µg/m³"),  # WHO's O3 guideline is the 8-hour (daily maximum) one
    }
