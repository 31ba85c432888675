"""`make bench` (see orchestration/bench/__init__.py for what it measures)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from dlt_pipelines.common.env import ConfigError
from orchestration.bench import generic
from orchestration.bench.common import rows_per_second
from orchestration.bench.job_market import LOAD_STEPS, Warehouse, bench_warehouse
from orchestration.bench.skills import extraction_speed, taxonomy_change
from orchestration.bench.throughput import air_quality_throughput, sandbox_generation_speed
from orchestration.config import Settings

DEFAULT_SIZES = "50000,200000"


def sizes(env: dict[str, str]) -> list[int]:
    """BENCH_SIZES: warehouse sizes in postings, comma-separated; the largest is the main one."""
    raw = env.get("BENCH_SIZES", "").strip() or DEFAULT_SIZES
    try:
        found = sorted({int(part.replace("_", "")) for part in raw.split(",") if part.strip()})
    except ValueError:
        raise ConfigError(f"BENCH_SIZES must be postings counts separated by commas, got {raw!r}") from None
    if not found or found[0] < 100:
        raise ConfigError(f"BENCH_SIZES needs warehouse sizes of at least 100 postings, got {raw!r}")
    return found


def verdict(warehouses: list[Warehouse]) -> dict[str, float]:
    """The three closing figures: extract-load against dlt's default path, how far the delta's
    cost moves with the warehouse size, and what a small run costs."""
    main = warehouses[-1]
    full = main.run("full")
    ours = rows_per_second(full["postings_loaded"], full["seconds"], LOAD_STEPS)
    default = rows_per_second(main.baseline["postings_loaded"], main.baseline["seconds"], LOAD_STEPS)
    deltas = [w.run("delta")["total_seconds"] for w in warehouses]
    small = main.run("small run")
    return {"extract_load_rows_per_second": ours, "dlt_default_rows_per_second": default,
            "extract_load_ratio": ours / default if default else 0.0,
            "delta_seconds_by_size": dict(zip([w.postings for w in warehouses], deltas, strict=True)),
            "delta_spread_percent": 100 * (max(deltas) - min(deltas)) / min(deltas) if len(deltas) > 1 else 0.0,
            "small_run_seconds": small["total_seconds"]}


def main() -> int:
    base = Settings.from_env()
    env = dict(os.environ)
    found = sizes(env)
    delta = int(env.get("BENCH_DELTA_POSTINGS", "") or 2000)
    small = int(env.get("BENCH_SMALL_POSTINGS", "") or 5)
    warehouses = [bench_warehouse(base, size, delta, small, main=size == found[-1]) for size in found]
    main_url = warehouses[-1].url
    air_quality = air_quality_throughput(base)
    steps = ", ".join(f"{step} {rate:,.0f}/s" for step, rate in air_quality["per_step"].items())
    print(f"air quality (OpenAQ): {air_quality['values_loaded']} hourly values, "
          f"{air_quality['values_per_second']:,.0f} values/s ({steps})", flush=True)
    extras: dict[str, Any] = {"air_quality": air_quality}
    if env.get("BENCH_SKILLS", "1") != "0":  # BENCH_SKILLS=0 leaves out the taxonomy and extraction legs
        extras["taxonomy_change"] = taxonomy_change(main_url, base.build_dir / "bench" / "dbt-taxonomy")
        extras["skill_extraction"] = extraction_speed(main_url, env)
    if env.get("BENCH_GENERIC", "1") != "0":  # BENCH_GENERIC=0 leaves out the generic-source legs (generic.py)
        extras["generic_sources"] = generic.run(base)
    extras["sandbox_generation"] = sandbox_generation_speed()
    figures = verdict(warehouses)
    out = base.build_dir / "bench" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"sizes": found, "warehouses": [w.__dict__ for w in warehouses], **extras,
                               "verdict": figures}, indent=2, default=str))
    print(f"results: {out}")
    print(f"extract-load: {figures['extract_load_rows_per_second']:,.0f} rows/s, dlt default "
          f"{figures['dlt_default_rows_per_second']:,.0f} rows/s; delta {delta:,} postings by warehouse size: "
          + ", ".join(f"{size:,}: {secs:.1f}s" for size, secs in figures["delta_seconds_by_size"].items()))
    print(f"extract-load vs dlt default: {figures['extract_load_ratio']:.1f}x")
    print(f"delta cost spread across warehouse sizes: {figures['delta_spread_percent']:.1f}%")
    print(f"small run: {figures['small_run_seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
