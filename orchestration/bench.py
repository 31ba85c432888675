"""`make bench`: how fast a full run is, and how little a rerun costs.

Into a fresh database `elt_bench` on the warehouse server, with the sandbox serving
BENCH_POSTINGS postings (default 200,000) spread over 90 days from its own process:
1. full run: extract, normalize, load and `dbt build` timed separately;
2. no-op rerun: nothing new; should load 0 rows and rebuild little;
3. delta run: the sandbox clock advances to publish BENCH_DELTA_POSTINGS new postings (default 1%);
4. taxonomy change: one alias added to the skill taxonomy, as a new seed would add it; the build
   of what is downstream of the aliases re-extracts only the postings it may affect;
then the skill extraction speed on 100k postings beside a naive regex join, and how fast the sandbox
generates postings (a floor of its own: the benchmark must measure the pipeline, not the fake API).
Prints rows/s per stage and the rerun/full ratios; writes build/bench/results.json.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import psycopg2
import requests

from dlt_pipelines.sandbox.server import start_sandbox_process
from orchestration import warehouse
from orchestration.config import Settings
from orchestration.dbt_runner import run_dbt
from orchestration.elt import transform
from orchestration.extract_load import run_source, source_endpoint

SPAN_DAYS = 90
# the alias as a literal inside a regular expression (every metacharacter backslash-escaped)
ESCAPED_ALIAS = r"regexp_replace(a.alias, '([.^$*+?()[\]{}|\\])', '\\\1', 'g')"
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
BENCH_DB = "elt_bench"
# an alias the sandbox's postings use ("data quality" in JSearch descriptions) that the taxonomy lacks
NEW_ALIAS = ("data quality", "data_governance")


def measure(label: str, settings: Settings, url: str, base_url: str) -> dict:
    load = run_source(settings, url, "jsearch", base_url)
    started = time.perf_counter()
    reason, build = transform(settings, url, [load], quiet=True)
    dbt_seconds = time.perf_counter() - started
    rows = load.rows_by_table.get("job_postings", 0)
    steps = {**load.seconds_by_step, "dbt build": dbt_seconds}
    return {"run": label, "postings_loaded": rows, "rows_by_table": load.rows_by_table, "seconds": steps,
            "total_seconds": sum(steps.values()),
            "dbt_plan": reason, "models_built": build.count("model") if build else 0,
            "tests_passed": build.count("test", "pass") if build else 0}


def _timed(url: str, statement: str) -> float:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("set jit = off")
        started = time.perf_counter()
        cur.execute(statement)
        seconds = time.perf_counter() - started
    conn.close()
    return seconds


def extraction_speed(url: str, env: dict[str, str]) -> dict:
    """The dbt skill extractor on EXTRACTION_POSTINGS staged postings, beside the naive baseline
    (one case-insensitive word-boundary regex per alias, joined to every posting) on a sample."""
    size = int(os.environ.get("BENCH_EXTRACTION_POSTINGS", "100000"))
    sample = int(os.environ.get("BENCH_NAIVE_SAMPLE", "2000"))
    _timed(url, f"""
        drop schema if exists skill_benchmark cascade; create schema skill_benchmark;
        create table skill_benchmark.postings as
        select job_id as doc_id, concat_ws(' . ', job_title, description) as posting_text
        from staging.stg_jsearch__job_postings where not is_quarantined order by job_id limit {size};""")
    loaded = query_one(url, "select count(*) from skill_benchmark.postings")
    settings = Settings.from_env(env)
    target = settings.build_dir / "dbt-extraction"
    run_dbt(["run", "--select", "skill_benchmark__mentions", "--vars", "{skill_benchmark: true}"], url,
            target_path=target, quiet=True)
    results = json.loads((target / "run_results.json").read_text())["results"]
    # the model's own time (run_results also lists the project's on-run-start hooks)
    timing = next(r["execution_time"] for r in results if r["unique_id"].endswith(".skill_benchmark__mentions"))
    naive = _timed(url, f"""
        create temporary table naive_mentions as
        select p.doc_id, a.skill_id
        from (select * from skill_benchmark.postings order by doc_id limit {sample}) as p
        join intermediate.int_skill_aliases__tokenized as a
          on p.posting_text ~* ('\\m' || {ESCAPED_ALIAS} || '\\M')""")
    naive_scaled = naive * loaded / sample
    result = {"postings": loaded, "extractor_seconds": timing, "naive_sample": sample,
              "naive_sample_seconds": naive, "naive_scaled_seconds": naive_scaled,
              "speedup": naive_scaled / timing if timing else None}
    print(f"skill extraction, {loaded:,} postings: {timing:.1f}s ({loaded / timing:,.0f} postings/s); naive regex "
          f"join on a {sample:,}-posting sample: {naive:.1f}s, scaled to {loaded:,}: {naive_scaled:.0f}s "
          f"-> {result['speedup']:.1f}x faster")
    return result


def taxonomy_change(url: str, target: Path) -> dict:
    """One alias added to the taxonomy in the warehouse (as a new seed version would add it), then
    `dbt build` of what is downstream of the aliases, as `make run` builds state:modified+."""
    alias, skill = NEW_ALIAS
    exists = query_one(url, f"select count(*) from taxonomy.skill_taxonomy_aliases where alias = '{alias}'")
    if exists:
        print(f"taxonomy change: skipped, {alias!r} is already an alias")
        return {}
    postings = query_one(url, "select count(distinct job_id) from intermediate.int_job_postings__skill_mentions")
    _timed(url, f"insert into taxonomy.skill_taxonomy_aliases values ('{alias}', '{skill}', 'any', '', 'bench')")
    started = time.perf_counter()
    run_dbt(["build", "--select", "int_skill_aliases__tokenized+"], url, target_path=target, quiet=True)
    seconds = time.perf_counter() - started
    reextracted = query_one(url, "select count(distinct job_id) from intermediate.int_job_postings__skill_mentions "
                                 "where extraction_reason = 'taxonomy_change'")
    found = query_one(url, f"select count(*) from intermediate.int_job_postings__skill_mentions "
                           f"where skill_id = '{skill}'")
    result = {"alias": alias, "postings": postings, "reextracted": reextracted, "mentions_of_skill": found,
              "dbt_build_seconds": seconds}
    print(f"taxonomy change (alias {alias!r} added): {reextracted:,} of {postings:,} postings re-extracted "
          f"({reextracted / postings:.1%}), {found:,} now name {skill}; dbt build downstream of the aliases "
          f"{seconds:.1f}s")
    return result


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


def query_one(url: str, sql: str):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        value = cur.fetchone()[0]
    conn.close()
    return value


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


def main() -> int:
    postings = int(os.environ.get("BENCH_POSTINGS", "200000"))
    # the delta run's new postings (default 1%): the same delta on two warehouse sizes shows whether a
    # run's cost follows the new data or the warehouse
    delta = int(os.environ.get("BENCH_DELTA_POSTINGS", "") or postings // 100)
    now = EPOCH + timedelta(days=SPAN_DAYS)
    base = Settings.from_env()
    env = {**os.environ, "SANDBOX_NOW": now.isoformat(), "SANDBOX_POSTINGS_PER_DAY": str(postings / SPAN_DAYS),
           "SANDBOX_HISTORY_DAYS": str(SPAN_DAYS), "SANDBOX_MAX_NUM_PAGES": "100", "SANDBOX_FAULTS": "",
           "JSEARCH_QUERIES": "data engineer", "JSEARCH_NUM_PAGES": "100",
           "JSEARCH_MAX_PAGES": str(postings // 10 + 1000), "JSEARCH_RATE_LIMIT_PER_MIN": "0",
           "ELT_BUILD_DIR": str(base.build_dir / "bench")}
    url = warehouse.recreate_database(base, BENCH_DB)
    results = []
    with start_sandbox_process(env=env, sources=["jsearch"]) as sandbox:
        base_url = sandbox.base_url("jsearch")
        delta_label = f"delta {delta / postings:.1%}"
        for label, at in (("full", now), ("no-op rerun", now),
                          (delta_label, now + timedelta(days=SPAN_DAYS * delta / postings))):
            requests.post(f"{sandbox.url}/_sandbox/clock", json={"now": at.isoformat()}, timeout=10).raise_for_status()
            settings = Settings.from_env({**env, "ELT_AS_OF": at.isoformat()})
            results.append(measure(label, settings, url, base_url))
            print(_line(results[-1]), flush=True)
    full = results[0]["total_seconds"]
    print(f"end to end (full run): {results[0]['postings_loaded'] / full:,.0f} postings/s")
    for result in results[1:]:
        print(f"{result['run']}: {result['total_seconds'] / full:.1%} of the full run's time, "
              f"{result['postings_loaded']} postings loaded")
    air_quality = air_quality_throughput(base)
    steps = ", ".join(f"{step} {rate:,.0f}/s" for step, rate in air_quality["per_step"].items())
    print(f"air quality (OpenAQ): {air_quality['values_loaded']} hourly values, "
          f"{air_quality['values_per_second']:,.0f} values/s ({steps})", flush=True)
    change = taxonomy_change(url, base.build_dir / "bench" / "dbt-taxonomy")
    extraction = extraction_speed(url, env)
    generation = sandbox_generation_speed()
    out = base.build_dir / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"postings": postings, "runs": results, "taxonomy_change": change,
                               "skill_extraction": extraction, "air_quality": air_quality,
                               "sandbox_generation": generation}, indent=2, default=str))
    print(f"results: {out}")
    return 0


def _line(result: dict) -> str:
    rows = result["postings_loaded"]
    parts = [f"{step} {secs:.2f}s" + (f" ({rows / secs:,.0f} rows/s)" if rows else "")
             for step, secs in result["seconds"].items()]
    total = f" | total {result['total_seconds']:.1f}s"
    return f"{result['run']:>12}: {rows:>7} postings | " + " | ".join(parts) + total


if __name__ == "__main__":
    sys.exit(main())
