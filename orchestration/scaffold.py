"""`make scaffold SOURCE=<name>`: staging for a loaded source, written from the columns dlt loaded.

Into `dbt_project/models/staging/<name>/` it writes `_<name>__sources.yml` (every raw table and
column, with freshness), `_<name>__models.yml` (tests on the load id and the primary key) and one
`stg_<name>__<table>.sql` per table: typed, renamed (dlt's `_dlt_load_id` becomes `load_id`, a
generic file's `_file_name` becomes `file_name`), reading only complete loads, empty where the
source was never loaded. The user then edits them like any staging model.

Each file carries the hash of what was generated (first line). Scaffolding again rewrites a file
only while its content still has that hash; an edited file, or one written by hand, is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import yaml

from dlt_pipelines import registry
from orchestration.config import DBT_PROJECT_DIR, ConfigError, Settings

MARK = re.compile(r"scaffolded by make scaffold, sha256 ([0-9a-f]{16})")
SKIPPED_COLUMNS = {"_dlt_id"}
RENAMED = {"_dlt_load_id": "load_id"}
# information_schema data types -> the SQL type staging casts to
TYPES = {"bigint": "bigint", "integer": "integer", "smallint": "integer", "double precision": "double precision",
         "real": "double precision", "numeric": "numeric", "boolean": "boolean", "date": "date",
         "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamptz",
         "time without time zone": "time", "jsonb": "jsonb", "json": "jsonb", "bytea": "bytea"}
DEFAULT_WARN_HOURS, DEFAULT_ERROR_HOURS = 24, 48


class ScaffoldError(ConfigError):
    """The source cannot be scaffolded yet (never loaded, unknown)."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str

    @property
    def staged_name(self) -> str:
        return RENAMED.get(self.name, self.name.lstrip("_"))

    @property
    def staged_type(self) -> str:
        return TYPES.get(self.data_type, "text")

    def expression(self, alias: str) -> str:
        raw = f"{alias}.{self.name}"
        if self.data_type == "timestamp without time zone":
            return f"{raw} at time zone 'utc'"  # dlt loads naive timestamps as UTC
        if self.staged_type == "text":
            return f"nullif(trim({raw}::text), '')"
        return f"{raw}::{self.staged_type}"


def loaded_columns(warehouse_url: str, dataset: str) -> dict[str, list[Column]]:
    """The data tables of `dataset` (not dlt's own) and their columns, in table order."""
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select table_name, column_name, data_type from information_schema.columns "
                    "where table_schema = %s and table_name not like '\\_dlt%%' order by table_name, ordinal_position",
                    (dataset,))
        rows = cur.fetchall()
    conn.close()
    tables: dict[str, list[Column]] = {}
    for table, column, data_type in rows:
        if column not in SKIPPED_COLUMNS:
            tables.setdefault(table, []).append(Column(column, data_type))
    return tables


