"""Readers and locations of the generic sources: files through dlt's `filesystem` (listing, with
incremental on `modification_date`) and a reader per format, databases through `sql_database`.

Files are read as Arrow batches (pyarrow's streaming CSV reader when pandas, which dlt's `read_csv`
needs, is absent; dlt's `read_parquet` with `use_pyarrow`), so rows reach the warehouse by COPY
without a Python object per row. Each row carries `_file_name` (its file, relative to the location)
and `_file_modified_at` (the file's modification time: the source's freshness).
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import dlt
import orjson
import pyarrow as pa

from dlt_pipelines.generic.config import Entry, GenericSourceError

FILE_NAME_COLUMN = "_file_name"
FILE_MODIFIED_COLUMN = "_file_modified_at"
DEFAULT_GLOBS = {"csv": "*.csv", "jsonl": "*.jsonl", "json": "*.json", "parquet": "*.parquet"}
GLOB_CHARS = re.compile(r"[*?\[]")


def file_location(entry: Entry, location: str) -> tuple[str, str]:
    """(folder, glob relative to it) of a file location: a folder (every file of the kind in it), a
    file, or a glob (`data/surveys/*.csv`, `exports/**/*.jsonl`). A relative path is taken from the
    folder of the sources file that declares it."""
    path = location.removeprefix("file://")
    base = Path(entry.origin).parent if entry.origin and Path(entry.origin).suffix in (".yml", ".yaml") else Path.cwd()
    parts = Path(path).parts
    fixed = []
    for part in parts:
        if GLOB_CHARS.search(part):
            break
        fixed.append(part)
    folder = Path(*fixed) if fixed else Path(".")
    pattern = "/".join(parts[len(fixed):])
    folder = folder if folder.is_absolute() else (base / folder)
    if not pattern:
        if folder.is_file():
            folder, pattern = folder.parent, folder.name
        else:
            pattern = DEFAULT_GLOBS[entry.kind]
    return str(folder.resolve()), pattern


def matching_files(entry: Entry, location: str) -> list[str]:
    folder, pattern = file_location(entry, location)
    return sorted(glob.glob(str(Path(folder) / pattern), recursive=True))


def database_url(entry: Entry, location: str) -> str:
    """The SQLAlchemy URL: postgresql:// (or postgres://) is psycopg2's dialect, which the
    warehouse already installs; a relative sqlite path is taken from the sources file's folder."""
    if entry.kind == "postgres":
        return re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", location)
    prefix = "sqlite:///"
    if location.startswith(prefix) and not location.startswith(prefix + "/") and Path(entry.origin).suffix in (
            ".yml", ".yaml"):
        return prefix + str((Path(entry.origin).parent / location[len(prefix):]).resolve())
    return location


def _with_file_columns(table: pa.Table | pa.RecordBatch, item: dict[str, Any]) -> pa.Table:
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    rows = table.num_rows
    table = table.append_column(FILE_NAME_COLUMN, pa.array([item["relative_path"]] * rows, pa.string()))
    return table.append_column(FILE_MODIFIED_COLUMN,
                               pa.array([item["modification_date"]] * rows, pa.timestamp("us", tz="UTC")))


def read_csv_arrow(items: Iterable[dict[str, Any]], chunk_size: int, delimiter: str) -> Iterator[pa.Table]:
    """CSV files as Arrow batches of about `chunk_size` rows (pyarrow's streaming reader; every
    column read as text when its type cannot be inferred from the first block)."""
    from pyarrow import csv

    block_size = max(1 << 20, min(chunk_size * 128, 64 << 20))
    for item in items:
        with item.open(mode="rb") as handle:
            try:
                reader = csv.open_csv(handle, read_options=csv.ReadOptions(block_size=block_size),
                                      parse_options=csv.ParseOptions(delimiter=delimiter))
                for batch in reader:
                    if batch.num_rows:
                        yield _with_file_columns(batch, item)
            except pa.ArrowInvalid as problem:
                raise GenericSourceError(f"{item['file_url']}: not readable as CSV: {problem}") from None


def read_parquet_arrow(items: Iterable[dict[str, Any]], chunk_size: int) -> Iterator[pa.Table]:
    from pyarrow import parquet

    for item in items:
        with item.open(mode="rb") as handle:
            for batch in parquet.ParquetFile(handle).iter_batches(batch_size=chunk_size):
                yield _with_file_columns(batch, item)


def _with_file_fields(rows: list[Any], item: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise GenericSourceError(f"{item['file_url']}: a record is not an object: {str(row)[:80]}")
        out.append({**row, FILE_NAME_COLUMN: item["relative_path"], FILE_MODIFIED_COLUMN: item["modification_date"]})
    return out


def read_jsonl(items: Iterable[dict[str, Any]], chunk_size: int) -> Iterator[list[dict[str, Any]]]:
    for item in items:
        with item.open(mode="rb") as handle:
            chunk: list[Any] = []
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    chunk.append(orjson.loads(line))
                except orjson.JSONDecodeError as problem:
                    raise GenericSourceError(f"{item['file_url']}: line {number} is not JSON: {problem}") from None
                if len(chunk) >= chunk_size:
                    yield _with_file_fields(chunk, item)
                    chunk = []
            if chunk:
                yield _with_file_fields(chunk, item)


def read_json(items: Iterable[dict[str, Any]], chunk_size: int,
              records_path: str | None) -> Iterator[list[dict[str, Any]]]:
    """Plain JSON documents: an array of records, one record, or (records_path) the array under a
    dotted key of the document (`data.items`)."""
    for item in items:
        with item.open(mode="rb") as handle:
            try:
                document = orjson.loads(handle.read())
            except orjson.JSONDecodeError as problem:
                raise GenericSourceError(f"{item['file_url']}: not JSON: {problem}") from None
        for key in (records_path.split(".") if records_path else ()):
            if not isinstance(document, dict) or key not in document:
                raise GenericSourceError(f"{item['file_url']}: no {records_path!r} in the document (records_path)")
            document = document[key]
        records = document if isinstance(document, list) else [document]
        for start in range(0, len(records), chunk_size):
            yield _with_file_fields(records[start:start + chunk_size], item)


def file_reader(entry: Entry):
    """The dlt transformer reading this entry's files, by kind (CSV always by pyarrow: faster than
    dlt's pandas-based `read_csv`, and pandas is not installed)."""
    chunk = entry.chunk_size

    @dlt.transformer(name=f"read_{entry.kind}")
    def read(items):
        if entry.kind == "csv":
            yield from read_csv_arrow(items, chunk, entry.csv_delimiter)
        elif entry.kind == "parquet":
            yield from read_parquet_arrow(items, chunk)
        elif entry.kind == "jsonl":
            yield from read_jsonl(items, chunk)
        else:
            yield from read_json(items, chunk, entry.records_path)

    return read
