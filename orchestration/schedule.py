"""`make scheduled`: one scheduled run, in the dependency order of the dbt DAG.

GitHub Actions fires a cron (`.github/workflows/elt.yml`); the run is given that cron (ELT_SCHEDULE)
and
1. extract-loads the registered sources whose `schedule` is that cron (a source that fails does not
   stop the others; the run fails at the end, naming it);
2. reads the dbt manifest (`dbt parse`) for the sources that feed each mart (every `source:raw_<x>`
   upstream of a model under `models/marts/`);
3. builds a mart only when every source that feeds it is ready, and at least one of them loaded
   since the mart was last built. A feeding source is ready when it loaded since the mart was last
   built, or, failing that, when its last load is within its freshness window (the longest
   `freshness.error_after` declared on its tables in the dbt sources yml). A source with no
   freshness that has not loaded since, has never loaded, or failed this run makes the mart wait for
   its next scheduled load; the run says which marts wait and for what;
4. selects, per ready mart, only the paths from the sources that loaded since it was built
   (`source:raw_<x>+,+<mart>`), so the staging and intermediate models in between build first, as
   dbt orders them, and nothing a waiting mart needs alone is touched. A mart the schedule never
   built takes everything upstream of it (`+<mart>`: seeds too), so an empty warehouse builds.
   A change to the dbt project is `make run`'s (state:modified+), not the schedule's.

When each source last loaded and each mart was last built (warehouse clock) are kept in the
warehouse, `ops.schedule_state`, so the decision holds across runners. No daemon: each run decides
from that state and exits.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2

from dlt_pipelines import registry
from orchestration import lineage, warehouse
from orchestration.config import DBT_PROJECT_DIR, ConfigError, Settings, dbt_target_dir
from orchestration.dbt_runner import run_dbt
from orchestration.elt import RunSummary, StageError, _load_one, _staged

DDL = """
create schema if not exists ops;
create table if not exists ops.schedule_state (
    kind text not null check (kind in ('source', 'mart')),
    name text not null,
    done_at timestamptz not null,
    primary key (kind, name)
);
"""
PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class MartDecision:
    mart: str
    build: bool
    reason: str
    selectors: tuple[str, ...] = ()


def due_sources(cron: str) -> tuple[str, ...]:
    """The registered sources scheduled at `cron`; none is an error listing the schedules."""
    due = tuple(name for name, spec in registry.sources().items() if spec.schedule == cron.strip())
    if not due:
        known = sorted({spec.schedule for spec in registry.sources().values()})
        raise ConfigError(f"no source is scheduled at {cron!r} (ELT_SCHEDULE); the schedules are {', '.join(known)}")
    return due


def mart_feeds(manifest: dict) -> dict[str, frozenset[str]]:
    """Per mart (models under models/marts/), the registered sources upstream of it."""
    by_dataset = {spec.dataset: name for name, spec in registry.sources().items()}
    feeds = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model" or not lineage.is_mart(manifest, unique_id):
            continue
        schemas = {manifest["sources"][up]["schema"] for up in lineage.upstream(manifest, unique_id)
                   if up.startswith("source.")}
        feeds[node["name"]] = frozenset(by_dataset[s] for s in schemas if s in by_dataset)
    return feeds


def _window(freshness: dict | None) -> timedelta | None:
    after = (freshness or {}).get("error_after") or {}
    if not after.get("count") or after.get("period") not in PERIODS:
        return None
    return after["count"] * PERIODS[after["period"]]


def freshness_windows(manifest: dict) -> dict[str, timedelta]:
    """Per registered source, the longest `error_after` declared on its tables (none: absent)."""
    by_dataset = {spec.dataset: name for name, spec in registry.sources().items()}
    windows: dict[str, timedelta] = {}
    for node in manifest["sources"].values():
        source, window = by_dataset.get(node["schema"]), _window(node.get("freshness"))
        if source and window:
            windows[source] = max(window, windows.get(source, window))
    return windows


def decide(feeds: Mapping[str, frozenset[str]], loaded: Mapping[str, datetime], built: Mapping[str, datetime],
           windows: Mapping[str, timedelta], now: datetime) -> list[MartDecision]:
    """Which marts build now (module docstring, rule 3); marts with nothing new are left out."""
    decisions = []
    for mart, sources in sorted(feeds.items()):
        since = built.get(mart)
        new = sorted(s for s in sources if s in loaded and (since is None or loaded[s] > since))
        if not new:
            continue
        missing = sorted(s for s in sources - set(new)
                         if s not in loaded or s not in windows or now - loaded[s] > windows[s])
        if missing:
            decisions.append(MartDecision(mart, False, f"{mart} waits for {', '.join(missing)} "
                                                       "(not loaded since it was built, not within its freshness)"))
        else:
            decisions.append(MartDecision(mart, True, f"{mart} builds: new loads of {', '.join(new)}",
                                          (f"+{mart}",) if since is None
                                          else tuple(f"source:raw_{s}+,+{mart}" for s in new)))
    return decisions


def _execute(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall() if cur.description else []
    conn.close()
    return rows


def read_state(url: str, kind: str) -> dict[str, datetime]:
    _execute(url, DDL)
    return dict(_execute(url, "select name, done_at from ops.schedule_state where kind = %s", (kind,)))


def mark(url: str, kind: str, names: list[str], at: datetime | None = None) -> None:
    """Record `names` as loaded (kind source) or built (kind mart) at `at`, else the warehouse's now."""
    for name in names:
        _execute(url, "insert into ops.schedule_state (kind, name, done_at) values (%s, %s, coalesce(%s, now())) "
                      "on conflict (kind, name) do update set done_at = excluded.done_at", (kind, name, at))


