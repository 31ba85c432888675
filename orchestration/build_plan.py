"""What a run must rebuild: models downstream of sources that received rows, and what changed.

The state of the last successful build against a warehouse (dbt's manifest plus a fingerprint of
the dbt project files) is kept under build/dbt-state/<warehouse>. A run then builds
- everything, when there is no state yet or the marts are missing (a new or reset warehouse);
- `source:raw_<source>+` for each source with loads committed since the last successful build
  (read from the warehouse's `_dlt_loads`, so a load `make el` made, or one completed after a
  crash, is never left out) or that loaded rows this run, plus `state:modified+` when the project
  changed (dbt's own slim-CI selection). A new skill taxonomy is such a change: its seeds are
  modified, and the skill mentions model re-extracts only the postings a changed alias may affect
  (it compares the taxonomy with int_skill_aliases__applied), not the whole warehouse. Unit tests
  run only when the project changed: with the code unchanged they have nothing new to prove, and
  the tests of incremental models check only the rows this build writes (`tests_rows_since`,
  macros/test_scope.sql): their whole tables are tested by first, full and project-changed builds;
- nothing, when no rows arrived and nothing changed: a rerun with no new data costs next to nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2

from dlt_pipelines import registry
from orchestration.config import DBT_PROJECT_DIR, Settings, dbt_target_dir
from orchestration.extract_load import LoadReport

PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "tests", "snapshots")
# a mart every warehouse has whatever its domains (the run ledger): gone means the warehouse was emptied
CANARY_RELATION = "marts.mart_pipeline_runs"
TAXONOMY_VERSION_SEED = DBT_PROJECT_DIR / "seeds" / "skill_taxonomy_version.csv"


@dataclass(frozen=True)
class BuildPlan:
    args: list[str] | None  # dbt arguments, None when there is nothing to build
    reason: str
    project_changed: bool = True  # the dbt project may differ from the last build's (first, full, changed)
    # builds of new rows only: tests of incremental models read their rows written since this instant
    # (ISO-8601 UTC; DBT_TEST_ROWS_SINCE, macros/test_scope.sql); None tests whole tables
    tests_rows_since: str | None = None


def state_dir(settings: Settings, warehouse_url: str) -> Path:
    return settings.build_dir / "dbt-state" / hashlib.sha1(warehouse_url.encode()).hexdigest()[:12]


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = project_dir / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root] if root.exists() else []
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(project_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _marts_exist(warehouse_url: str) -> bool:
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (CANARY_RELATION,))
        exists = bool(cur.fetchone()[0])
    conn.close()
    return exists


def _before_now(warehouse_url: str, margin: timedelta = timedelta(seconds=1)) -> str:
    """An instant before anything the coming build writes: the earlier of this machine's and the
    warehouse's clocks (rows carry either: dbt's run_started_at or the database's now()), less a margin."""
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select now()")
        warehouse_now = cur.fetchone()[0]
    conn.close()
    return (min(datetime.now(timezone.utc), warehouse_now) - margin).isoformat()


def taxonomy_version(seed: Path = TAXONOMY_VERSION_SEED) -> str:
    with seed.open(newline="", encoding="utf-8") as fh:
        return next(csv.DictReader(fh))["taxonomy_version"]


def _pending(state: Path) -> set[str]:
    path = state / "pending_sources"
    return set(path.read_text().split()) if path.exists() else set()


def _data_tables(cur, dataset: str) -> list[str]:
    cur.execute("select table_name from information_schema.columns where table_schema = %s "
                "and column_name = '_dlt_load_id' and table_name not like '\\_dlt%%' order by 1", (dataset,))
    return [row[0] for row in cur.fetchall()]


