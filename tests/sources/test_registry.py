"""The source registry: a source registered under a new name is loaded, replayed, checked by
`make health` and reported in the run summary with no edit in orchestration, and an unknown
name is an error that lists the known ones."""

from __future__ import annotations

import contextlib
import importlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import dlt
import pytest
import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator

from dlt_pipelines import registry
from dlt_pipelines.common.env import Env, text
from dlt_pipelines.common.replay import ResponseShape
from dlt_pipelines.registry import BuildContext, Probe, SourceSpec
from orchestration import elt
from orchestration.config import ConfigError
from orchestration.dbt_runner import dbt_env
from orchestration.ops.health import check_source
from tests.conftest import REPO_ROOT, make_settings, query

ITEMS = [{"id": n, "name": f"item {n}"} for n in range(1, 26)]  # three pages of ten
PAGE_SIZE = 10


class _ToyApi(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        if parts.path == "/health":
            body = {"ok": True}
        else:
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            body = {"items": ITEMS[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def toy_sandbox(env: Env) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ToyApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class ToyConfig:
    base_url: str | None = None  # TOY_BASE_URL
    rate_limit_per_min: float = 0.0

    @classmethod
    def from_env(cls, env: Env) -> ToyConfig:
        return cls(base_url=text(env, "TOY_BASE_URL"))

    def uses_sandbox(self) -> bool:
        return self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        return ()


def build_toy(config: ToyConfig, context: BuildContext):
    client = RESTClient(base_url=context.base_url, session=context.session, data_selector="items",
                        paginator=PageNumberPaginator(base_page=1, total_path=None, stop_after_empty_page=True))

    @dlt.resource(name="items", write_disposition="merge", primary_key="id")
    def items():
        yield from client.paginate("/items")

    @dlt.source(name="toy")
    def toy():
        return items

    return toy()


TOY = SourceSpec(
    name="toyshop", domain="toys", api_name="Toy API", key_variable="TOY_BASE_URL", real_base_url="https://toy.invalid",
    read_config=ToyConfig.from_env, build=build_toy,
    replay_shape=ResponseShape("toyshop", "items", "id", lambda items: {"items": items}),
    probe=lambda config, base_url: Probe(f"{base_url} health", requests.Request("GET", f"{base_url}/health")),
    sandbox=toy_sandbox,
)


@pytest.fixture
def toy_source():
    with registry.registered(TOY) as spec:
        yield spec


def test_a_registered_source_runs_through_orchestration(toy_source, fresh_database, tmp_path):
    settings = make_settings(tmp_path, ELT_SOURCES="toyshop")
    summary = elt.RunSummary(fresh_database)
    elt.extract_load(settings, fresh_database, summary=summary)
    assert query(fresh_database, "select count(*), count(distinct id) from raw_toyshop.items") == [(25, 25)]
    assert "extract-load toyshop: 25 rows loaded into raw_toyshop (items=25)" in summary.lines()
    assert "domain toys: 25 rows loaded from toyshop" in summary.lines()
    assert check_source(settings, "toyshop").status == "ok"
    # a rerun merges: still one row per item
    elt.extract_load(settings, fresh_database, summary=elt.RunSummary(fresh_database))
    assert query(fresh_database, "select count(*) from raw_toyshop.items") == [(25,)]


def test_a_registered_source_replays(toy_source, fresh_database, tmp_path):
    capture = tmp_path / "page_1.json"
    capture.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"id": 100, "name": "captured"}]).encode())  # with a BOM
    settings = make_settings(tmp_path / "build")
    elt.replay_load(settings, fresh_database, "toyshop", str(capture), elt.RunSummary(fresh_database))
    assert query(fresh_database, "select name from raw_toyshop.items where id = 100") == [("captured",)]


def test_an_unknown_source_names_the_known_ones(tmp_path):
    with pytest.raises(ConfigError, match="known: .*jsearch"):
        make_settings(tmp_path, ELT_SOURCES="jobsearch").run_sources()
    with pytest.raises(registry.UnknownSourceError, match="unknown source 'nope'; known sources: .*adzuna"):
        registry.get("nope")
    with pytest.raises(ConfigError, match="already registered"):
        registry.register(registry.get("jsearch"))


def test_every_source_in_the_package_is_registered_with_its_staging_folder():
    declared = []  # a package declares its SOURCE (named as the package) or several SOURCES (the generic ones)
    for path in (REPO_ROOT / "dlt_pipelines").glob(f"*/{registry.ENTRY_MODULE}.py"):
        module = importlib.import_module(f"dlt_pipelines.{path.parent.name}.{registry.ENTRY_MODULE}")
        several = getattr(module, "SOURCES", None)
        assert several is not None or module.SOURCE.name == path.parent.name, path
        declared += [module.SOURCE.name] if several is None else [spec.name for spec in several]
    assert sorted(declared) == sorted(registry.names())
    for name, spec in registry.sources().items():
        assert (REPO_ROOT / "dbt_project" / "models" / "staging" / name).is_dir(), name
        assert (REPO_ROOT / "dbt_project" / "models" / "marts" / spec.domain).is_dir(), name


def test_orchestration_names_no_source():
    """No if-chain or list of sources left in orchestration: it knows them from the registry.
    (the bench benchmarks the JSearch pipeline by design; the taxonomy has no sources.)"""
    allowed = {"bench", "taxonomy"}
    for path in (REPO_ROOT / "orchestration").rglob("*.py"):
        if allowed & set(path.relative_to(REPO_ROOT).parts):
            continue
        code = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))
        named = [name for name in registry.names() if f'"{name}"' in code or f"'{name}'" in code]
        assert not named, f"{path.relative_to(REPO_ROOT)} names sources {named}"


def test_replay_shapes_come_from_the_registry():
    assert {spec.replay_shape.board for spec in registry.sources().values()} == set(registry.names())


def test_dbt_reads_the_registry_it_is_given(toy_source):
    """The dbt project loops over ELT_SOURCE_REGISTRY (macros/source_registry.sql), which the dbt
    runner sets from the registry, so a registered source reaches dbt too."""
    passed = json.loads(dbt_env("postgresql://u@h:5432/db", base={})["ELT_SOURCE_REGISTRY"])
    assert list(passed) == sorted(registry.names())
    assert passed["toyshop"] == {"domain": "toys", "dataset": "raw_toyshop", "record_id": "id"}
    assert passed["arbeitnow"]["record_id"] == "slug" and passed["jsearch"]["domain"] == "job_market"


def test_elt_domains_narrow_the_run_to_their_sources(tmp_path):
    by_domain = {}
    for name, spec in registry.sources().items():
        by_domain.setdefault(spec.domain, []).append(name)
    for domain, names in by_domain.items():
        assert make_settings(tmp_path, ELT_DOMAINS=domain).run_sources() == tuple(names)
    assert make_settings(tmp_path, ELT_DOMAINS="job_market", ELT_SOURCES="jsearch,openaq").run_sources() == ("jsearch",)
    known = ", ".join(sorted(by_domain))  # the registry's domains
    with pytest.raises(ConfigError, match=f"ELT_DOMAINS names unknown domains weather; known: {known}"):
        make_settings(tmp_path, ELT_DOMAINS="weather").run_sources()
    with pytest.raises(ConfigError, match="has no source of the domains in ELT_DOMAINS"):
        make_settings(tmp_path, ELT_DOMAINS="air_quality", ELT_SOURCES="jsearch").run_sources()
