"""`make health`: is the warehouse reachable, is every source reachable, is every source fresh, and
did the last run succeed? One line per check (ok, warn or FAIL); unhealthy (exit 1) when any fails.

- warehouse: a connection to WAREHOUSE_URL, or to the local warehouse if it is running (health does
  not start it);
- source reachability: the sandbox is started in-process and asked for `/health`; the real API
  gets one cheap request (one page of one query: it counts against the quota like any request);
- freshness: the newest `loaded_at_field` of every source table that declares a `freshness` in
  dbt's sources yml, against its warn_after and error_after (what `dbt source freshness` checks,
  without starting dbt);
- last run: the newest row of ops.run_log; `running` is fine while a run holds the run lock and a
  failure when none does (the run was killed); `killed` (a later run found it so) is a failure too,
  with when it was found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2
import requests
import yaml
from psycopg2 import sql

from dlt_pipelines import registry
from dlt_pipelines.common.secrets import scrub
from orchestration import warehouse
from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.extract_load import source_endpoint
from orchestration.ops import run_log, utc
from orchestration.ops.lock import lock_holder

PERIODS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str


@dataclass(frozen=True)
class FreshnessRule:
    relation: str  # schema.table
    loaded_at_field: str
    warn_after: timedelta | None
    error_after: timedelta | None


def _after(rule: dict | None) -> timedelta | None:
    if not rule or rule.get("count") is None:
        return None
    return timedelta(seconds=int(rule["count"]) * PERIODS[str(rule.get("period", "hour"))])


def freshness_rules(project_dir: Path = DBT_PROJECT_DIR) -> list[FreshnessRule]:
    """Every source table with a freshness rule, read from the dbt project's sources yml files."""
    rules = []
    for path in sorted((project_dir / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                freshness = table["freshness"] if "freshness" in table else source.get("freshness")
                field = table.get("loaded_at_field") or source.get("loaded_at_field")
                if not freshness or not field:
                    continue
                schema = source.get("schema") or source["name"]
                rules.append(FreshnessRule(f"{schema}.{table.get('identifier') or table['name']}", field,
                                           _after(freshness.get("warn_after")), _after(freshness.get("error_after"))))
    return rules


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f}h"


def check_freshness(url: str, rules: list[FreshnessRule], now: datetime) -> list[Check]:
    checks = []
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for rule in rules:
                name = f"freshness {rule.relation}"
                cur.execute("select to_regclass(%s) is not null", (rule.relation,))
                if not cur.fetchone()[0]:
                    checks.append(Check(name, "fail", "table missing: the source was never loaded (run `make run`)"))
                    continue
                schema, table = rule.relation.split(".", 1)
                cur.execute(sql.SQL("select max({}) from {}.{}").format(
                    sql.Identifier(rule.loaded_at_field), sql.Identifier(schema), sql.Identifier(table)))
                newest = cur.fetchone()[0]
                if newest is None:
                    checks.append(Check(name, "fail", f"no rows: {rule.loaded_at_field} has no value"))
                    continue
                if newest.tzinfo is None:
                    newest = newest.replace(tzinfo=timezone.utc)
                age = now - newest
                limits = ", ".join(f"{label} after {_hours(limit)}" for label, limit in
                                   (("warn", rule.warn_after), ("error", rule.error_after)) if limit)
                status = ("fail" if rule.error_after and age > rule.error_after else
                          "warn" if rule.warn_after and age > rule.warn_after else "ok")
                checks.append(Check(name, status, f"newest {rule.loaded_at_field} {utc(newest)}, "
                                                  f"{_hours(age)} old ({limits})"))
    finally:
        conn.close()
    return checks


def check_last_run(url: str) -> Check:
    record = run_log.latest(url)
    if record is None:
        return Check("last run", "fail", "no run recorded in ops.run_log yet (run `make run`)")
    when = utc(record.started_at)
    if record.status == "succeeded":
        took = (record.finished_at - record.started_at).total_seconds() if record.finished_at else 0
        return Check("last run", "ok", f"{record.run_id} succeeded, started {when}, took {took:.0f}s")
    if record.status == "failed":
        stage = f" in stage '{record.stage_failed}'" if record.stage_failed else ""
        return Check("last run", "fail", f"{record.run_id} failed{stage}, started {when}: {record.message}")
    if record.status == "killed":
        found = utc(record.found_killed_at) if record.found_killed_at else "by a later run"
        return Check("last run", "fail", f"{record.run_id} was killed: started {when}, never finished, found "
                                         f"killed {found} (the next run found it running with the run lock free)")
    holder = lock_holder(url)
    if holder:
        return Check("last run", "ok", f"{record.run_id} is running since {when} ({holder})")
    return Check("last run", "fail", f"{record.run_id} started {when} and never finished, and no run holds the "
                                     "run lock: it was killed or lost its connection (the next run marks it killed)")


def _live_probe(settings: Settings, source: str, base_url: str) -> tuple[str, requests.Response | None]:
    """The source's one cheap request to the real API (it counts against the quota), or None when
    even that would cost too much (Remotive allows 4 calls a day)."""
    probe = registry.get(source).probe(settings.source_config(source), base_url)
    if probe.request is None:
        return probe.what, None
    with requests.Session() as session:
        return probe.what, session.send(probe.request.prepare(), timeout=settings.request_timeout_seconds)


def check_source(settings: Settings, source: str) -> Check:
    name = f"source {source}"
    started = time.perf_counter()
    try:
        with source_endpoint(settings, source) as base_url:
            if settings.uses_sandbox_for(source):
                what = f"sandbox (started in-process) GET {base_url}/health"
                response = requests.get(f"{base_url}/health", timeout=settings.request_timeout_seconds)
            else:
                what, response = _live_probe(settings, source, base_url)
    except requests.RequestException as exc:
        return Check(name, "fail", f"unreachable: {type(exc).__name__}")
    if response is None:
        return Check(name, "ok", what)
    millis = (time.perf_counter() - started) * 1000
    if response.status_code == 200:
        return Check(name, "ok", f"{what}: HTTP 200 in {millis:.0f} ms")
    if response.status_code in (401, 403):
        return Check(name, "fail", f"{what}: HTTP {response.status_code}, the API key was rejected "
                                   f"(check {registry.get(source).key_variable})")
    if response.status_code == 429:
        return Check(name, "fail", f"{what}: HTTP 429, rate limited or the quota is exhausted")
    return Check(name, "fail", f"{what}: HTTP {response.status_code}")


def check_health(settings: Settings) -> list[Check]:
    checks: list[Check] = []
    url = None
    try:
        url = warehouse.resolve_url(settings, start=False)
        warehouse.check_connection(url)
        with psycopg2.connect(url, connect_timeout=10) as conn, conn.cursor() as cur:
            cur.execute("select current_setting('server_version')")
            version = cur.fetchone()[0]
        conn.close()
        checks.append(Check("warehouse", "ok", f"{scrub(url)} (PostgreSQL {version})"))
    except (warehouse.WarehouseError, psycopg2.Error) as exc:
        checks.append(Check("warehouse", "fail", str(exc).strip()))
        url = None
    sources = settings.run_sources()
    for source in sources:
        checks.append(check_source(settings, source))
    if url:
        # only the raw schemas of the sources this deployment loads (a board left out of
        # ELT_SOURCES is never loaded, so its tables are not stale)
        rules = [rule for rule in freshness_rules() if rule.relation.split(".", 1)[0] in {f"raw_{s}" for s in sources}]
        try:
            checks.extend(check_freshness(url, rules, settings.now()))
        except psycopg2.Error as exc:
            checks.append(Check("freshness", "fail", str(exc).strip()))
        try:
            checks.append(check_last_run(url))
        except psycopg2.Error as exc:
            checks.append(Check("last run", "fail", str(exc).strip()))
    secrets = settings.secrets()
    return [Check(c.name, c.status, scrub(c.detail, secrets)) for c in checks]


def report(checks: list[Check]) -> tuple[bool, list[str]]:
    """(healthy, lines): healthy when no check failed; warnings are shown but do not fail."""
    width = max(len(c.name) for c in checks)
    lines = [f"{'FAIL' if c.status == 'fail' else c.status:<5} {c.name:<{width}}  {c.detail}" for c in checks]
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    verdict = "healthy" if not failed else "UNHEALTHY"
    lines.append(f"{verdict}: {len(checks) - failed - warned} ok, {warned} warnings, {failed} failed")
    return not failed, lines
