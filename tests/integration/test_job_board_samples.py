"""The real captured API responses in ../shared/data/api_samples go through the staging models of
every board, the unified contract and the marts without errors, and a hand-checked handful of
rows normalise to exactly what their JSON says (each expectation below was read off the sample
file, not the warehouse). A second build with no new loads changes nothing.

The samples are loaded through the dlt sources themselves (orchestration.extract_load.replay_source,
no network); a few constructed items (a reject, a posting without a title, a "Competitive" salary)
are replayed the same way."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from orchestration.dbt_runner import run_dbt
from orchestration.extract_load import replay_source
from tests.conftest import make_settings, needs_shared, query
from tests.integration import raw_contract

COLUMNS = ("publisher", "employer_name_normalized", "job_title_normalized", "city", "region", "country_code",
           "is_remote", "employment_type", "salary_min", "salary_max", "salary_currency", "salary_period",
           "salary_min_annual_usd", "salary_max_annual_usd", "salary_is_predicted", "posted_at", "language")
UTC = timezone.utc
HAND_CHECKED = {
    # "$18 - $22/hr", freelance, candidate location "USA"
    "remotive:2090903": ("remotive", "workada", "data labeling specialists", None, "USA", "US", True, "contract",
                         18, 22, "USD", "HOUR", 37440, 45760, False, datetime(2026, 7, 26, 20, 49, 11, tzinfo=UTC),
                         "en"),
    # "$31,2k- $52k", company name with a trailing space, "Worldwide"
    "remotive:1680495": ("remotive", "coalition technologies", "remote office assistant", None, "Worldwide", None,
                         True, "full_time", 31200, 52000, "USD", "YEAR", 31200, 52000, False,
                         datetime(2026, 7, 11, 20, 18, 11, tzinfo=UTC), "en"),
    # "OTE $25k - $35k", "Credit Wellness, LLC"
    "remotive:2086540": ("remotive", "credit wellness", "inside sales contractor", None, "Worldwide", None, True,
                         "full_time", 25000, 35000, "USD", "YEAR", 25000, 35000, False,
                         datetime(2026, 7, 8, 21, 48, 18, tzinfo=UTC), "en"),
    # German posting, Werkstudent*in in the title, "Retail.me GmbH", city only
    "arbeitnow:werkstudentin-software-produktentwicklung-luneburg-439213": (
        "arbeitnow", "retailme", "werkstudent in software produktentwicklung", "Lüneburg", None, "DE", False,
        "part_time", None, None, None, None, None, None, False, datetime(2026, 2, 11, 15, 33, 29, tzinfo=UTC), "de"),
    # location plain "Munich" (Germany by default), remote, job_types ["Full-time"]
    "arbeitnow:remote-technical-account-manager-dach-munich-256258": (
        "arbeitnow", "solaredge", "technical account manager dach", "Munich", None, "DE", True, "full_time",
        None, None, None, None, None, None, False, datetime(2026, 2, 11, 18, 42, 8, tzinfo=UTC), "en"),
    # area ["US", "Virginia", "Fairfax County", "Herndon"], predicted salary, contract_time full_time
    "adzuna:5341398916": ("adzuna", "maxar technologies", "elastic data solutions engineer ts sci", "Herndon",
                          "Virginia", "US", False, "full_time", Decimal("171182.19"), Decimal("171182.19"), "USD",
                          "YEAR", Decimal("171182.19"), Decimal("171182.19"), True,
                          datetime(2025, 8, 7, 1, 12, 29, tzinfo=UTC), "en"),
    # "Amazon Data Services, Inc.", no contract fields
    "adzuna:5394393770": ("adzuna", "amazon data services",
                          "data center structural engineer data center design engineering", "Pioneer Square",
                          "Washington", "US", False, "unknown", Decimal("147308.7"), Decimal("147308.7"), "USD",
                          "YEAR", Decimal("147308.70"), Decimal("147308.70"), True,
                          datetime(2025, 9, 11, 15, 12, 50, tzinfo=UTC), "en"),
    # JSearch: "S&P Global" on Indeed, "Full-time", no salary
    "jsearch:zUFheNUvDNlVh4FuAAAAAA==": ("Indeed", "s and p global", "sr data scientist nlp llm and genai",
                                         "Washington", "District of Columbia", "US", False, "full_time", None, None,
                                         None, None, None, None, False, datetime(2025, 5, 26, tzinfo=UTC), "en"),
}
REJECTED_ITEM = "garbage"
NO_TITLE = {"slug": "no-title-1", "company_name": "Acme GmbH", "title": " ", "description": "x", "remote": False,
            "url": "https://www.arbeitnow.com/jobs/no-title-1", "tags": [], "job_types": [], "location": "Berlin",
            "created_at": 1770835328}
pytestmark = needs_shared("data", "api_samples")


def competitive() -> dict:
    return {**raw_contract.sample_items("remotive")[0], "id": 99, "salary": "Competitive"}


@pytest.fixture(scope="module")
def samples(fresh_database, tmp_path_factory):
    url = fresh_database
    work = tmp_path_factory.mktemp("samples")
    settings = make_settings(work / "build")
    loaded = {}
    for board in raw_contract.BOARDS:
        replay_source(settings, url, board, raw_contract.SAMPLES / board)
        loaded[board] = raw_contract.sample_items(board)
    extras = {"remotive": [competitive(), REJECTED_ITEM], "arbeitnow": [NO_TITLE]}
    for board, items in extras.items():
        capture = work / f"{board}-extra.json"
        capture.write_text(json.dumps(items))  # a bare item list is served in the board's shape
        replay_source(settings, url, board, capture)
    target = work / "dbt-target"
    build = run_dbt(["build"], url, target_path=target, quiet=True)
    digest_sql = ("select count(*), coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') "
                  "from {} as t")
    relations = ("marts.fct_job_postings", "marts.fct_job_posting_sources", "marts.fct_job_posting_skills",
                 "marts.mart_duplicate_rate", "intermediate.int_job_postings__unified")
    before = {r: query(url, digest_sql.format(r))[0] for r in relations}
    rerun = run_dbt(["build"], url, target_path=target, quiet=True)
    after = {r: query(url, digest_sql.format(r))[0] for r in relations}
    return {"url": url, "loaded": loaded, "build": build, "rerun": rerun, "before": before, "after": after}


def test_build_on_real_samples_passes(samples):
    build = samples["build"]
    assert build.count("model", "error") == 0 and build.count("test", "fail") == 0, build.failures
    assert build.count("test", "error") == 0
    assert build.count("unit_test", "pass") >= 5


def test_every_sample_posting_is_staged(samples):
    url = samples["url"]
    for board, items in samples["loaded"].items():
        ids = {raw_contract.board_job_id(board, item) for item in items}
        extra = {"remotive": 1, "arbeitnow": 1}.get(board, 0)
        staged = query(url, f"select count(*) from staging.stg_{board}__job_postings")[0][0]
        assert staged == len(ids) + extra, board
        unified = {r[0] for r in query(url, "select board_job_id from intermediate.int_job_postings__unified "
                                            "where board = %s", (board,))}
        assert ids <= unified, board


@pytest.mark.parametrize("posting_id", sorted(HAND_CHECKED))
def test_hand_checked_rows_normalise_exactly(samples, posting_id):
    rows = query(samples["url"], f"select {', '.join(COLUMNS)} from intermediate.int_job_postings__unified "
                                 "where posting_id = %s", (posting_id,))
    assert rows, posting_id
    actual = dict(zip(COLUMNS, rows[0], strict=True))
    expected = dict(zip(COLUMNS, HAND_CHECKED[posting_id], strict=True))
    for column in ("salary_min", "salary_max", "salary_min_annual_usd", "salary_max_annual_usd"):
        actual[column] = None if actual[column] is None else Decimal(actual[column])
        expected[column] = None if expected[column] is None else Decimal(expected[column])
    assert actual == expected


def test_competitive_salary_is_no_salary_and_flagged(samples):
    row = query(samples["url"], "select salary_min, salary_max, salary_currency, quality_issues "
                                "from staging.stg_remotive__job_postings where job_id = '99'")[0]
    assert row == (None, None, None, ["unparsed_salary"])


def test_quarantine_lists_every_boards_rejects_and_hard_rule_failures(samples):
    rows = query(samples["url"], "select source_name, rule_name, record_id from marts.quarantined_records")
    assert ("remotive", "source_rejected", raw_contract.md5_of(json.dumps(REJECTED_ITEM))) in rows
    assert ("arbeitnow", "missing_title", "no-title-1") in rows
    kept_out = query(samples["url"], "select count(*) from marts.fct_job_postings "
                                     "where 'arbeitnow:no-title-1' = any(posting_ids)")[0][0]
    assert kept_out == 0


def test_every_clean_posting_belongs_to_exactly_one_job(samples):
    url = samples["url"]
    clean = query(url, "select count(*) from intermediate.int_job_postings__unified where not is_quarantined")[0][0]
    in_jobs, distinct = query(url, "select count(*), count(distinct p) from marts.fct_job_postings, "
                                   "unnest(posting_ids) as p")[0]
    assert in_jobs == distinct == clean
    bridge = query(url, "select count(*) from marts.fct_job_posting_sources")[0][0]
    assert bridge == clean


def test_skills_are_extracted_from_every_board(samples):
    boards = {r[0] for r in query(samples["url"], "select distinct split_part(job_id, ':', 1) "
                                                  "from intermediate.int_job_postings__skill_mentions")}
    assert boards == {"jsearch", "remotive", "arbeitnow", "adzuna"}


def test_rerun_without_new_loads_changes_nothing(samples):
    assert samples["after"] == samples["before"]
    assert samples["rerun"].count("model", "error") == 0