def _table_hints(settings: Settings, source: str) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Per table of a generic source: (primary key, freshness column); other sources have none."""
    entry = getattr(settings.source_config(source), "entry", None)
    if entry is None:
        return {}
    return {t.name: (t.primary_key, t.cursor or ("_file_modified_at" if entry.is_file else None))
            for t in entry.tables}


def _freshness_field(columns: list[Column], hinted: str | None) -> str | None:
    names = [c.name for c in columns]
    if hinted in names:
        return hinted
    for candidate in ("_file_modified_at", "updated_at", "modified_at", "fetched_at", "created_at"):
        if candidate in names:
            return candidate
    return None


def sources_yml(source: str, dataset: str, tables: dict[str, list[Column]], hints: dict) -> str:
    entries = []
    for table, columns in tables.items():
        item = {"name": table, "description": f"{table} as dlt loaded it into {dataset}.",
                "columns": [{"name": c.name, "description": f"{c.name} ({c.data_type})."} for c in columns]}
        field = _freshness_field(columns, hints.get(table, ((), None))[1])
        if field:
            item["loaded_at_field"] = field
            item["freshness"] = {"warn_after": {"count": DEFAULT_WARN_HOURS, "period": "hour"},
                                 "error_after": {"count": DEFAULT_ERROR_HOURS, "period": "hour"}}
        entries.append(item)
    entries.append({"name": "_dlt_loads", "description": "dlt's ledger of loads; status 0 marks a complete load.",
                    "loaded_at_field": "inserted_at",
                    "columns": [{"name": "load_id", "description": "The load id, also on every row as _dlt_load_id."},
                                {"name": "status", "description": "0 when the load completed."}]})
    document = {"version": 2, "sources": [{
        "name": dataset, "description": f"The source `{source}` as dlt loaded it (scaffolded: edit freely).",
        "schema": dataset, "freshness": None, "tables": entries}]}
    return yaml.safe_dump(document, sort_keys=False, width=110)


def models_yml(source: str, tables: dict[str, list[Column]], hints: dict) -> str:
    models = []
    for table, columns in tables.items():
        key = hints.get(table, ((), None))[0]
        described = []
        for column in columns:
            item = {"name": column.staged_name, "description": f"{column.name} of raw {table}."}
            if column.name == "_dlt_load_id":
                item["description"] = "The dlt load of the row (join the source's _dlt_loads to trace it)."
                item["data_tests"] = ["not_null"]
            elif len(key) == 1 and column.name == key[0]:
                item["description"] = "Primary key."
                item["data_tests"] = ["unique", "not_null"]
            described.append(item)
        model = {"name": f"stg_{source}__{table}",
                 "description": f"{table} of {source} from complete dlt loads (scaffolded: edit freely).",
                 "columns": described}
        if len(key) > 1:
            model["data_tests"] = [{"unique_combination": {"arguments": {"columns": list(key)}}}]
        models.append(model)
    return yaml.safe_dump({"version": 2, "models": models}, sort_keys=False, width=110)


def model_sql(source: str, dataset: str, table: str, columns: list[Column]) -> str:
    typed = ",\n".join(f"            {c.expression('raw_rows')} as {c.staged_name}" for c in columns)
    empty = ",\n".join(f"            null::{c.staged_type} as {c.staged_name}" for c in columns)
    listed = ",\n".join(f"        {c.staged_name}" for c in columns)
    return f"""{{#- {table} of the source `{source}`: typed and renamed, from complete dlt loads only. Empty
    where {dataset} was never loaded. -#}}

with

{{% if raw_table_exists('{dataset}', '{table}') and raw_table_exists('{dataset}', '_dlt_loads') %}}
    complete_loads as (
        {{{{ new_complete_loads('{dataset}') }}}}
    ),

    raw_rows as (
        select
{typed}
        from {{{{ source('{dataset}', '{table}') }}}} as raw_rows
        where raw_rows._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{{% else %}}
    raw_rows as (
        select
{empty}
        where false
    ),
{{% endif %}}

final as (
    select
{listed}
    from raw_rows
)

select * from final
"""


def _marked(content: str, comment: str) -> str:
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    line = f"scaffolded by make scaffold, sha256 {digest}: an edited file is never overwritten"
    return (f"{{#- {line} -#}}\n" if comment == "jinja" else f"# {line}\n") + content


def write_unless_edited(path: Path, content: str, comment: str) -> str:
    """Write `content` (marked with its hash) unless the file holds something else than what
    scaffold wrote last: 'wrote', 'updated', 'unchanged' or 'kept (edited)'."""
    marked = _marked(content, comment)
    if path.exists():
        existing = path.read_text(encoding="utf-8")
        first, _, rest = existing.partition("\n")
        found = MARK.search(first)
        if not found or hashlib.sha256(rest.encode()).hexdigest()[:16] != found.group(1):
            return "kept (edited)"
        if existing == marked:
            return "unchanged"
        path.write_text(marked, encoding="utf-8")
        return "updated"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(marked, encoding="utf-8")
    return "wrote"


def scaffold(settings: Settings, warehouse_url: str, source: str, project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """Write the staging of `source` (its raw tables must exist); one line per file."""
    spec = registry.get(source)
    tables = loaded_columns(warehouse_url, spec.dataset)
    if not tables:
        raise ScaffoldError(f"{spec.dataset} has no tables in the warehouse yet: load it first "
                            f"(make el SOURCE={source}), then scaffold")
    hints = _table_hints(settings, source)
    folder = project_dir / "models" / "staging" / source
    files = {f"_{source}__sources.yml": (sources_yml(source, spec.dataset, tables, hints), "yaml"),
             f"_{source}__models.yml": (models_yml(source, tables, hints), "yaml")}
    for table, columns in tables.items():
        files[f"stg_{source}__{table}.sql"] = (model_sql(source, spec.dataset, table, columns), "jinja")
    return [f"{write_unless_edited(folder / name, content, kind)}: {folder / name}"
            for name, (content, kind) in files.items()]
