"""`make bench`'s baseline leg: the same sandbox postings through dlt's default path.

A plain `@dlt.resource` yields each page's items as Python dicts, paged with dlt's `RESTClient`
and its default JSON parsing; the pipeline runs with default settings (the relational normalizer
with its child tables, `insert_values` into Postgres). It is what a user of dlt would write first,
and what the project's own extract-load (Arrow tables, change hashes, csv COPY) is compared with.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient

from dlt_pipelines.jsearch import JSearchPaginator
from dlt_pipelines.jsearch.settings import RAPIDAPI_HOST, SEARCH_PATH
from orchestration.extract_load import warehouse_destination

DATASET = "raw_dlt_default"
TABLE = "job_postings"


def default_source(base_url: str, query: str, num_pages: int, max_pages: int) -> Any:
    @dlt.resource(name=TABLE, write_disposition="append")
    def job_postings() -> Iterator[Any]:
        client = RESTClient(base_url=base_url, headers={"X-RapidAPI-Host": RAPIDAPI_HOST}, data_selector="data")
        params = {"query": query, "num_pages": num_pages, "date_posted": "all"}
        yield from client.paginate(SEARCH_PATH, params=params, paginator=JSearchPaginator(num_pages, max_pages))

    return job_postings


def run_default(warehouse_url: str, base_url: str, build_dir: Path, query: str, num_pages: int,
                max_pages: int) -> dict[str, Any]:
    """Extract, normalize and load with dlt's defaults; the postings loaded and seconds per step."""
    pipelines_dir = build_dir / "dlt-default" / hashlib.sha1(warehouse_url.encode()).hexdigest()[:12]
    pipeline = dlt.pipeline(pipeline_name="bench_dlt_default", pipelines_dir=str(pipelines_dir),
                            destination=warehouse_destination(warehouse_url),
                            dataset_name=DATASET)
    pipeline.drop()  # a clean start every bench: the leg measures a full load
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    pipeline.extract(default_source(base_url, query, num_pages, max_pages))
    seconds["extract"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.normalize()
    seconds["normalize"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.load()
    seconds["load"] = time.perf_counter() - started
    with pipeline.sql_client() as client:
        rows = int(client.execute_sql(f"select count(*) from {client.make_qualified_table_name(TABLE)}")[0][0])
        tables = len([t for t in pipeline.default_schema.data_table_names() if t.startswith(TABLE)])
    return {"postings_loaded": rows, "seconds": seconds, "tables": tables}
