"""Replay of captured API responses (../shared/data/api_samples) through the sources' own code,
into a real Postgres, with no network: exact row counts, idempotent reruns, clear errors."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from dlt_pipelines.common.replay import ReplayError
from orchestration.config import REPO_ROOT
from orchestration.elt import StageError, replay_load
from orchestration.extract_load import replay_source
from orchestration.warehouse import with_database
from tests.conftest import SHARED, _admin, make_settings, needs_shared, query

SAMPLES = SHARED / "data" / "api_samples"
ITEMS = {"jsearch": ("data", "job_id"), "remotive": ("jobs", "id"), "arbeitnow": ("data", "slug"),
         "adzuna": ("results", "id")}


@pytest.fixture()
def database(server_url):
    name = f"elt_replay_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'create database "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'drop database if exists "{name}" with (force)')


def sample_items(source: str) -> list[dict]:
    key, _ = ITEMS[source]
    items: list[dict] = []
    for path in sorted((SAMPLES / source).glob("*.json")):
        items += json.loads(path.read_text())[key]
    return items


def distinct_ids(source: str) -> set[str]:
    _, id_field = ITEMS[source]
    return {str(item[id_field]) for item in sample_items(source)}


@needs_shared("data", "api_samples")
@pytest.mark.parametrize("source", ["jsearch", "remotive", "arbeitnow", "adzuna"])
def test_every_capture_replays_into_its_raw_table_once(source, database, tmp_path):
    settings = make_settings(tmp_path)
    expected = distinct_ids(source)
    assert expected, f"the {source} sample holds postings"

    first = replay_source(settings, database, source, SAMPLES / source)
    assert first.rows_by_table == {"job_postings": len(expected), "job_postings_rejected": 0}
    rows = query(database, f"select job_id, payload from raw_{source}.job_postings")
    assert {job_id for job_id, _ in rows} == expected
    _, id_field = ITEMS[source]
    assert all(str(payload[id_field]) == job_id for job_id, payload in rows)  # payload is the item untouched

    again = replay_source(settings, database, source, SAMPLES / source)
    assert again.rows_by_table.get("job_postings", 0) == 0
    assert query(database, f"select count(*) from raw_{source}.job_postings")[0][0] == len(expected)


@needs_shared("data", "api_samples")
def test_contract_columns_of_a_new_board(database, tmp_path):
    replay_source(make_settings(tmp_path), database, "adzuna", SAMPLES / "adzuna")
    columns = dict(query(database, """
        select column_name, data_type from information_schema.columns
        where table_schema = 'raw_adzuna' and table_name = 'job_postings'"""))
    assert {name: columns.get(name) for name in ("job_id", "posted_at", "posted_at_source", "search_query",
                                                  "search_country", "fetched_at", "payload")} == {
        "job_id": "character varying", "posted_at": "timestamp with time zone",
        "posted_at_source": "character varying", "search_query": "character varying",
        "search_country": "character varying", "fetched_at": "timestamp with time zone", "payload": "jsonb"}
    assert "_dlt_load_id" in columns and "_dlt_id" in columns
    assert query(database, "select count(distinct _dlt_id) = count(*) from raw_adzuna.job_postings")[0][0]
    # the country comes from the capture's name (search_us.json), the time from `created`
    assert query(database, "select distinct search_country, posted_at_source from raw_adzuna.job_postings") == [
        ("us", "created")]
    rejected = dict(query(database, """
        select column_name, data_type from information_schema.columns
        where table_schema = 'raw_adzuna' and table_name = 'job_postings_rejected'"""))
    assert {"rejected_at", "reason", "search_query", "raw_json", "_dlt_load_id"} <= set(rejected)


@needs_shared("data", "api_samples")
def test_a_folder_of_pages_in_every_accepted_form(database, tmp_path):
    """Bare `{"data": [...]}` pages without links, a full response and a JSON array, in name order:
    paging continues through every file, and a bad item lands in the rejected table."""
    items = sample_items("arbeitnow")
    folder = tmp_path / "capture"
    folder.mkdir()
    (folder / "page_1.json").write_text(json.dumps({"data": items[:40]}))
    (folder / "page_2.json").write_text(json.dumps({"data": items[40:70], "links": {"next": "https://x/?page=3"},
                                                    "meta": {"current_page": 2}}))
    broken = {k: v for k, v in items[70].items() if k != "slug"}
    (folder / "page_3.json").write_text(json.dumps([*items[71:], broken, "not a posting"]))
    report = replay_source(make_settings(tmp_path / "build"), database, "arbeitnow", folder)
    assert report.rows_by_table == {"job_postings": len(items) - 1, "job_postings_rejected": 2}
    reasons = sorted(r for (r,) in query(database, "select reason from raw_arbeitnow.job_postings_rejected"))
    assert reasons == ["item is not a JSON object but str", "missing slug"]
    raw = query(database, "select raw_json from raw_arbeitnow.job_postings_rejected where reason = 'missing slug'")
    assert json.loads(raw[0][0]) == broken


@needs_shared("data", "api_samples")
def test_changed_posting_in_a_later_capture_is_loaded_again(database, tmp_path):
    settings = make_settings(tmp_path / "build")
    items = sample_items("remotive")
    first = tmp_path / "day1.json"
    first.write_text(json.dumps({"jobs": items}))
    replay_source(settings, database, "remotive", first)
    changed = [dict(items[0], salary="$1 - $2"), *items[1:]]
    second = tmp_path / "day2.json"
    second.write_text(json.dumps(changed))
    report = replay_source(settings, database, "remotive", second)
    assert report.rows_by_table["job_postings"] == 1
    assert query(database, "select payload->>'salary' from raw_remotive.job_postings where job_id = %s",
                 (str(items[0]["id"]),)) == [("$1 - $2",)]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"jobs": "nope"}', r"not a remotive capture: expected a response object with a 'jobs' list"),
    ('"text"', "not a remotive capture"),
])
def test_a_bad_file_gets_an_error_naming_it_and_loads_nothing(content, message, database, tmp_path):
    folder = tmp_path / "capture"
    folder.mkdir()
    (folder / "a_good.json").write_text(json.dumps(sample_items("remotive")[:3]))
    (folder / "b_bad.json").write_text(content)
    settings = make_settings(tmp_path / "build")
    with pytest.raises(StageError, match=rf"el:remotive.*b_bad\.json: {message}"):
        replay_load(settings, database, "remotive", str(folder))
    assert query(database, "select to_regclass('raw_remotive.job_postings')")[0][0] is None


def test_missing_path_and_empty_folder_are_clear_errors(database, tmp_path):
    settings = make_settings(tmp_path / "build")
    with pytest.raises(ReplayError, match="no such file or folder"):
        replay_source(settings, database, "adzuna", tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReplayError, match="no .json files"):
        replay_source(settings, database, "adzuna", tmp_path / "empty")


@needs_shared("data", "api_samples")
def test_make_el_replay(database, tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "el", "SOURCE=arbeitnow", f"REPLAY={SAMPLES / 'arbeitnow'}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "WAREHOUSE_URL": database, "ELT_BUILD_DIR": str(tmp_path),
             "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    loaded = len(distinct_ids("arbeitnow"))
    assert f"extract-load arbeitnow: {loaded} rows loaded into raw_arbeitnow" in result.stdout
    assert query(database, "select count(*) from raw_arbeitnow.job_postings")[0][0] == loaded


def test_replay_needs_exactly_one_source(tmp_path):
    result = subprocess.run([str(Path(REPO_ROOT / ".venv/bin/python")), "-m", "orchestration", "el",
                             "--replay", str(SAMPLES / "adzuna")],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "ELT_BUILD_DIR": str(tmp_path),
                                 "WAREHOUSE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert "--replay needs exactly one --source" in result.stderr
