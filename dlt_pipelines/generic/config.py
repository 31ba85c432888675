"""Generic sources declared in a config file (README beside this file): the file's format, its
validation (every error names the entry and the field) and each entry's settings at run time.

`ELT_GENERIC_SOURCES` (default `sources.yml` at the repository root) names the file; a missing
file declares no sources. The built-in example (dlt_pipelines/generic/example.py) is always there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from dlt_pipelines.common.env import ConfigError, Env, text

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_FILE_VARIABLE = "ELT_GENERIC_SOURCES"
DEFAULT_SOURCES_FILE = REPO_ROOT / "sources.yml"

FILE_KINDS = ("csv", "jsonl", "json", "parquet")
DATABASE_KINDS = ("sqlite", "postgres")
KINDS = FILE_KINDS + DATABASE_KINDS
WRITE_DISPOSITIONS = ("merge", "append", "replace")
DEFAULT_DOMAIN = "generic"
DEFAULT_SCHEDULE = "0 2 * * *"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

ENTRY_FIELDS = {"name", "kind", "location", "tables", "table", "primary_key", "cursor", "write_disposition",
                "domain", "schedule", "chunk_size", "schema", "csv_delimiter", "records_path", "backend"}
BACKENDS = ("pyarrow", "connectorx")  # dlt's sql_database backends that yield Arrow
TABLE_FIELDS = {"name", "primary_key", "cursor", "write_disposition"}


class GenericSourceError(ConfigError):
    """A bad entry of the generic sources file: the message names the file, the entry and the field."""


@dataclass(frozen=True)
class TableSpec:
    """One table a generic source loads: a database table, or the one table of a file source."""

    name: str
    primary_key: tuple[str, ...] = ()  # merge key; empty: dlt's reflected key (databases) or none
    cursor: str | None = None  # incremental column; files use the file's modification_date
    write_disposition: str = ""  # empty: see resolved()


@dataclass(frozen=True)
class Entry:
    name: str  # the ELT_SOURCES name; dataset raw_<name>
    kind: str
    location: str  # path or glob (files), SQLAlchemy URL (databases); `${VAR}` read at run time
    tables: tuple[TableSpec, ...]
    domain: str = DEFAULT_DOMAIN
    schedule: str = DEFAULT_SCHEDULE
    chunk_size: int = 100_000  # rows per arrow batch
    schema: str | None = None  # database schema (postgres), default the connection's
    csv_delimiter: str = ","
    records_path: str | None = None  # json: the key holding the records list, else the document itself
    backend: str = "pyarrow"  # databases: sql_database's backend (connectorx needs its package installed)
    origin: str = ""  # where it was declared, for messages
    # the built-in example writes its data at run time: (build dir, now) -> location
    prepare: Callable[[Path, datetime], str] | None = field(default=None, compare=False, repr=False)

    @property
    def is_file(self) -> bool:
        return self.kind in FILE_KINDS


@dataclass(frozen=True)
class GenericConfig:
    """An entry's settings at run time (the registry's SourceConfig): the location with `${VAR}`
    read from the environment. No HTTP, no sandbox: generic sources read files and databases."""

    entry: Entry
    location: str
    base_url: str | None = None
    rate_limit_per_min: float = 0.0
    _secrets: tuple[str, ...] = ()

    def uses_sandbox(self) -> bool:
        return False

    def secrets(self) -> tuple[str, ...]:
        return self._secrets


def sources_file(env: Env) -> Path:
    """ELT_GENERIC_SOURCES, else sources.yml at the repository root."""
    configured = text(env, SOURCES_FILE_VARIABLE)
    return Path(configured).expanduser() if configured else DEFAULT_SOURCES_FILE


def load_entries(path: Path) -> list[Entry]:
    """The entries of a generic sources file; none when the file does not exist."""
    if not path.exists():
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as problem:
        raise GenericSourceError(f"{path}: not valid YAML: {problem}") from None
    return parse_entries(document, str(path))


def parse_entries(document: Any, origin: str) -> list[Entry]:
    if document is None:
        return []
    if not isinstance(document, Mapping) or set(document) - {"sources"}:
        raise GenericSourceError(f"{origin}: must be a mapping with one key, `sources:` (a list of entries)")
    raw = document.get("sources") or []
    if not isinstance(raw, list):
        raise GenericSourceError(f"{origin}: `sources` must be a list of entries")
    entries = [parse_entry(item, origin, index) for index, item in enumerate(raw, start=1)]
    seen: set[str] = set()
    for entry in entries:
        if entry.name in seen:
            raise GenericSourceError(f"{origin}: entry {entry.name!r}: field name: declared twice")
        seen.add(entry.name)
    return entries


def parse_entry(item: Any, origin: str, index: int) -> Entry:
    label = f"{origin}: entry #{index}"
    if not isinstance(item, Mapping):
        raise GenericSourceError(f"{label}: must be a mapping with name, kind and location")
    name = item.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise GenericSourceError(f"{label}: field name: must be lower case letters, digits and _, starting with a "
                                 f"letter (it names the dataset raw_<name>), got {name!r}")
    label = f"{origin}: entry {name!r}"

    def fail(field_name: str, message: str):
        raise GenericSourceError(f"{label}: field {field_name}: {message}")

    unknown = sorted(set(item) - ENTRY_FIELDS)
    if unknown:
        fail(unknown[0], f"unknown field; known fields: {', '.join(sorted(ENTRY_FIELDS))}")
    kind = item.get("kind")
    if kind not in KINDS:
        fail("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    location = item.get("location")
    if not isinstance(location, str) or not location.strip():
        fail("location", "required: a path or glob (files) or a SQLAlchemy URL (databases)")
    location = location.strip()
    defaults = _table_fields(item, fail, "")
    if kind in FILE_KINDS:
        if "tables" in item:
            fail("tables", f"only for databases ({', '.join(DATABASE_KINDS)}); a {kind} source loads one table: "
                           "name it with `table`")
        if defaults.cursor:
            fail("cursor", "files are read incrementally on their modification date; a cursor is for databases")
        table_name = item.get("table", name)
        if not isinstance(table_name, str) or not NAME.match(table_name):
            fail("table", f"must be lower case letters, digits and _, got {table_name!r}")
        tables = (replace(defaults, name=table_name),)
    else:
        if "table" in item:
            fail("table", "databases list their tables under `tables`")
        if kind == "sqlite" and not location.startswith("sqlite:"):
            fail("location", f"must be a sqlite:/// URL, got {location!r}")
        if kind == "postgres" and not location.startswith(("postgresql:", "postgresql+", "postgres:")):
            fail("location", f"must be a postgresql:// URL, got {_masked(location)!r}")
        raw_tables = item.get("tables")
        if not isinstance(raw_tables, list) or not raw_tables:
            fail("tables", "required for a database: a list of table names or of mappings {name, primary_key, "
                           "cursor, write_disposition}")
        tables = tuple(_table(t, defaults, fail, n) for n, t in enumerate(raw_tables, start=1))
        names = [t.name for t in tables]
        if len(set(names)) != len(names):
            fail("tables", "a table is listed twice")
    chunk_size = item.get("chunk_size", Entry.chunk_size)
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        fail("chunk_size", f"must be a whole number >= 1, got {chunk_size!r}")
    for key in ("domain", "schedule", "schema", "csv_delimiter", "records_path"):
        if key in item and (not isinstance(item[key], str) or not item[key]):
            fail(key, f"must be a non-empty string, got {item[key]!r}")
    if "domain" in item and not NAME.match(item["domain"]):
        fail("domain", f"must be lower case letters, digits and _ (a marts folder), got {item['domain']!r}")
    if "schedule" in item and len(item["schedule"].split()) != 5:
        fail("schedule", f"must be a cron expression of 5 fields (UTC), got {item['schedule']!r}")
    if "csv_delimiter" in item and (kind != "csv" or len(item["csv_delimiter"]) != 1):
        fail("csv_delimiter", "one character, for csv sources only")
    if "records_path" in item and kind != "json":
        fail("records_path", "for json sources only")
    if "schema" in item and kind != "postgres":
        fail("schema", "for postgres sources only")
    if "backend" in item and (kind not in DATABASE_KINDS or item["backend"] not in BACKENDS):
        fail("backend", f"for databases only, one of {', '.join(BACKENDS)}, got {item['backend']!r}")
    return Entry(name=name, kind=kind, location=location, tables=tables,
                 domain=item.get("domain", DEFAULT_DOMAIN), schedule=item.get("schedule", DEFAULT_SCHEDULE),
                 chunk_size=chunk_size, schema=item.get("schema"), csv_delimiter=item.get("csv_delimiter", ","),
                 records_path=item.get("records_path"), backend=item.get("backend", "pyarrow"), origin=origin)


def _keys(value: Any, fail, field_name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    fail(field_name, f"must be a column name or a list of column names, got {value!r}")


def _table_fields(item: Mapping, fail, prefix: str) -> TableSpec:
    primary_key = _keys(item.get("primary_key"), fail, f"{prefix}primary_key")
    cursor = item.get("cursor")
    if cursor is not None and (not isinstance(cursor, str) or not cursor):
        fail(f"{prefix}cursor", f"must be a column name, got {cursor!r}")
    disposition = item.get("write_disposition")
    if disposition is not None and disposition not in WRITE_DISPOSITIONS:
        fail(f"{prefix}write_disposition", f"must be one of {', '.join(WRITE_DISPOSITIONS)}, got {disposition!r}")
    return TableSpec(name="", primary_key=primary_key, cursor=cursor, write_disposition=disposition or "")


def _table(raw: Any, defaults: TableSpec, fail, index: int) -> TableSpec:
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping):
        fail(f"tables[{index}]", f"must be a table name or a mapping with name, got {raw!r}")
    unknown = sorted(set(raw) - TABLE_FIELDS)
    if unknown:
        fail(f"tables[{index}].{unknown[0]}", f"unknown field; known fields: {', '.join(sorted(TABLE_FIELDS))}")
    name = raw.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        fail(f"tables[{index}].name", f"must be a table name, got {name!r}")
    own = _table_fields(raw, fail, f"tables[{index}].")
    return TableSpec(name=name, primary_key=own.primary_key or defaults.primary_key,
                     cursor=own.cursor or defaults.cursor,
                     write_disposition=own.write_disposition or defaults.write_disposition)


def resolved(entry: Entry) -> Entry:
    """Write dispositions made explicit: merge with a primary key, append with a cursor (files always
    have one, their modification date), else replace."""
    tables = []
    for table in entry.tables:
        disposition = table.write_disposition or (
            "merge" if table.primary_key else "append" if table.cursor or entry.is_file else "replace")
        if disposition == "merge" and not table.primary_key and entry.is_file:
            raise GenericSourceError(f"{entry.origin}: entry {entry.name!r}: field primary_key: required for "
                                     "write_disposition merge")
        tables.append(replace(table, write_disposition=disposition))
    return replace(entry, tables=tuple(tables))


def expand(entry: Entry, env: Env) -> str:
    """The entry's location with every `${VAR}` read from the environment (an unset one is an error
    naming the entry, the field and the variable)."""

    def value(match: re.Match) -> str:
        found = env.get(match.group(1))
        if found is None or found == "":
            raise GenericSourceError(f"{entry.origin}: entry {entry.name!r}: field location: "
                                     f"{match.group(1)} is not set (the location reads ${{{match.group(1)}}})")
        return found

    return VARIABLE.sub(value, entry.location)


def read_config(entry: Entry, env: Env) -> GenericConfig:
    location = expand(entry, env)
    secrets: tuple[str, ...] = ()
    if not entry.is_file:
        password = urlsplit(location).password
        secrets = tuple(v for v in {password, unquote(password) if password else None} if v)
    return GenericConfig(entry=entry, location=location, _secrets=secrets)


def _masked(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def entries_from_env(env: Env | None = None) -> list[Entry]:
    """The entries of the configured file (ELT_GENERIC_SOURCES, else sources.yml)."""
    return load_entries(sources_file(os.environ if env is None else env))
