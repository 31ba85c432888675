"""make spark-up's cluster: a real master, 2 workers and the Thrift server on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.request

from orchestration.spark.cluster import THRIFT, Cluster


def test_both_workers_are_alive_on_the_master(spark_cluster: Cluster):
    with urllib.request.urlopen(spark_cluster.settings.status_url, timeout=5) as response:
        master = json.load(response)
    assert [w["state"] for w in master["workers"]] == ["ALIVE", "ALIVE"]
    assert all(w["host"] == "127.0.0.1" for w in master["workers"])
    assert [app["name"] for app in master["activeapps"]] == ["elt-thrift-server"]


def test_a_query_runs_its_tasks_on_both_workers(spark_cluster: Cluster):
    # an executor's working directory is its worker's work folder: work/<worker>/<app>/<executor>
    rows = spark_cluster.query("select d, count(*) from (select reflect('java.lang.System', 'getProperty', "
                               "'user.dir') as d from range(0, 100000, 1, 16)) group by d")
    workers = {str(spark_cluster.home / "work" / folder) for folder in ("1", "2")}
    assert {path.rsplit("/", 2)[0] for path, _ in rows} == workers
    assert sum(count for _, count in rows) == 100000


def test_tables_live_in_the_cluster_folder(spark_cluster: Cluster):
    spark_cluster.query("create database if not exists folder_check", "drop table if exists folder_check.kept",
                        "create table folder_check.kept using parquet as select 42 as answer")
    assert spark_cluster.query("select answer from folder_check.kept") == [(42,)]
    assert list((spark_cluster.settings.warehouse_dir / "folder_check.db" / "kept").glob("*.parquet"))
    assert (spark_cluster.settings.metastore_dir / "metastore_db").is_dir()
    spark_cluster.query("drop database folder_check cascade")


def test_starting_a_running_cluster_changes_nothing(spark_cluster: Cluster):
    pid = spark_cluster._pid_file(THRIFT, 1).read_text()
    assert spark_cluster.start().alive_workers == 2
    assert spark_cluster._pid_file(THRIFT, 1).read_text() == pid
