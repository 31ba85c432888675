"""What a run must rebuild: models downstream of sources that received rows, and what changed.

The state of the last successful build against a warehouse (dbt's manifest plus a fingerprint of
the dbt project files) is kept under build/dbt-state/<warehouse>. A run then builds
- everything, when there is no state yet or the marts are missing (a new or reset warehouse);
- `source:raw_<source>+` for each source that loaded rows, plus `state:modified+` when the project
  changed (dbt's own slim-CI selection). A new skill taxonomy is such a change: its seeds are
  modified, and the skill mentions model re-extracts only the postings a changed alias may affect
  (it compares the taxonomy with int_skill_aliases__applied), not the whole warehouse;
- nothing, when no rows arrived and nothing changed: a rerun with no new data costs next to nothing.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.extract_load import LoadReport

PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "tests", "snapshots")
CANARY_RELATION = "marts.fct_job_postings"
TAXONOMY_VERSION_SEED = DBT_PROJECT_DIR / "seeds" / "skill_taxonomy_version.csv"


@dataclass(frozen=True)
class BuildPlan:
    args: list[str] | None  # dbt arguments, None when there is nothing to build
    reason: str


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


def taxonomy_version(seed: Path = TAXONOMY_VERSION_SEED) -> str:
    with seed.open(newline="", encoding="utf-8") as fh:
        return next(csv.DictReader(fh))["taxonomy_version"]


def _pending(state: Path) -> set[str]:
    path = state / "pending_sources"
    return set(path.read_text().split()) if path.exists() else set()


def plan_build(settings: Settings, warehouse_url: str, loads: list[LoadReport], full: bool = False) -> BuildPlan:
    """Decide what to build; sources with new rows stay pending until a build succeeds."""
    state = state_dir(settings, warehouse_url)
    state.mkdir(parents=True, exist_ok=True)
    pending = _pending(state) | {load.source for load in loads if load.rows}
    (state / "pending_sources").write_text("\n".join(sorted(pending)) + "\n")
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
        return BuildPlan(None, "no new rows and no project change: nothing to rebuild")
    reasons = ([f"new rows from {', '.join(sorted(pending))}"] if pending else []) + (
        ["dbt project changed"] if changed else []) + (
        [f"skill taxonomy {built_with or '(unknown)'} -> {current}: the postings it affects are re-extracted"]
        if changed and built_with != current else [])
    return BuildPlan(["build", "--select", *selectors, "--state", str(state)], " and ".join(reasons))


def record_success(settings: Settings, warehouse_url: str, target_dir: Path = DBT_PROJECT_DIR / "target") -> None:
    """Keep the manifest of a successful build as the state the next run compares with."""
    state = state_dir(settings, warehouse_url)
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target_dir / "manifest.json", state / "manifest.json")
    (state / "fingerprint").write_text(project_fingerprint() + "\n")
    (state / "taxonomy_version").write_text(taxonomy_version() + "\n")
    (state / "pending_sources").unlink(missing_ok=True)
