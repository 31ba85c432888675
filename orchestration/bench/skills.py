"""The bench's skill legs: a taxonomy change (one alias added) and the skill extraction speed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from orchestration.bench.common import query_one, timed
from orchestration.config import Settings
from orchestration.dbt_runner import run_dbt

# the alias as a literal inside a regular expression (every metacharacter backslash-escaped)
ESCAPED_ALIAS = r"regexp_replace(a.alias, '([.^$*+?()[\]{}|\\])', '\\\1', 'g')"
# an alias the sandbox's postings use ("data quality" in JSearch descriptions) that the taxonomy lacks
NEW_ALIAS = ("data quality", "data_governance")


def extraction_speed(url: str, env: dict[str, str]) -> dict:
    """The dbt skill extractor on EXTRACTION_POSTINGS staged postings, beside the naive baseline
    (one case-insensitive word-boundary regex per alias, joined to every posting) on a sample."""
    size = int(os.environ.get("BENCH_EXTRACTION_POSTINGS", "100000"))
    sample = int(os.environ.get("BENCH_NAIVE_SAMPLE", "2000"))
    timed(url, f"""
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
    naive = timed(url, f"""
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
    timed(url, f"insert into taxonomy.skill_taxonomy_aliases values ('{alias}', '{skill}', 'any', '', 'bench')")
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
