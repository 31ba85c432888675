"""The sandbox vocabulary files: typed reading, and shipping them with the package."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dlt_pipelines.job_boards.sandbox import pools
from dlt_pipelines.job_boards.sandbox.vocabulary_files import (
    VocabularyError,
    integer,
    number,
    record,
    row_of,
    text,
    tuple_of,
)

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = Path(pools.__file__).with_name("vocabularies")
CITY = row_of(text, text, text, number, number)


def test_an_unquoted_code_yaml_reads_as_a_boolean_is_refused_with_its_place() -> None:
    cities = yaml.safe_load("- [Toronto, Ontario, ON, 43.65, -79.38]")
    with pytest.raises(VocabularyError, match=r"cities\[0\]\[2\]: expected quoted text, got True"):
        tuple_of(CITY)(cities, "cities")
    assert tuple_of(CITY)(yaml.safe_load('- [Toronto, Ontario, "ON", 43.65, -79]'), "cities") == (
        ("Toronto", "Ontario", "ON", 43.65, -79.0),
    )


def test_records_need_exactly_their_keys_and_rows_their_length() -> None:
    schema = {"key": text, "weight": integer}
    assert record({"key": "qa", "weight": 3}, schema, "roles") == {"key": "qa", "weight": 3}
    with pytest.raises(VocabularyError, match="expected the keys"):
        record({"key": "qa", "wieght": 3}, schema, "roles")
    with pytest.raises(VocabularyError, match="expected a whole number"):
        record({"key": "qa", "weight": 3.5}, schema, "roles")
    with pytest.raises(VocabularyError, match="expected 5 values"):
        CITY(["Toronto", "Ontario", "ON", 43.65], "city")


def test_every_vocabulary_file_is_package_data_and_has_a_header() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()  # read as text: tomllib needs Python 3.11
    package_data = pyproject.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert '"dlt_pipelines.job_boards.sandbox" = ["vocabularies/*.yml"]' in package_data
    files = sorted(VOCABULARIES.iterdir())
    assert [f.name for f in files] == [
        "boards.yml",
        "countries.yml",
        "description_lines.yml",
        "employers.yml",
        "industries.yml",
        "publishers.yml",
        "roles.yml",
        "technologies.yml",
    ]
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} lacks its header comment"


def test_the_pools_built_from_the_files_keep_their_shapes() -> None:
    assert len(pools.COUNTRIES) == 8 and pools.COUNTRIES[0].code == "US"
    assert all(isinstance(city, pools.City) for country in pools.COUNTRIES for city in country.cities)
    assert pools.COUNTRY_BY_CODE["CA"].cities[0].state_code == "ON"
    assert all(isinstance(forms, tuple) for forms in pools.TECH_FORMS.values())
    assert pools.ROLES[0].key == "data_engineer" and isinstance(pools.ROLES[0].pay_multiplier, float)
    assert pools.SENIORITY[2] == ("", 1, 40)
    assert pools.INDUSTRIES["software"][1] == ("engineering teams", "thousands of businesses")
    assert len(pools.EMPLOYERS) == len({employer.base_name for employer in pools.EMPLOYERS}) == 150
