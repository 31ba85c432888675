"""Raw loads on Spark: the sandbox through dlt's filesystem destination (parquet) into Spark tables
over the files, with `_dlt_loads`, compared with the same source loaded into Postgres."""

from __future__ import annotations

from pathlib import Path

from orchestration.extract_load import run_source, source_endpoint
from orchestration.spark import raw
from orchestration.spark.cluster import Cluster
from tests.conftest import make_settings, query

AS_OF = "2026-03-02T12:00:00+00:00"
SOURCE = "remotive"


def _settings(build: Path, cluster: Cluster, **overrides: str):
    return make_settings(build, ELT_AS_OF=AS_OF, WAREHOUSE_ENGINE="spark", SPARK_DIR=str(cluster.home),
                         SPARK_THRIFT_PORT=str(cluster.settings.thrift_port), **overrides)


def test_a_source_lands_as_spark_tables_with_the_rows_postgres_gets(spark_cluster: Cluster, fresh_database: str,
                                                                     tmp_path: Path):
    settings = _settings(tmp_path / "build", spark_cluster)
    with source_endpoint(settings, SOURCE) as base_url:
        on_spark = raw.run_source(settings, spark_cluster, SOURCE, base_url)
    with source_endpoint(settings, SOURCE) as base_url:
        on_postgres = run_source(make_settings(tmp_path / "pg", ELT_AS_OF=AS_OF), fresh_database, SOURCE, base_url)
    assert on_spark.rows > 0 and on_spark.rows_by_table == on_postgres.rows_by_table
    dataset = on_spark.dataset
    [load_id] = on_spark.load_ids
    assert spark_cluster.query(f"select load_id, status from {dataset}._dlt_loads") == [(load_id, 0)]
    for table, rows in on_spark.rows_by_table.items():
        assert spark_cluster.query(f"select count(*) from {dataset}.{table} where _dlt_load_id = '{load_id}'") \
            == [(rows,)]
    pg_ids = {row[0] for row in query(fresh_database, f"select job_id from {dataset}.job_postings")}
    spark_ids = {row[0] for row in spark_cluster.query(f"select job_id from {dataset}.job_postings")}
    assert spark_ids == pg_ids

    # nothing new at the same clock: dlt's incremental state holds, no rows are loaded again
    with source_endpoint(settings, SOURCE) as base_url:
        again = raw.run_source(settings, spark_cluster, SOURCE, base_url)
    assert again.rows == 0
    assert spark_cluster.query(f"select count(*) from {dataset}.job_postings") == [(len(pg_ids),)]
