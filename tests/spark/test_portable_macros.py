"""The project's dispatched macros (dbt_project/macros/portable.sql) give the same answers on Spark
as on Postgres: pg_trgm's similarity() score for score on real sandbox titles, regex replace and
split (backslashes and group references), ordered array aggregation. Each macro is compiled by
dbt for each target, the SQL run on a real Postgres and on the real cluster."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import psycopg2
import pytest

from orchestration.dbt_runner import _run_teed, dbt_env, dbt_executable
from orchestration.extract_load import run_source, source_endpoint
from orchestration.spark.cluster import Cluster
from orchestration.spark.dbt import run_dbt as run_dbt_spark
from tests.conftest import make_settings, query

EDGE_CASES = ["", "C++", "a", "ab", "Data_Engineer", "x  y", "123 456", "Développeur Données", "ÉCOLE école",
              "naïve café", "O'Reilly\\Media", "Senior Data-Engineer (m/w/d)", "data engineer senior"]


def _compiled(args: list[str], env: dict[str, str]) -> str:
    code, output = _run_teed([dbt_executable(), "--quiet", *args], env, quiet=True)
    assert code == 0, output
    return output.strip()


def _compile_for_postgres(url: str, inline: str, tmp: Path, vars_: str = "{}") -> str:
    env = dbt_env(url)
    env["DBT_TARGET_PATH"] = str(tmp / "pg-target")
    return _compiled(["compile", "--inline", inline, "--vars", vars_], env)


def _compile_for_spark(cluster: Cluster, inline: str, tmp: Path, vars_: str = "{}") -> str:
    _, output = run_dbt_spark(["--quiet", "compile", "--inline", inline, "--vars", vars_], cluster.settings,
                              target_path=tmp / "spark-target", quiet=True)
    return output.strip()


def _spark_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _float4(value: float | None) -> float | None:
    return None if value is None else struct.unpack("f", struct.pack("f", value))[0]


@pytest.fixture(scope="module")
def titles(fresh_database: str, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Real titles: the Remotive sandbox loaded into Postgres, plus edge cases."""
    settings = make_settings(tmp_path_factory.mktemp("build"), ELT_AS_OF="2026-03-02T12:00:00+00:00")
    with source_endpoint(settings, "remotive") as base_url:
        run_source(settings, fresh_database, "remotive", base_url)
    rows = query(fresh_database,
                 "select distinct payload ->> 'title' from raw_remotive.job_postings order by 1 limit 45")
    return [row[0] for row in rows if row[0]] + EDGE_CASES


def test_trigram_similarity_reproduces_pg_trgm_on_every_pair(spark_cluster: Cluster, fresh_database: str,
                                                              titles: list[str], tmp_path: Path):
    pairs = [(i, left, right) for i, (left, right) in
             enumerate((a, b) for a in titles for b in titles)] + [(-1, None, "data"), (-2, "data", None)]
    query(fresh_database, "create extension if not exists pg_trgm")
    [(ctype,)] = query(fresh_database, "select datctype from pg_database where datname = current_database()")
    vars_ = "{trigram_unicode_words: false}" if ctype in ("C", "POSIX") else "{}"
    inline = "select id, {{ trigram_similarity('left_title', 'right_title') }} as score from trgm_check.pairs"

    query(fresh_database, "create schema trgm_check; create table trgm_check.pairs "
                          "(id int, left_title text, right_title text)")
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.executemany("insert into trgm_check.pairs values (%s, %s, %s)", pairs)
    on_postgres = dict(query(fresh_database, _compile_for_postgres(fresh_database, inline, tmp_path, vars_)))

    values = ", ".join(f"({i}, {_spark_literal(a) if a is not None else 'null'}, "
                       f"{_spark_literal(b) if b is not None else 'null'})" for i, a, b in pairs)
    spark_cluster.query("create database if not exists trgm_check", "drop table if exists trgm_check.pairs",
                        "create table trgm_check.pairs (id int, left_title string, right_title string) using parquet",
                        f"insert into trgm_check.pairs values {values}")
    on_spark = dict(spark_cluster.query(_compile_for_spark(spark_cluster, inline, tmp_path, vars_)))

    assert len(on_spark) == len(pairs) == len(on_postgres)
    assert on_postgres[-1] is None and on_spark[-1] is None and on_spark[-2] is None
    differing = {i: (on_postgres[i], on_spark[i]) for i in on_postgres
                 if _float4(on_postgres[i]) != _float4(on_spark[i])}
    assert differing == {}
    # the pairs are not trivial: scores spread over the range, the dedup threshold on both sides of it
    scores = {_float4(score) for score in on_postgres.values() if score is not None}
    assert min(scores) == 0 and max(scores) == 1 and len(scores) > 50
    spark_cluster.query("drop database trgm_check cascade")


