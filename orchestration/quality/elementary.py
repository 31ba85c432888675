"""Elementary's CLI (`edr`, elementary-data pinned to the dbt package's version): the HTML report
(`make report`) and alerts (`make monitor`), entirely offline.

edr is run with its own home folder under build/edr, whose `.edr/config.yml` turns off everything
that would reach the internet or install anything: the PyPI version check, anonymous tracking and
`dbt deps` of edr's internal dbt project (which gets the packages `make deps` installed instead,
through DBT_PACKAGES_FOLDER). It reads the warehouse through the `elementary` profile of
dbt_project/profiles.yml.

Alerts: with SLACK_WEBHOOK_URL, `edr monitor` posts Elementary's alerts to Slack; with
ALERT_WEBHOOK_URL, a summary of the failed and warned tests of the last dbt build goes to that
webhook through orchestration/ops/alerts.py.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import yaml

from dlt_pipelines.common.secrets import scrub
from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.dbt_runner import dbt_env
from orchestration.ops.alerts import send_alert
from orchestration.quality import packages

EDR_CONFIG = {
    "anonymous_usage_tracking": False,
    "disable_elementary_version_check": True,
    "run_dbt_deps_if_needed": False,
    "disable_elementary_logo_print": True,
}
REPORT_DAYS_BACK = 30
TIMEOUT_SECONDS = 900


class ElementaryUnavailable(RuntimeError):
    """The Elementary packages are not installed; the message says why and what to do."""


class ElementaryError(RuntimeError):
    """edr failed; the message has the end of its output."""


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def target(self) -> Path:
        return self.root / "target"

    @property
    def report(self) -> Path:
        return self.root / "report.html"


def paths(settings: Settings) -> Paths:
    return Paths(settings.build_dir / "elementary")


def edr_executable() -> str:
    found = Path(sys.executable).parent / "edr"
    if not found.exists():
        raise ElementaryUnavailable("the edr CLI is not installed in this environment; run `make install`")
    return str(found)


def edr_env(settings: Settings, warehouse_url: str) -> dict[str, str]:
    where = paths(settings)
    (where.home / ".edr").mkdir(parents=True, exist_ok=True)
    (where.home / ".edr" / "config.yml").write_text(yaml.safe_dump(EDR_CONFIG))
    # edr runs dbt on an internal project of its own: DBT_TARGET_PATH would make it write that
    # project's manifest over the warehouse's (the one slim builds and the docs read)
    env = dbt_env(warehouse_url, base={k: v for k, v in settings.env.items() if k not in ("HOME", "DBT_TARGET_PATH")})
    env.update({
        "HOME": str(where.home),  # ~/.edr/config.yml is read before any option is parsed
        "DBT_PACKAGES_FOLDER": str(packages.PACKAGES_DIR),
        "DBT_PACKAGES_INSTALL_PATH": str(packages.PACKAGES_DIR),
        "DO_NOT_TRACK": "1",
    })
    return env


def _run(settings: Settings, warehouse_url: str, args: list[str]) -> str:
    availability = packages.status()
    if not availability.available:
        raise ElementaryUnavailable(availability.line())
    where = paths(settings)
    where.target.mkdir(parents=True, exist_ok=True)
    cmd = [edr_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(where.target), "--env", "prod"]
    result = subprocess.run(cmd, cwd=where.root, env=edr_env(settings, warehouse_url), capture_output=True,
                            text=True, timeout=TIMEOUT_SECONDS)
    output = scrub(result.stdout + result.stderr, settings.secrets())
    if result.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise ElementaryError(f"edr {args[0]} failed (exit {result.returncode}):\n{tail}")
    return output


def write_report(settings: Settings, warehouse_url: str) -> Path:
    """Elementary's HTML report of the warehouse's test results into build/elementary/report.html."""
    report = paths(settings).report
    report.unlink(missing_ok=True)
    _run(settings, warehouse_url, ["report", "--file-path", str(report), "--open-browser", "false",
                                   "--days-back", str(REPORT_DAYS_BACK), "--project-name", "warehouse"])
    if not report.is_file():
        raise ElementaryError(f"edr report succeeded but wrote no {report}")
    return report


def failed_tests(warehouse_url: str, limit: int = 20) -> list[tuple[str, str, str]]:
    """(status, test, table) of the failed and warned tests of the newest dbt invocation that ran tests,
    from Elementary's test results."""
    conn = psycopg2.connect(warehouse_url, connect_timeout=10)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select to_regclass('elementary.elementary_test_results') is not null")
            if not cur.fetchone()[0]:
                return []
            cur.execute("""
                with newest as (
                    select invocation_id from elementary.elementary_test_results
                    order by detected_at desc limit 1
                )
                select status, coalesce(test_short_name, test_unique_id), coalesce(table_name, '')
                from elementary.elementary_test_results
                where invocation_id = (select invocation_id from newest) and status in ('fail', 'error', 'warn')
                order by case status when 'warn' then 1 else 0 end, test_unique_id
                limit %s""", (limit,))
            return [(str(s), str(t), str(m)) for s, t, m in cur.fetchall()]
    finally:
        conn.close()


def monitor(settings: Settings, warehouse_url: str) -> list[str]:
    """Send alerts: Elementary's own to Slack (SLACK_WEBHOOK_URL), a summary of failed tests to
    ALERT_WEBHOOK_URL. Returns what was done, one line each."""
    lines = []
    if settings.slack_webhook_url:
        _run(settings, warehouse_url, ["monitor", "--slack-webhook", settings.slack_webhook_url, "--days-back", "1"])
        lines.append("edr monitor: Elementary alerts sent to SLACK_WEBHOOK_URL")
    else:
        lines.append("edr monitor: skipped (set SLACK_WEBHOOK_URL to send Elementary's alerts to Slack)")
    if not packages.status().available:
        raise ElementaryUnavailable(packages.status().line())
    problems = failed_tests(warehouse_url)
    if not problems:
        lines.append("failed tests: none in the last dbt build")
        return lines
    failed = sum(status != "warn" for status, _, _ in problems)
    text = "\n".join([f"dbt tests: {failed} failed, {len(problems) - failed} warned in the last build",
                      *(f"- {status}: {test} on {table}" for status, test, table in problems)])
    if not settings.alert_webhook_url:
        lines.append(f"failed tests: {len(problems)} (set ALERT_WEBHOOK_URL to post them)")
    elif send_alert(settings, text):
        lines.append(f"failed tests: {len(problems)} posted to ALERT_WEBHOOK_URL")
    else:
        lines.append(f"failed tests: {len(problems)}, but ALERT_WEBHOOK_URL did not accept the alert")
    return lines
