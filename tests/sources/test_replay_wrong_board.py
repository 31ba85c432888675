"""A capture of another board replayed as this one (Arbeitnow's `slug` items as Remotive, whose id is
`id`) stops the replay, naming the file and the expected id key, and loads nothing; captures from
../shared/data/api_samples, real Postgres."""

from __future__ import annotations

import json
import uuid

import pytest

from dlt_pipelines import registry
from orchestration.elt import StageError, replay_load
from orchestration.warehouse import with_database
from tests.conftest import SHARED, _admin, make_settings, query
from tests.ops.conftest import cli

SAMPLES = SHARED / "data" / "api_samples"
SHAPES = {name: spec.replay_shape for name, spec in registry.sources().items() if spec.domain == "job_market"}
BOARDS = tuple(SHAPES)
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"the API captures are not here: {SAMPLES} is absent")


def items_of(board: str) -> list[dict]:
    key = SHAPES[board].items_key
    return [item for path in sorted((SAMPLES / board).glob("*.json")) for item in json.loads(path.read_text())[key]]


def foreign_pairings() -> list[tuple[str, str]]:
    """(captured board, replayed as): every pairing whose items lack the replayed board's id key
    (Remotive and Adzuna both use `id`, so their items cannot be told apart by it)."""
    if not SAMPLES.is_dir():
        return []
    return [(captured, replayed) for captured in BOARDS for replayed in BOARDS if captured != replayed
            and not any(SHAPES[replayed].id_key in item for item in items_of(captured))]


@pytest.fixture(scope="module")
def database(server_url):
    name = f"elt_wrong_board_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def test_the_pairings_cover_every_board():
    pairs = foreign_pairings()
    assert len(pairs) == 10  # 12 ordered pairings, less remotive <-> adzuna
    assert {c for c, _ in pairs} == {r for _, r in pairs} == set(BOARDS)


@pytest.mark.parametrize(("captured", "replayed"), foreign_pairings())
def test_items_of_another_board_stop_the_replay(captured, replayed, database, tmp_path):
    capture = tmp_path / f"{captured}_items.json"
    capture.write_text(json.dumps(items_of(captured)))
    id_key = SHAPES[replayed].id_key
    with pytest.raises(StageError, match=rf"el:{replayed}.*{capture.name}: not a {replayed} capture: none of its "
                                         rf"\d+ items has the {replayed} id key '{id_key}'"):
        replay_load(make_settings(tmp_path / "build"), database, replayed, str(capture))
    assert query(database, f"select to_regclass('raw_{replayed}.job_postings')") == [(None,)]


@pytest.mark.parametrize(("captured", "replayed"), [("arbeitnow", "jsearch"), ("jsearch", "arbeitnow")])
def test_a_whole_response_of_another_board_with_the_same_items_key_stops_the_replay(captured, replayed, database,
                                                                                     tmp_path):
    # both wrap their items in "data": the envelope passes, the items do not
    folder = tmp_path / "capture"
    folder.mkdir()
    for path in (SAMPLES / captured).glob("*.json"):
        (folder / path.name).write_bytes(path.read_bytes())
    with pytest.raises(StageError, match=rf"not a {replayed} capture: none of its \d+ items has"):
        replay_load(make_settings(tmp_path / "build"), database, replayed, str(folder))
    assert query(database, f"select to_regclass('raw_{replayed}.job_postings')") == [(None,)]


def test_make_el_replay_of_arbeitnow_items_as_remotive_exits_non_zero(database, tmp_path):
    capture = tmp_path / "arbeitnow_items.json"
    capture.write_text(json.dumps(items_of("arbeitnow")))
    result = cli("el", "--source", "remotive", "--replay", str(capture), WAREHOUSE_URL=database,
                 ELT_BUILD_DIR=str(tmp_path / "build"))
    assert result.returncode == 1, result.stdout
    assert f"{capture}: not a remotive capture" in result.stderr and "'id'" in result.stderr
    assert query(database, "select to_regclass('raw_remotive.job_postings')") == [(None,)]


def test_a_capture_with_some_items_lacking_the_id_still_loads_them_as_rejects(database, tmp_path):
    items = items_of("remotive")[:3]
    capture = tmp_path / "remotive_mixed.json"
    capture.write_text(json.dumps([*items, {"slug": "an-arbeitnow-item"}]))
    replay_load(make_settings(tmp_path / "build"), database, "remotive", str(capture))
    assert query(database, "select count(*) from raw_remotive.job_postings") == [(3,)]
    assert query(database, "select count(*) from raw_remotive.job_postings_rejected") == [(1,)]
