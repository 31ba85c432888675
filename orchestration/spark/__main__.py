"""`python -m orchestration.spark up|down|status` (make spark-up, make spark-down)."""

from __future__ import annotations

import argparse
import sys
import time

from orchestration.config import ConfigError, Settings
from orchestration.spark.cluster import Cluster, SparkError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.spark", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "status"))
    args = parser.parse_args(argv)
    try:
        cluster = Cluster(Settings.from_env().spark)
        if args.command == "up":
            started = time.perf_counter()
            status = cluster.start()
            print(f"spark: {status.line()}; master {cluster.settings.master_url}, Thrift server "
                  f"{cluster.settings.host}:{cluster.settings.thrift_port}, data in {cluster.home} "
                  f"({time.perf_counter() - started:.1f}s)")
        elif args.command == "down":
            cluster.stop()
            print("spark: stopped")
        else:
            status = cluster.status()
            print(f"spark: {status.line()}" if status else "spark: not running")
            return 0 if status else 1
    except (ConfigError, SparkError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