def committed_loads(warehouse_url: str, since: dict[str, str]) -> dict[str, str]:
    """Per source, the newest commit time (`_dlt_loads.inserted_at`, UTC text, exact) of a complete
    load that wrote data rows, when it is newer than `since[source]`. Loads that only saved dlt's
    state (a run with nothing new) do not count."""
    newest: dict[str, str] = {}
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        for source, spec in registry.sources().items():
            dataset = spec.dataset
            tables = _data_tables(cur, dataset)
            if not tables:
                continue
            with_rows = " or ".join(f'exists (select 1 from {dataset}."{table}" as t '
                                    "where t._dlt_load_id = loads.load_id)" for table in tables)
            cur.execute(f"select (max(loads.inserted_at) at time zone 'utc')::text from {dataset}._dlt_loads as loads "
                        "where loads.status = 0 and loads.inserted_at > (%s::timestamp at time zone 'utc') "
                        f"and ({with_rows})", (since.get(source, "-infinity"),))
            found = cur.fetchone()[0]
            if found is not None:
                newest[source] = str(found)
    conn.close()
    return newest


def _loads_built(state: Path) -> dict[str, str]:
    path = state / "loads_built"
    return json.loads(path.read_text()) if path.exists() else {}


def plan_build(settings: Settings, warehouse_url: str, loads: list[LoadReport], full: bool = False,
               full_refresh: bool = False) -> BuildPlan:
    """Decide what to build; sources with new loads stay pending until a build succeeds."""
    state = state_dir(settings, warehouse_url)
    state.mkdir(parents=True, exist_ok=True)
    built = _loads_built(state)
    unbuilt = committed_loads(warehouse_url, since=built)  # loads committed since the last build
    (state / "loads_planned").write_text(json.dumps({**built, **unbuilt}, sort_keys=True) + "\n")
    pending = _pending(state) | {load.source for load in loads if load.rows} | set(unbuilt)
    (state / "pending_sources").write_text("\n".join(sorted(pending)) + "\n")
    if full_refresh:
        return BuildPlan(["build", "--full-refresh"], "full refresh requested: every model rebuilt from the raw tables")
    if full:
        return BuildPlan(["build"], "full build requested")
    if not (state / "manifest.json").exists() or not (state / "fingerprint").exists():
        return BuildPlan(["build"], "first build against this warehouse")
    if not _marts_exist(warehouse_url):
        return BuildPlan(["build"], f"{CANARY_RELATION} is missing: full build")
    built_with = (state / "taxonomy_version").read_text().strip() if (state / "taxonomy_version").exists() else ""
    current = taxonomy_version()
    changed = (state / "fingerprint").read_text().strip() != project_fingerprint()
    selectors = [f"source:raw_{source}+" for source in sorted(pending)] + (["state:modified+"] if changed else [])
    if not selectors:
        return BuildPlan(None, "no new rows and no project change: nothing to rebuild", project_changed=False)
    reasons = ([f"new rows from {', '.join(sorted(pending))}"] if pending else []) + (
        ["dbt project changed"] if changed else []) + (
        [f"skill taxonomy {built_with or '(unknown)'} -> {current}: the postings it affects are re-extracted"]
        if changed and built_with != current else [])
    # unit tests prove the models' code: with the code unchanged they have nothing new to prove
    # (they run on every project change, in `make test` and in CI)
    unit_tests = [] if changed else ["--exclude-resource-type", "unit_test"]
    return BuildPlan(["build", "--select", *selectors, *unit_tests, "--state", str(state)], " and ".join(reasons),
                     project_changed=changed, tests_rows_since=None if changed else _before_now(warehouse_url))


def record_success(settings: Settings, warehouse_url: str, target_dir: Path | None = None) -> None:
    """Keep the manifest of a successful build as the state the next run compares with."""
    target_dir = target_dir or dbt_target_dir()
    state = state_dir(settings, warehouse_url)
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target_dir / "manifest.json", state / "manifest.json")
    (state / "fingerprint").write_text(project_fingerprint() + "\n")
    (state / "taxonomy_version").write_text(taxonomy_version() + "\n")
    (state / "pending_sources").unlink(missing_ok=True)
    if (state / "loads_planned").exists():  # the loads that build saw are built now
        (state / "loads_planned").replace(state / "loads_built")
