"""The operations commands of `python -m orchestration` (behind make backup, restore, verify-backup,
health, ci-slim) and the guarded `run`."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from dlt_pipelines.common.secrets import scrub
from orchestration import warehouse
from orchestration.config import ConfigError, Settings
from orchestration.ops import OpsError, append_step_summary
from orchestration.ops.alerts import send_alert

COMMANDS = ("backup", "restore", "verify-backup", "health", "ci-build")


def add_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("backup", help="pg_dump the warehouse into BACKUP_DIR with a manifest, then apply the retention")
    restore = sub.add_parser("restore", help="restore a backup into a database (created if missing, never over data)")
    restore.add_argument("--backup", required=True, help="the .dump (or its manifest), or `latest`")
    restore.add_argument("--target-db", default="", help="database to restore into (default: the warehouse's)")
    verify = sub.add_parser("verify-backup", help="restore a backup (default: the latest) into a scratch database "
                                                  "and compare it with its manifest")
    verify.add_argument("--backup", default="latest")
    sub.add_parser("health", help="warehouse, sources, freshness and last run; exit 1 when unhealthy")
    ci = sub.add_parser("ci-build", help="extract-load the sandbox, then dbt build what changed since production")
    ci.add_argument("--prod-manifest", default="", help="manifest.json of the last production build")


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.ops import backup, backup_store, ci, health, restore

    if args.command == "health":
        healthy, lines = health.report(health.check_health(settings))
        print("\n".join(["== health ==", *lines]))
        append_step_summary(settings, "health", lines)
        if not healthy:
            send_alert(settings, "ELT health check failed:\n" + "\n".join(lines))
        return 0 if healthy else 1
    if args.command == "ci-build":
        how, report = ci.slim_build(settings, Path(args.prod_manifest) if args.prod_manifest else None)
        lines = [how, f"dbt build: {report.count('model')} models, {report.count('seed')} seeds, "
                      f"{report.count('test')} tests, {len(report.failures)} failures"]
        print("\n".join(lines))
        append_step_summary(settings, "slim CI build", lines)
        return 0
    url = warehouse.resolve_url(settings)
    try:
        if args.command == "backup":
            result = backup.create_backup(settings, url)
            lines = result.lines()
        elif args.command == "restore":
            if not args.backup.strip():
                raise ConfigError("BACKUP is required: make restore BACKUP=<path to a .dump, or latest> "
                                  "[TARGET_DB=<database>]")
            target = args.target_db.strip() or urlsplit(url).path.lstrip("/")
            chosen = backup_store.resolve_backup(settings, args.backup)
            lines = restore.restore_backup(settings, url, chosen, target).lines()
        else:
            chosen = backup_store.resolve_backup(settings, args.backup)
            result = restore.verify_backup(settings, url, chosen)
            lines = [f"verified {chosen.dump}: restored into a scratch database (dropped again), "
                     f"{result.tables} tables, {result.rows} rows; row counts, checksums and schema version "
                     f"match the manifest ({result.seconds:.1f}s)"]
    except (OpsError, ConfigError) as problem:
        if args.command != "restore":
            send_alert(settings, f"make {args.command} failed on {scrub(url)}: "
                                 f"{scrub(str(problem), settings.secrets())}")
        raise
    print("\n".join(lines))
    append_step_summary(settings, args.command, lines)
    return 0
