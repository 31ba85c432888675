"""`make bench-skills`: the warehouse's skill extractor scored on labelled postings.

Loads GOLD (one posting a line: doc_id, text, skills, meta; default the SkillSpan dev split in
../shared) into a scratch database `elt_skill_bench`, runs the same dbt extraction
(model skill_benchmark__mentions, macro skill_mention_ctes), writes PREDICTIONS
({"doc_id", "mentions": [surface texts]} a line) and scores them with the shared scorer on the
tech postings and on all postings; the scorer's JSON line for all postings is printed last.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
from psycopg2.extras import execute_values

from orchestration import warehouse
from orchestration.config import REPO_ROOT, Settings
from orchestration.dbt_runner import run_dbt

SHARED = REPO_ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "data" / "skill_benchmark" / "skillspan_dev_docs.jsonl"
SCORER = SHARED / "bin" / "score_skills.py"
BENCH_DB = "elt_skill_bench"


def surface(tokens_text: str, text: str) -> str:
    """The match as written in the posting: its tokens with whatever spacing the text has
    ("CI/CD", ". NET"), falling back to the tokens joined by spaces."""
    pattern = r"\s*".join(re.escape(token) for token in tokens_text.split(" "))
    found = re.search(pattern, text)
    return found.group(0) if found else tokens_text


def load_postings(url: str, gold: Path) -> int:
    rows = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            rows.append((doc["doc_id"], doc["text"]))
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("create schema if not exists skill_benchmark")
        cur.execute("drop table if exists skill_benchmark.postings")
        cur.execute("create table skill_benchmark.postings (doc_id text primary key, posting_text text not null)")
        execute_values(cur, "insert into skill_benchmark.postings (doc_id, posting_text) values %s", rows)
    conn.close()
    return len(rows)


def write_predictions(url: str, out: Path) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("""
            select p.doc_id, p.posting_text,
                   coalesce(array_agg(m.surface_texts) filter (where m.skill_id is not null), '{}')
            from skill_benchmark.postings as p
            left join skill_benchmark.skill_benchmark__mentions as m on m.job_id = p.doc_id
            group by p.doc_id, p.posting_text order by p.doc_id""")
        rows = cur.fetchall()
    conn.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    mentions = 0
    with out.open("w", encoding="utf-8") as fh:
        for doc_id, text, groups in rows:
            texts = sorted({surface(t, text) for group in groups for t in group.split(" | ")})
            mentions += len(texts)
            fh.write(json.dumps({"doc_id": doc_id, "mentions": texts}) + "\n")
    return mentions


def score(gold: Path, predictions: Path, *extra: str) -> str:
    result = subprocess.run([sys.executable, str(SCORER), str(gold), str(predictions), *extra],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench_skills", description=__doc__)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--predictions", type=Path, default=settings.build_dir / "bench" / "skill_predictions.jsonl")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"error: GOLD file {args.gold} not found; pass GOLD=<postings jsonl>", file=sys.stderr)
        return 2
    if not SCORER.exists():
        print(f"error: the scorer {SCORER} is missing (it lives in ../shared/bin)", file=sys.stderr)
        return 2
    url = warehouse.recreate_database(settings, BENCH_DB)
    docs = load_postings(url, args.gold)
    target = settings.build_dir / "bench" / "dbt-target"
    run_dbt(["seed"], url, target_path=target, quiet=True)
    run_dbt(["run", "--select", "+skill_benchmark__mentions", "--vars", "{skill_benchmark: true}"], url,
            target_path=target, quiet=True)
    mentions = write_predictions(url, args.predictions)
    print(f"{docs} postings, {mentions} predicted mentions -> {args.predictions}")
    print("tech postings:", score(args.gold, args.predictions, "--source", "tech"))
    print(score(args.gold, args.predictions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
