"""`make bench`: how fast a full run is, and how little a rerun costs (`python -m orchestration.bench`).

Job market (`job_market.py`): for every warehouse size in BENCH_SIZES (default 50k and 200k
postings; add 1000000 for the 1M leg), a fresh database `elt_bench_<size>` fed by the sandbox in
its own process, with postings spread over 90 days: a full run (extract, normalize, load, dbt
build timed separately), then a delta of BENCH_DELTA_POSTINGS new postings (default 2,000) as the
sandbox clock advances. On the largest: a no-op rerun (nothing new) and a small run (a handful of
new postings, BENCH_SMALL_POSTINGS, default 5). Beside it, the same sandbox postings through dlt's
default path (`baseline.py`) into a database of its own.
Then (`skills.py`) a taxonomy change (one alias) and the skill extraction speed beside a naive
regex join, OpenAQ's load throughput, the generic sources (`generic.py`: BENCH_GENERIC_ROWS rows,
default 1,000,000, from CSV, Parquet, SQLite and Postgres -> Postgres, full / no-op rerun / 1% delta,
beside dlt's defaults; BENCH_GENERIC=0 leaves them out), and the sandbox's own generation speed.

It ends with the three figures of the issue "a run's cost follows its new data":
- `extract-load vs dlt default: <ratio>x` (rows/s over extract+normalize+load, full run);
- `delta cost spread across warehouse sizes: <percent>%` ((slowest - fastest) / fastest delta run);
- `small run: <seconds> s` (extract-load and dbt build of the small run, Elementary as configured).
Results also go to build/bench/results.json.
"""