def scheduled_run(settings: Settings, cron: str, project_dir: Path = DBT_PROJECT_DIR,
                  target_path: Path | None = None, with_docs: bool = True, quiet: bool = False) -> RunSummary:
    """One scheduled run (module docstring); raises StageError at the end if a due source failed."""
    due = due_sources(cron)
    summary = RunSummary(warehouse_url="")

    def connect() -> str:
        url = warehouse.resolve_url(settings)
        warehouse.check_connection(url)
        return url

    url = summary.warehouse_url = _staged(settings, summary, "warehouse", connect)
    _execute(url, DDL)
    failed = []
    for source in due:
        try:
            summary.loads.append(_staged(settings, summary, f"el:{source}",
                                         lambda source=source: _load_one(settings, url, source)))
            mark(url, "source", [source])
        except StageError as problem:
            failed.append(f"{source} ({problem})")
            print(f"error: {problem}", file=sys.stderr)
    project = [] if project_dir == DBT_PROJECT_DIR else ["--project-dir", str(project_dir)]
    run_dbt(["parse", *project], url, target_path=target_path, quiet=True)
    manifest = lineage.load_manifest(target_path or dbt_target_dir())
    [(now,)] = _execute(url, "select now()")
    decisions = decide(mart_feeds(manifest), read_state(url, "source"), read_state(url, "mart"),
                       freshness_windows(manifest), now)
    ready = [d for d in decisions if d.build]
    summary.build_reason = "; ".join(d.reason for d in decisions) or "no mart has new loads: nothing to build"
    if ready:
        selectors = sorted({s for d in ready for s in d.selectors})
        summary.build = _staged(settings, summary, "dbt build", lambda: run_dbt(
            ["build", *project, "--select", *selectors, "--exclude-resource-type", "unit_test",
             "--indirect-selection", "cautious"], url,  # a test also on an unselected model waits for it
            target_path=target_path, quiet=quiet))
        mark(url, "mart", [d.mart for d in ready], now)  # loads committed after `now` stay new
        if with_docs:
            _staged(settings, summary, "dbt docs",
                    lambda: run_dbt(["docs", "generate", "--static", *project], url, target_path=target_path,
                                    quiet=True))
    if failed:
        raise StageError(f"stage 'el' failed for {', '.join(failed)}; the marts they feed wait")
    return summary
