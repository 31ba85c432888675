"""The generic sources file: entries are validated, and every error names the entry and the field."""

from __future__ import annotations

import pytest

from dlt_pipelines.generic.config import (
    GenericSourceError,
    expand,
    load_entries,
    parse_entries,
    read_config,
    resolved,
    sources_file,
)
from dlt_pipelines.generic.helpers import database_url, file_location
from dlt_pipelines.generic.spec import specs_for
from orchestration.config import REPO_ROOT

GOOD = {"name": "crm", "kind": "postgres", "location": "postgresql://u:${CRM_PW}@h:5432/crm",
        "tables": ["customers", {"name": "orders", "primary_key": "order_id", "cursor": "updated_at"}],
        "cursor": "modified_at"}


def entries(*items):
    return parse_entries({"sources": list(items)}, "sources.yml")


def test_a_good_entry_is_read_with_table_defaults_and_dispositions():
    [entry] = entries(GOOD)
    customers, orders = resolved(entry).tables
    assert (customers.name, customers.cursor, customers.primary_key, customers.write_disposition) == (
        "customers", "modified_at", (), "append")
    assert (orders.cursor, orders.primary_key, orders.write_disposition) == ("updated_at", ("order_id",), "merge")
    [csv] = entries({"name": "prices", "kind": "csv", "location": "x/*.csv", "primary_key": ["sku", "day"]})
    [table] = resolved(csv).tables
    assert (table.name, table.primary_key, table.write_disposition) == ("prices", ("sku", "day"), "merge")
    assert resolved(entries({"name": "logs", "kind": "jsonl", "location": "l"})[0]).tables[0].write_disposition == (
        "append")
    assert resolved(entries({**GOOD, "cursor": None, "tables": ["t"]})[0]).tables[0].write_disposition == "replace"


@pytest.mark.parametrize(("item", "message"), [
    ({**GOOD, "kind": "excel"}, "entry 'crm': field kind: must be one of csv, jsonl, json, parquet, sqlite, postgres"),
    ({**GOOD, "location": ""}, "entry 'crm': field location: required"),
    ({**GOOD, "location": "mysql://h/db"}, "entry 'crm': field location: must be a postgresql:// URL"),
    ({**GOOD, "tables": []}, "entry 'crm': field tables: required for a database"),
    ({**GOOD, "tables": [{"name": "t", "cursor": 3}]}, "entry 'crm': field tables[1].cursor: must be a column name"),
    ({**GOOD, "tables": [{"name": "t", "key": "id"}]}, "entry 'crm': field tables[1].key: unknown field"),
    ({**GOOD, "tables": ["a", "a"]}, "entry 'crm': field tables: a table is listed twice"),
    ({**GOOD, "write_disposition": "upsert"}, "entry 'crm': field write_disposition: must be one of merge"),
    ({**GOOD, "primary_key": 5}, "entry 'crm': field primary_key: must be a column name or a list"),
    ({**GOOD, "colour": "red"}, "entry 'crm': field colour: unknown field"),
    ({**GOOD, "schedule": "daily"}, "entry 'crm': field schedule: must be a cron expression"),
    ({**GOOD, "chunk_size": 0}, "entry 'crm': field chunk_size: must be a whole number >= 1"),
    ({"name": "Bad-Name", "kind": "csv", "location": "x"}, "entry #1: field name: must be lower case"),
    ({"name": "f", "kind": "csv", "location": "x", "tables": ["t"]}, "entry 'f': field tables: only for databases"),
    ({"name": "f", "kind": "csv", "location": "x", "cursor": "c"}, "entry 'f': field cursor: files are read"),
    ({"name": "f", "kind": "sqlite", "location": "x.db", "tables": ["t"]}, "entry 'f': field location: must be a "
                                                                             "sqlite:/// URL"),
    ({"name": "f", "kind": "csv", "location": "x", "records_path": "a"}, "entry 'f': field records_path: for json"),
    ({**GOOD, "backend": "pandas"}, "entry 'crm': field backend: for databases only, one of pyarrow, connectorx"),
])
def test_a_bad_entry_names_the_entry_and_the_field(item, message):
    with pytest.raises(GenericSourceError, match="^sources.yml: " + message.replace("(", r"\(").replace("[", r"\[")):
        entries(item)


def test_file_level_errors():
    with pytest.raises(GenericSourceError, match="one key, `sources:`"):
        parse_entries({"source": []}, "sources.yml")
    with pytest.raises(GenericSourceError, match="`sources` must be a list"):
        parse_entries({"sources": {"name": "x"}}, "sources.yml")
    with pytest.raises(GenericSourceError, match="entry 'crm': field name: declared twice"):
        entries(GOOD, GOOD)
    with pytest.raises(GenericSourceError, match="field primary_key: required for write_disposition merge"):
        resolved(entries({"name": "f", "kind": "csv", "location": "x", "write_disposition": "merge"})[0])
    [jsearch] = entries({"name": "jsearch", "kind": "csv", "location": "x"})
    with pytest.raises(GenericSourceError, match="entry 'jsearch': field name: already taken"):
        specs_for([jsearch, jsearch])


def test_the_password_comes_from_the_environment_and_is_a_secret():
    [entry] = entries(GOOD)
    with pytest.raises(GenericSourceError, match="entry 'crm': field location: CRM_PW is not set"):
        expand(entry, {})
    config = read_config(entry, {"CRM_PW": "p@ss%word"})
    assert config.location == "postgresql://u:p@ss%word@h:5432/crm" and "p@ss%word" in config.secrets()
    assert not config.uses_sandbox()
    assert database_url(entry, "postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert database_url(entry, "postgres://u@h/db") == "postgresql+psycopg2://u@h/db"


def test_locations_are_relative_to_the_sources_file(tmp_path):
    config = tmp_path / "conf" / "sources.yml"
    config.parent.mkdir()
    config.write_text("sources:\n  - {name: s, kind: csv, location: data/**/*.csv}\n"
                      "  - {name: d, kind: sqlite, location: 'sqlite:///app.db', tables: [t]}\n"
                      "  - {name: p, kind: parquet, location: /abs/folder}\n")
    files, db, parquet = load_entries(config)
    assert file_location(files, files.location) == (str(config.parent / "data"), "**/*.csv")
    assert database_url(db, db.location) == f"sqlite:///{config.parent / 'app.db'}"
    assert file_location(parquet, parquet.location) == ("/abs/folder", "*.parquet")
    assert load_entries(tmp_path / "missing.yml") == []


def test_the_sources_file_is_sources_yml_unless_configured(tmp_path):
    assert sources_file({}) == REPO_ROOT / "sources.yml"
    assert sources_file({"ELT_GENERIC_SOURCES": str(tmp_path / "x.yml")}) == tmp_path / "x.yml"
    assert load_entries(REPO_ROOT / "sources.yml") == []  # the shipped file declares none: only the example
