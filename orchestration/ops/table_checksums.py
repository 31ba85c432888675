"""What a backup's manifest records of the data, and the comparison of a database with it: rows and
an order-independent checksum per table, and the schema version."""

from __future__ import annotations

import hashlib
import json

import psycopg2
from psycopg2 import sql

USER_RELATIONS = """
    select n.nspname, c.relname
    from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\\_toast%%' and n.nspname not like 'pg\\_temp%%'
      and not exists (select 1 from pg_depend as d where d.objid = c.oid and d.deptype = 'e')
    order by 1, 2
"""
SCHEMA_COLUMNS = """
    select table_schema, table_name, column_name, data_type, ordinal_position
    from information_schema.columns
    where table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2, 5
"""


def _session(cur) -> None:
    # the same text for the same row on any server: checksums compare across dump and restore
    cur.execute("set timezone = 'UTC'; set datestyle = 'ISO, MDY'; set intervalstyle = 'postgres'; "
                "set extra_float_digits = 1; set bytea_output = 'hex'")


def table_stats(cur) -> dict[str, dict]:
    """Rows and an order-independent checksum (sum of the rows' 64-bit md5 prefixes) per table."""
    _session(cur)
    cur.execute(USER_RELATIONS)
    stats = {}
    for schema, table in cur.fetchall():
        relation = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        cur.execute(sql.SQL("select count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint"
                            "::numeric), 0)::text from {} as t").format(relation))
        rows, checksum = cur.fetchone()
        stats[f"{schema}.{table}"] = {"rows": rows, "checksum": checksum}
    return stats


def schema_version(cur) -> dict:
    """A fingerprint of every column (name, type, position) and the dlt schema version per dataset."""
    cur.execute(SCHEMA_COLUMNS)
    columns = cur.fetchall()
    fingerprint = hashlib.sha256(json.dumps(columns, default=str).encode()).hexdigest()
    dlt = {}
    cur.execute("select table_schema from information_schema.tables where table_name = '_dlt_version' "
                "order by 1")
    for (schema,) in cur.fetchall():
        cur.execute(sql.SQL("select version, version_hash from {}._dlt_version order by inserted_at desc "
                            "limit 1").format(sql.Identifier(schema)))
        row = cur.fetchone()
        if row:
            dlt[schema] = {"version": row[0], "hash": row[1]}
    return {"columns_sha256": fingerprint, "columns": len(columns), "dlt": dlt}


def compare(manifest: dict, url: str) -> list[str]:
    """What differs between the database at `url` and the manifest, one line per difference."""
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            actual = table_stats(cur)
            version = schema_version(cur)
        conn.rollback()
    finally:
        conn.close()
    expected = manifest["tables"]
    problems = [f"table {name} is in the manifest but not in the restored database"
                for name in sorted(set(expected) - set(actual))]
    problems += [f"table {name} is not in the manifest" for name in sorted(set(actual) - set(expected))]
    for name in sorted(set(expected) & set(actual)):
        want, got = expected[name], actual[name]
        if want["rows"] != got["rows"]:
            problems.append(f"table {name}: {got['rows']} rows, the manifest says {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"table {name}: checksum {got['checksum']} differs from the manifest's {want['checksum']}")
    wanted_version = manifest.get("schema_version", {})
    if wanted_version.get("columns_sha256") != version["columns_sha256"]:
        problems.append("schema version differs: the restored columns do not match the manifest's fingerprint")
    if wanted_version.get("dlt", {}) != version["dlt"]:
        problems.append(f"dlt schema versions differ: {version['dlt']} vs the manifest's {wanted_version.get('dlt')}")
    return problems
