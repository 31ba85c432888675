"""Command line of the sandbox server.

``python -m dlt_pipelines.sandbox serve [--host 127.0.0.1] [--port N] [--port-file PATH] [--source S ...]``
    serve every registry source's fake API (or those given with ``--source``), each under
    ``/<source>``, until killed; prints the server's root URL on one line; ``--port-file`` receives
    the port (written atomically) so a parent process can find a port chosen with ``--port 0``.
``python -m dlt_pipelines.sandbox bench [--count N]``
    measure the JSearch catalogue's generation + serialisation speed on one core.
``python -m dlt_pipelines.sandbox sample [--index I]``
    print one generated JSearch posting as JSON.

Configuration comes from ``SANDBOX_*`` variables (see :mod:`dlt_pipelines.sandbox.config`).
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import time

import orjson

from dlt_pipelines.common import secrets
from dlt_pipelines.job_boards.sandbox.catalogue import generate_posting, iter_postings, warm_up
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.context import SandboxState
from dlt_pipelines.sandbox.server import SandboxServer, fake_apis, write_port_file


def _serve(args: argparse.Namespace) -> int:
    config = SandboxConfig.from_env()
    apis = fake_apis(args.source or None)
    # This process only serves: collect garbage rarely, since every response allocates
    # thousands of short-lived dicts and the default thresholds cost ~15% of throughput.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    server = SandboxServer((args.host, args.port), SandboxState(config), apis, verbose=args.verbose)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    if args.port_file:
        write_port_file(args.port_file, port)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _bench(args: argparse.Namespace) -> int:
    config = SandboxConfig.from_env()
    now = config.now or int(time.time())
    warm_up(config)
    started = time.perf_counter()
    size = 0
    for item in iter_postings(config, 0, args.count, now):
        size += len(orjson.dumps(item))
    seconds = time.perf_counter() - started
    print(
        f"{args.count} postings in {seconds:.2f}s: {args.count / seconds:,.0f} postings/s, "
        f"{size / args.count:,.0f} bytes each"
    )
    return 0


def _sample(args: argparse.Namespace) -> int:
    posting = generate_posting(SandboxConfig.from_env(), args.index)
    sys.stdout.write(orjson.dumps(posting, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dlt_pipelines.sandbox", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sources' fake APIs until killed")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--port-file", help="write the bound port to this file")
    serve.add_argument("--source", action="append", help="mount only this source (repeatable)")
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    serve.set_defaults(run=_serve)
    bench = commands.add_parser("bench", help="measure generation speed")
    bench.add_argument("--count", type=int, default=100_000)
    bench.set_defaults(run=_bench)
    sample = commands.add_parser("sample", help="print one posting")
    sample.add_argument("--index", type=int, default=0)
    sample.set_defaults(run=_sample)
    args = parser.parse_args(argv)
    secrets.install()  # request lines (--verbose) carry clients' keys in query strings: masked
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
