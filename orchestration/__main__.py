"""Command line behind the make targets: `python -m orchestration <command>`."""

from __future__ import annotations

import argparse
import sys

from dlt_pipelines import registry
from dlt_pipelines.common import secrets
from dlt_pipelines.common.secrets import scrub
from orchestration import warehouse
from orchestration.config import ConfigError, Settings
from orchestration.dbt_runner import DbtError, lint_sql, run_dbt, upload_elementary_artifacts
from orchestration.elt import RunSummary, StageError, extract_load, replay_load, run_all
from orchestration.ops import OpsError
from orchestration.ops import cli as ops_cli
from orchestration.ops.runner import guarded_run, under_run_lock
from orchestration.spark.cluster import SparkError


def quality_command(command: str, settings: Settings) -> int:
    """`make deps`, `make report`, `make monitor` (orchestration/quality)."""
    from orchestration.dbt_runner import dbt_executable
    from orchestration.quality import elementary, packages

    if command == "deps":
        print(packages.install(settings, dbt_executable()).line())
        return 0
    try:
        url = warehouse.resolve_url(settings)
        if command == "report":
            print(f"elementary report: {elementary.write_report(settings, url)}")
        else:
            print("\n".join(elementary.monitor(settings, url)))
    except elementary.ElementaryUnavailable as problem:
        print(f"{command}: not possible, {problem}", file=sys.stderr)
        return 1
    except elementary.ElementaryError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


def train_command(settings: Settings, models: tuple[str, ...]) -> int:
    """`make train`: fit, evaluate and version the models, write predictions, rebuild what reads them."""
    from orchestration.ml.train import train_all

    url = warehouse.resolve_url(settings)
    for result in train_all(settings, url, models):
        print("\n".join(result.lines()))
    run_dbt(["build", "--select", "source:ml+"], url)
    return 0


def el_command(settings: Settings, url: str, args: argparse.Namespace) -> RunSummary:
    """`make el`: the named sources (or every one), or a replay of one source's captures."""
    summary = RunSummary(url)
    if args.replay:
        replay_load(settings, url, args.source[0], args.replay, summary)
    else:
        extract_load(settings, url, tuple(args.source or settings.run_sources()), summary)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="warehouse up, extract-load, dbt build, dbt docs, summary")
    run.add_argument("--full-build", action="store_true", help="dbt build everything, not only what changed")
    run.add_argument("--full-refresh", action="store_true",
                     help="dbt build --full-refresh: rebuild every incremental model from the raw tables")
    scheduled = sub.add_parser("scheduled",
                               help="the sources due at a cron, then the marts all their sources are ready for")
    scheduled.add_argument("--cron", help="the schedule that fired (default ELT_SCHEDULE)")
    el = sub.add_parser("el", help="extract-load the sources into the raw schemas")
    el.add_argument("--source", choices=registry.names(), action="append")
    el.add_argument("--replay", metavar="PATH",
                    help="load captured API responses (a file or a folder) of one --source, without network")
    scaffold = sub.add_parser("scaffold", help="write the staging of a loaded source (never over an edited file)")
    scaffold.add_argument("--source", choices=registry.names(), required=True)
    lineage = sub.add_parser("lineage", help="upstream sources and downstream marts and exposures of a model")
    lineage.add_argument("--model", required=True)
    impact = sub.add_parser("impact", help="what a change to a source rebuilds")
    impact.add_argument("--source", choices=registry.names(), required=True)
    dbt = sub.add_parser("dbt", help="run a dbt command against the warehouse in use")
    dbt.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("lint-sql", help="sqlfluff lint of the dbt models (dbt templater, needs the warehouse)")
    sub.add_parser("warehouse-url", help="print the warehouse URL in use (starting the local one)")
    sub.add_parser("warehouse-up", help="start the local warehouse if WAREHOUSE_URL is not set")
    sub.add_parser("warehouse-stop", help="stop the local warehouse")
    ops_cli.add_commands(sub)
    train = sub.add_parser("train", help="train and evaluate the models (orchestration/ml), promote, write predictions")
    train.add_argument("--model", action="append", help="a model of orchestration/ml/models.py (default: all)")
    sub.add_parser("deps", help="install the optional dbt packages (Elementary) from the cache or dbt hub")
    sub.add_parser("report", help="Elementary's HTML report of the test results (build/elementary/report.html)")
    sub.add_parser("monitor", help="alerts: edr monitor to SLACK_WEBHOOK_URL, failed tests to ALERT_WEBHOOK_URL")
    args = parser.parse_args(argv)

    secrets.install()  # stdout, stderr and logging scrubbed from here on (dlt_pipelines/common/secrets.py)
    try:
        settings = Settings.from_env()
        secrets.register(settings.secrets())
        if args.command == "run" and settings.engine == "spark":  # orchestration/spark/run.py
            from orchestration.spark.run import run_all as run_on_spark

            print("\n".join(["", "== run summary ==", *run_on_spark(settings, full_refresh=args.full_refresh).lines()]))
        elif args.command == "run":
            # under the run lock, recorded in ops.run_log, alerting on failure (orchestration/ops/runner.py)
            summary = guarded_run(settings, lambda: run_all(settings, full_build=args.full_build,
                                                                    full_refresh=args.full_refresh))
            print("\n".join(["", "== run summary ==", *summary.lines()]))
        elif args.command == "scheduled":
            from orchestration.schedule import scheduled_run

            cron = args.cron or settings.schedule
            if not cron:
                raise ConfigError("make scheduled needs the cron that fired: ELT_SCHEDULE or --cron")
            summary = guarded_run(settings, lambda: scheduled_run(settings, cron))
            print("\n".join(["", "== run summary ==", *summary.lines()]))
        elif args.command == "el":
            if args.replay and len(args.source or ()) != 1:
                raise ConfigError("--replay needs exactly one --source (make el SOURCE=<source> REPLAY=<path>)")
            summary = under_run_lock(settings, lambda url: el_command(settings, url, args))
            print("\n".join(summary.lines()))
        elif args.command == "scaffold":
            from orchestration.scaffold import scaffold

            print("\n".join(scaffold(settings, warehouse.resolve_url(settings), args.source)))
        elif args.command in ("lineage", "impact"):
            from orchestration import lineage

            manifest = lineage.load_manifest()
            lines = (lineage.lineage(manifest, args.model) if args.command == "lineage"
                     else lineage.impact(manifest, args.source))
            print("\n".join(lines))
        elif args.command == "dbt":
            url = warehouse.resolve_url(settings)
            dbt_args = args.args or ["build"]
            run_dbt(dbt_args, url)
            if dbt_args == ["build"]:  # `make transform`: the whole project, so Elementary's copy of it too
                upload_elementary_artifacts(url)
        elif args.command == "lint-sql":
            return lint_sql(warehouse.resolve_url(settings))
        elif args.command == "warehouse-url":
            print(warehouse.resolve_url(settings))
        elif args.command == "warehouse-up":
            print(scrub(warehouse.resolve_url(settings)))
        elif args.command == "warehouse-stop":
            warehouse.LocalServer(settings.local_warehouse_dir).stop()
        elif args.command == "train":
            return train_command(settings, tuple(args.model or ()))
        elif args.command in ("deps", "report", "monitor"):
            return quality_command(args.command, settings)
        elif args.command in ops_cli.COMMANDS:
            return ops_cli.dispatch(args, settings)
    except (ConfigError, StageError, DbtError, warehouse.WarehouseError, OpsError, SparkError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
