"""The bench's throughput legs beside the job market: OpenAQ's load, and the sandbox's own
generation speed (a floor of its own: the benchmark must measure the pipeline, not the fake API)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import orjson

from orchestration import warehouse
from orchestration.bench.common import BENCH_DB, EPOCH, SPAN_DAYS
from orchestration.config import Settings
from orchestration.extract_load import run_source, source_endpoint


def sandbox_generation_speed(count: int = 20_000) -> dict:
    """Postings the sandbox generates and serialises per CPU second (it serves the whole benchmark)."""
    from dlt_pipelines.job_boards.sandbox.catalogue import generate_posting, iter_postings
    from dlt_pipelines.sandbox.config import SandboxConfig

    config = SandboxConfig.from_env({})
    generate_posting(config, 0)  # vocabularies loaded before the clock starts
    started = time.process_time()
    for posting in iter_postings(config, 100_000, 100_000 + count):
        orjson.dumps(posting)
    rate = count / (time.process_time() - started)
    print(f"sandbox generation: {rate:,.0f} postings/s per core")
    return {"postings": count, "postings_per_cpu_second": rate}


def air_quality_throughput(base: Settings) -> dict:
    """OpenAQ's extract-load from its sandbox into a database of its own: BENCH_OPENAQ_DAYS days
    (default 30) of hourly values of every sandbox location, in values per second per step."""
    env = {**os.environ, "OPENAQ_FIRST_RUN_DAYS": os.environ.get("BENCH_OPENAQ_DAYS", "30"),
           "OPENAQ_RATE_LIMIT_PER_MIN": "0", "ELT_AS_OF": (EPOCH + timedelta(days=SPAN_DAYS)).isoformat(),
           "ELT_BUILD_DIR": str(base.build_dir / "bench" / "openaq")}
    url = warehouse.recreate_database(base, f"{BENCH_DB}_openaq")
    settings = Settings.from_env(env)
    with source_endpoint(settings, "openaq") as base_url:
        load = run_source(settings, url, "openaq", base_url)
    values = load.rows_by_table.get("measurements", 0)
    seconds = sum(load.seconds_by_step.values())
    return {"values_loaded": values, "seconds": load.seconds_by_step, "values_per_second": values / seconds,
            "per_step": {step: values / secs for step, secs in load.seconds_by_step.items() if secs}}