# Jinja string literals take backslashes doubled, as in the models: '\\s+' is the regex \s+
REGEX_AND_ARRAYS = r"""
select
    {{ regex_replace("'  Senior   Data' || chr(9) || 'Engineer '", '\\s+', ' ') }} as squeezed,
    {{ regex_replace("'2024-05 and 2025-11'", '([0-9]{4})-([0-9]{2})', '\\2/\\1') }} as swapped,
    {{ regex_replace("'a.b.c'", '\\.', '\\\\') }} as backslashed,
    {{ regex_split("'python, sql,,dbt'", ',\\s*') }} as parts
"""


def _array(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value)  # PyHive sends arrays as JSON


def test_regex_and_array_macros_agree(spark_cluster: Cluster, fresh_database: str, tmp_path: Path):
    [pg_row] = query(fresh_database, _compile_for_postgres(fresh_database, REGEX_AND_ARRAYS, tmp_path))
    [spark_row] = spark_cluster.query(_compile_for_spark(spark_cluster, REGEX_AND_ARRAYS, tmp_path))
    assert pg_row[:3] == (" Senior Data Engineer ", "05/2024 and 11/2025", "a\\b\\c")
    assert _array(pg_row[3]) == ["python", "sql", "", "dbt"]
    assert spark_row[:3] == pg_row[:3] and _array(spark_row[3]) == _array(pg_row[3])

    aggregated = ("select {{ array_agg_ordered('name', 'rank', descending=true) }} as names from ("
                  "select 'b' as name, 2 as rank union all select 'a', 3 union all select 'c', 1) as ranked")
    [(pg_names,)] = query(fresh_database, _compile_for_postgres(fresh_database, aggregated, tmp_path))
    [(spark_names,)] = spark_cluster.query(_compile_for_spark(spark_cluster, aggregated, tmp_path))
    assert _array(pg_names) == ["a", "b", "c"] and _array(spark_names) == ["a", "b", "c"]


# a CFBD-like item: nested objects, arrays of objects, JSON null, absent fields, a non-array
ITEM = ('{"id": 7, "name": "Rock \\"n\\" Roll", "location": {"city": "Austin", "state": null}, "done": true, '
        '"polls": [{"poll": "AP", "ranks": [{"rank": 1}, {"rank": 2}]}, {"poll": "Coaches", "ranks": []}], '
        '"teams": "none", "score": 21.5}')
JSON_FIELDS = """
select
    {{ json_text('item', 'id') }} as id,
    {{ json_text('item', 'name') }} as name,
    {{ json_text('item', 'location.city') }} as city,
    {{ json_text('item', 'location.state') }} as state,
    {{ json_text('item', 'absent') }} as absent,
    {{ json_text('item', 'done') }} as done,
    {{ json_text('item', 'score') }} as score,
    {{ json_array_length('item', 'polls') }} as polls,
    {{ json_array_length('item', 'teams') }} as teams,
    {{ regex_matches(json_text('item', 'id'), '^\\\\s*-?\\\\d+\\\\s*$') }} as is_whole
from (select cast(%s as {{ type_json() }}) as item) as items
"""
JSON_ROWS = """
select
    {{ json_text('poll.item', 'poll') }} as poll,
    cast({{ json_text('team_rank.item', 'rank') }} as {{ dbt.type_int() }}) as poll_rank
from (select cast(%s as {{ type_json() }}) as item) as items
{{ json_array_rows('items.item', 'polls', 'poll') }}
{{ json_array_rows('poll.item', 'ranks', 'team_rank', keep_empty=true) }}
"""


def test_json_macros_agree(spark_cluster: Cluster, fresh_database: str, tmp_path: Path):
    literal_pg, literal_spark = "'" + ITEM.replace("'", "''") + "'", _spark_literal(ITEM)
    [pg_row] = query(fresh_database, _compile_for_postgres(fresh_database, JSON_FIELDS % literal_pg, tmp_path))
    [spark_row] = spark_cluster.query(_compile_for_spark(spark_cluster, JSON_FIELDS % literal_spark, tmp_path))
    assert pg_row == ("7", 'Rock "n" Roll', "Austin", None, None, "true", "21.5", 2, None, True)
    assert tuple(spark_row) == pg_row

    pg_rows = query(fresh_database, _compile_for_postgres(fresh_database, JSON_ROWS % literal_pg, tmp_path))
    spark_rows = spark_cluster.query(_compile_for_spark(spark_cluster, JSON_ROWS % literal_spark, tmp_path))
    assert sorted(pg_rows, key=repr) == [("AP", 1), ("AP", 2), ("Coaches", None)]
    assert sorted(map(tuple, spark_rows), key=repr) == sorted(pg_rows, key=repr)
