"""`make bench`'s generic-source leg on a small size: every kind loads all rows, its rerun 0 and its
delta exactly the 1% added, and dlt's defaults load the same data (rates are printed, not asserted)."""

from __future__ import annotations

import uuid

from orchestration.bench import generic as bench_generic
from tests.conftest import _admin, make_settings


def test_every_generic_leg_loads_all_then_nothing_then_the_delta(server_url, tmp_path):
    database = f"elt_test_bench_generic_{uuid.uuid4().hex[:8]}"
    settings = make_settings(tmp_path, WAREHOUSE_URL=server_url)
    try:
        results = bench_generic.run(settings, rows=3000, database=database)
    finally:
        _admin(server_url, f'drop database if exists "{database}" with (force)')
        _admin(server_url, f'drop database if exists "{database}_src" with (force)')
    assert [r["kind"] for r in results] == ["csv", "parquet", "sqlite", "postgres"]
    for result in results:
        assert (result["full"]["rows"], result["no-op rerun"]["rows"], result["delta 1%"]["rows"]) == (3000, 0, 30)
        default = result["dlt default"]
        if result["kind"] == "csv" and isinstance(default, str):
            assert "needs pandas" in default
        else:
            assert default["rows"] == 3030, result["kind"]  # the same data, delta included
        assert bench_generic.line(result).startswith(f"generic {result['kind']:>8}: ")
