"""The same sandbox ELT on Postgres and on Spark gives the same rows in every model built on both
(dbt selector `spark_ported`, dbt_project/selectors.yml), and a rerun with no new data changes
nothing on Spark. Real dlt loads, real dbt builds on a real Postgres and the real cluster."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import yaml

from orchestration import elt
from orchestration.config import DBT_PROJECT_DIR
from orchestration.dbt_runner import run_dbt
from orchestration.spark.cluster import Cluster
from orchestration.spark.run import SELECTOR, run_all
from tests.conftest import make_settings, query

AS_OF = "2026-03-02T12:00:00+00:00"


def _ported_folders() -> list[str]:
    """The staging folders of the selector (one place says what is ported: selectors.yml)."""
    [selector] = yaml.safe_load((DBT_PROJECT_DIR / "selectors.yml").read_text())["selectors"]
    return [part["value"] for part in selector["definition"]["union"] if part["method"] == "path"]


def _ported_models() -> list[str]:
    return sorted(path.stem for folder in _ported_folders() for path in (DBT_PROJECT_DIR / folder).glob("*.sql"))


SOURCES = tuple(Path(folder).name for folder in _ported_folders())  # a staging folder is named after its source


def _comparable(rows: list[tuple], columns: list[str]) -> list[tuple]:
    """Rows with instants in UTC without zone (Spark's timestamps are UTC), decimals by value
    (Spark's carry a scale), dates as text and each engine's dlt load ids (creation times,
    different per engine) as their rank, sorted."""
    load_columns = [i for i, name in enumerate(columns) if name.endswith("load_id")]
    load_ids = sorted({row[i] for row in rows for i in load_columns if row[i] is not None})

    def value(i: int, v):
        if i in load_columns and v is not None:
            return load_ids.index(v)
        if isinstance(v, Decimal) or (isinstance(v, str) and re.fullmatch(r"-?[0-9]+\.[0-9]+", v)):
            return format(Decimal(v).normalize(), "f")  # PyHive may send decimals as text
        if isinstance(v, datetime):
            return (v.astimezone(timezone.utc).replace(tzinfo=None) if v.tzinfo else v).isoformat(sep=" ")
        if isinstance(v, str) and i not in load_columns and len(v) >= 19 and v[4] == "-" and v[10] == " ":
            return datetime.fromisoformat(v).isoformat(sep=" ")  # PyHive sends timestamps as text
        if hasattr(v, "isoformat"):
            return v.isoformat()  # a date: PyHive sends dates as text
        return v

    return sorted((tuple(value(i, v) for i, v in enumerate(row)) for row in rows), key=repr)


def test_every_ported_model_has_the_same_rows_on_both_engines(spark_cluster: Cluster, fresh_database: str,
                                                               tmp_path: Path):
    models = _ported_models()
    assert models, "selectors.yml names no models"
    # one build folder: the generic sources' example files (and their times) are made once, read by both
    pg_settings = make_settings(tmp_path / "build", ELT_AS_OF=AS_OF, ELT_SOURCES=",".join(SOURCES))
    elt.extract_load(pg_settings, fresh_database, SOURCES)
    run_dbt(["build", "--selector", SELECTOR], fresh_database, target_path=tmp_path / "pg-target", quiet=True)

    spark_settings = make_settings(tmp_path / "build", ELT_AS_OF=AS_OF, ELT_SOURCES=",".join(SOURCES),
                                   WAREHOUSE_ENGINE="spark", SPARK_DIR=str(spark_cluster.home),
                                   SPARK_MASTER_PORT=str(spark_cluster.settings.master_port),
                                   SPARK_MASTER_WEBUI_PORT=str(spark_cluster.settings.master_webui_port),
                                   SPARK_THRIFT_PORT=str(spark_cluster.settings.thrift_port))
    first = run_all(spark_settings, target_path=tmp_path / "spark-target", quiet=True)
    assert first.build.count("model", "success") == len(models) and first.build.count("test", "fail") == 0

    on_spark: dict[str, list[tuple]] = {}
    for model in models:
        pg_columns = [row[0] for row in query(fresh_database, "select column_name from information_schema.columns "
                                              "where table_schema = 'staging' and table_name = %s "
                                              "order by ordinal_position", (model,))]
        spark_columns = [row[0] for row in spark_cluster.query(f"describe staging.{model}")
                         if row[0] and not row[0].startswith("#")]
        assert spark_columns == pg_columns, model
        select = f"select {', '.join(pg_columns)} from staging.{model}"
        pg_rows = _comparable(query(fresh_database, select), pg_columns)
        on_spark[model] = _comparable(spark_cluster.query(select), pg_columns)
        assert len(pg_rows) > 0, f"{model} is empty on Postgres: the comparison would prove nothing"
        assert on_spark[model] == pg_rows, model

    # a rerun with no new data loads nothing and leaves every model as it was
    again = run_all(spark_settings, target_path=tmp_path / "spark-target", quiet=True)
    assert sum(load.rows for load in again.loads) == 0
    for model in models:
        columns = [row[0] for row in spark_cluster.query(f"describe staging.{model}")
                   if row[0] and not row[0].startswith("#")]
        rows = spark_cluster.query(f"select {', '.join(columns)} from staging.{model}")
        assert _comparable(rows, columns) == on_spark[model], model
