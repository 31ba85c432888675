"""Generic sources: any CSV, JSON lines, JSON, Parquet, SQLite or Postgres source from one entry of
`sources.yml` (format and examples in README.md beside this file), with no Python of its own.

- files: dlt's `filesystem` lists the location with incremental on `modification_date`, so a run
  reads only new or changed files, and a reader per format turns them into rows (merge on the
  entry's primary key, so a changed file's rows replace their older versions);
- databases: dlt's `sql_table` per listed table, pyarrow backend, incremental on the table's
  `cursor` (a rerun with nothing newer loads nothing), merge on the primary key.
"""

from __future__ import annotations

import dlt
from dlt.sources.filesystem import filesystem

from dlt_pipelines.generic.config import Entry, resolved
from dlt_pipelines.generic.helpers import database_url, file_location, file_reader

FILES_PER_PAGE = 100


def _file_resource(entry: Entry, location: str):
    table = entry.tables[0]
    folder, pattern = file_location(entry, location)
    listing = filesystem(bucket_url=folder, file_glob=pattern, files_per_page=FILES_PER_PAGE,
                         incremental=dlt.sources.incremental("modification_date"))
    resource = (listing | file_reader(entry)).with_name(table.name)
    resource.apply_hints(write_disposition=table.write_disposition,
                         primary_key=list(table.primary_key) or None)
    return resource


def _database_resources(entry: Entry, location: str):
    import sqlalchemy
    from dlt.sources.sql_database import sql_table

    engine = sqlalchemy.create_engine(database_url(entry, location))
    resources = []
    for table in entry.tables:
        hints = {"primary_key": list(table.primary_key)} if table.primary_key else {}
        resources.append(sql_table(
            credentials=engine, table=table.name, schema=entry.schema, backend=entry.backend,
            chunk_size=entry.chunk_size, reflection_level="full",
            incremental=dlt.sources.incremental(table.cursor) if table.cursor else None,
            write_disposition=table.write_disposition, **hints,
        ))
    return resources


def generic_source(entry: Entry, location: str):
    """The dlt source of one entry, reading `location` (the entry's, with `${VAR}` expanded)."""
    entry = resolved(entry)

    @dlt.source(name=entry.name, max_table_nesting=0)
    def source():
        if entry.is_file:
            return _file_resource(entry, location)
        return _database_resources(entry, location)

    return source()
