"""Cross-board dedup on constructed postings in the raw contract: the same job on three boards
(different company spellings, a gender tag, one city missing) becomes one canonical job with all
its sources; near-misses stay apart (same title at another company, same company with another
title, the same job posted 20 days later); a later load joins the existing job without re-keying
it; a rerun with no new loads changes nothing.

Expected links are written down by hand from the constructed items, never read from the warehouse.
"""

from __future__ import annotations

import itertools

import pytest

from orchestration.dbt_runner import run_dbt
from tests.conftest import query
from tests.integration import raw_contract

DESCRIPTION = "We build data pipelines with Python and SQL for our customers and you will own them."


def jsearch(job_id, title, employer, city, country, posted, remote=False):
    return {"job_id": job_id, "job_title": title, "employer_name": employer, "job_publisher": "LinkedIn",
            "job_employment_type": "Full-time", "job_is_remote": remote, "job_city": city, "job_country": country,
            "job_description": DESCRIPTION, "job_apply_link": f"https://example.com/{job_id}",
            "job_posted_at_timestamp": posted}


def remotive(job_id, title, company, location, posted, salary=""):
    return {"id": job_id, "url": f"https://remotive.com/remote-jobs/{job_id}", "title": title,
            "company_name": company, "category": "Data", "job_type": "full_time", "publication_date": posted,
            "candidate_required_location": location, "salary": salary, "description": f"<p>{DESCRIPTION}</p>"}


def arbeitnow(slug, title, company, location, created, remote=False):
    return {"slug": slug, "company_name": company, "title": title, "description": f"<p>{DESCRIPTION}</p>",
            "remote": remote, "url": f"https://www.arbeitnow.com/jobs/{slug}", "tags": [], "job_types": [],
            "location": location, "created_at": created}


def adzuna(job_id, title, company, area, created):
    return {"id": job_id, "title": title, "company": {"display_name": company}, "description": DESCRIPTION,
            "created": created, "location": {"display_name": area[-1], "area": area},
            "redirect_url": f"https://www.adzuna.com/land/ad/{job_id}", "salary_min": 120000,
            "salary_max": 150000, "salary_is_predicted": "0", "contract_time": "full_time"}


MAR_1 = 1772323200  # 2026-03-01T00:00:00Z
DAY = 86400
FIRST_LOAD = {
    # the same job on three boards: "Acme, Inc." = "ACME Inc" = "The Acme Company", all remote in the US
    "jsearch": [jsearch("js-acme", "Senior Data Engineer", "The Acme Company", "San Francisco", "US",
                        MAR_1 + 10 * 3600, remote=True),
                # the same job in Berlin, German spelling of the company
                jsearch("js-beispiel", "Data Engineer", "Beispiel", "Berlin", "DE", MAR_1 + 3 * DAY)],
    "remotive": [remotive(9001, "Senior Data Engineer", "Acme, Inc.", "USA", "2026-03-02T10:00:00",
                          "$120k-$150k a year"),
                 # near-miss: same company, another title, same days
                 remotive(9002, "Office Manager", "Acme, Inc.", "USA", "2026-03-02T11:00:00")],
    "adzuna": [adzuna("7001", "Senior Data Engineer (Remote)", "ACME Inc", ["US", "California", "San Francisco"],
                      "2026-03-03T09:00:00Z"),
               # near-miss: same title, another company
               adzuna("7002", "Senior Data Engineer (Remote)", "Globex Corporation",
                      ["US", "California", "San Francisco"], "2026-03-02T09:00:00Z"),
               ],
    "arbeitnow": [arbeitnow("data-engineer-berlin-1", "Data Engineer (m/w/d)", "Beispiel GmbH", "Berlin",
                            MAR_1 + 4 * DAY),
                  # near-miss: the same job on another board 20 days later (on one board, the same
                  # employer, title and place is a repost of the same job whatever the gap)
                  arbeitnow("senior-data-engineer-sf-3", "Senior Data Engineer", "Acme Inc",
                            "San Francisco, California, USA", MAR_1 + 21 * DAY, remote=True)],
}
SECOND_LOAD = {
    # a late copy of the Acme job joins the existing job; a new job on two boards in one load
    "adzuna": [adzuna("7004", "Senior Data Engineer", "Acme Inc.", ["US", "New York"], "2026-03-04T09:00:00Z")],
    "remotive": [remotive(9003, "Platform Engineer", "Initech LLC", "Germany", "2026-03-10T08:00:00")],
    "arbeitnow": [arbeitnow("platform-engineer-berlin-2", "Platform Engineer (m/w/d)", "Initech GmbH", "Berlin",
                            MAR_1 + 9 * DAY, remote=True)],
}
EXPECTED_JOBS_FIRST = [
    {"jsearch:js-acme", "remotive:9001", "adzuna:7001"},
    {"jsearch:js-beispiel", "arbeitnow:data-engineer-berlin-1"},
    {"remotive:9002"}, {"adzuna:7002"}, {"arbeitnow:senior-data-engineer-sf-3"},
]
EXPECTED_JOBS_SECOND = [
    {"jsearch:js-acme", "remotive:9001", "adzuna:7001", "adzuna:7004"},
    {"jsearch:js-beispiel", "arbeitnow:data-engineer-berlin-1"},
    {"remotive:9002"}, {"adzuna:7002"}, {"arbeitnow:senior-data-engineer-sf-3"},
    {"remotive:9003", "arbeitnow:platform-engineer-berlin-2"},
]


def linked_pairs(jobs: list[set[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for job in jobs for pair in itertools.combinations(sorted(job), 2)}


def jobs_in_warehouse(url: str) -> list[set[str]]:
    return [set(ids) for (ids,) in query(url, "select posting_ids from marts.fct_job_postings")]


def digest(url: str, relation: str) -> tuple[int, str]:
    return query(url, f"select count(*), coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') "
                      f"from {relation} as t")[0]


RELATIONS = ("marts.fct_job_postings", "marts.fct_job_posting_sources", "marts.mart_duplicate_rate",
             "intermediate.int_job_postings__canonical_groups", "marts.fct_job_posting_skills")


def load_all(url: str, items_by_board: dict[str, list[dict]], load_id: str) -> None:
    for board, items in items_by_board.items():
        raw_contract.load(url, board, items, load_id, search_country="us" if board == "adzuna" else None)


@pytest.fixture(scope="module")
def dedup(fresh_database, tmp_path_factory):
    url = fresh_database
    target = tmp_path_factory.mktemp("dbt-target")
    load_all(url, FIRST_LOAD, "1772900000.1")
    first = run_dbt(["build"], url, target_path=target, quiet=True)
    state = {"url": url, "first": first, "jobs_first": jobs_in_warehouse(url),
             "acme_key_first": query(url, "select posting_key from marts.fct_job_postings "
                                          "where 'remotive:9001' = any(posting_ids)")[0][0]}
    load_all(url, SECOND_LOAD, "1772900000.2")
    state["second"] = run_dbt(["build"], url, target_path=target, quiet=True)
    state["jobs_second"] = jobs_in_warehouse(url)
    state["before_rerun"] = {r: digest(url, r) for r in RELATIONS}
    state["rerun"] = run_dbt(["build"], url, target_path=target, quiet=True)
    state["after_rerun"] = {r: digest(url, r) for r in RELATIONS}
    return state


def test_builds_pass_their_tests(dedup):
    for run in ("first", "second", "rerun"):
        report = dedup[run]
        assert report.count("test", "fail") == 0 and report.count("test", "error") == 0, report.failures
        assert report.count("model", "error") == 0


def test_same_job_on_three_boards_is_one_job_and_near_misses_stay_apart(dedup):
    found = linked_pairs(dedup["jobs_first"])
    expected = linked_pairs(EXPECTED_JOBS_FIRST)
    assert found - expected == set(), "false links (precision)"
    assert expected - found == set(), "missed links (recall)"
    assert sorted(map(sorted, dedup["jobs_first"])) == sorted(map(sorted, EXPECTED_JOBS_FIRST))


def test_later_load_joins_the_existing_job_without_rekeying_it(dedup):
    assert sorted(map(sorted, dedup["jobs_second"])) == sorted(map(sorted, EXPECTED_JOBS_SECOND))
    url = dedup["url"]
    key, boards, count, canonical = query(
        url, "select posting_key, source_boards, source_count, canonical_posting_id from marts.fct_job_postings "
             "where 'adzuna:7004' = any(posting_ids)")[0]
    assert key == dedup["acme_key_first"]
    assert (boards, count) == (["adzuna", "jsearch", "remotive"], 3)
    assert canonical == "jsearch:js-acme"  # the earliest posting (2026-03-01 10:00)


def test_bridge_lists_every_source_with_its_score(dedup):
    url = dedup["url"]
    rows = query(url, """
        select s.posting_id, s.board, s.board_job_id, s.publisher, s.is_canonical, s.match_score, s.apply_url
        from marts.fct_job_posting_sources as s join marts.fct_job_postings as f using (posting_key)
        where f.canonical_posting_id = 'jsearch:js-acme' order by s.posting_id""")
    assert [r[0] for r in rows] == ["adzuna:7001", "adzuna:7004", "jsearch:js-acme", "remotive:9001"]
    by_id = {r[0]: r for r in rows}
    assert by_id["jsearch:js-acme"][3:5] == ("LinkedIn", True)
    assert by_id["remotive:9001"][3] == "remotive" and by_id["adzuna:7001"][2] == "7001"
    assert float(by_id["jsearch:js-acme"][5]) == 1.0
    assert float(by_id["remotive:9001"][5]) == 1.0  # identical normalised titles
    assert 0.6 <= float(by_id["adzuna:7001"][5]) < 1.0  # "senior data engineer remote"
    assert by_id["adzuna:7001"][6] == "https://www.adzuna.com/land/ad/7001"
    total = query(url, "select count(*) from marts.fct_job_posting_sources")[0][0]
    assert total == sum(len(job) for job in EXPECTED_JOBS_SECOND)


def test_duplicate_rate_counts_postings_linked_across_boards(dedup):
    expected = {}
    for job in EXPECTED_JOBS_SECOND:
        boards = {posting.split(":")[0] for posting in job}
        for posting in job:
            board = posting.split(":")[0]
            postings, linked = expected.get(board, (0, 0))
            expected[board] = (postings + 1, linked + (len(boards) > 1))
    expected["all"] = tuple(map(sum, zip(*expected.values(), strict=True)))
    rows = {r[0]: r[1:] for r in query(dedup["url"], "select board, postings, linked_postings, duplicate_rate, "
                                                    "unexplained_duplicates from marts.mart_duplicate_rate")}
    assert {board: (p, linked) for board, (p, linked, *_rest) in rows.items()} == expected
    postings, linked, rate, unexplained = rows["all"]
    assert float(rate) == round(linked / postings, 4) and unexplained == 0


def test_rerun_without_new_loads_changes_nothing(dedup):
    assert dedup["after_rerun"] == dedup["before_rerun"]
    assert dedup["after_rerun"]["marts.fct_job_postings"][0] == len(EXPECTED_JOBS_SECOND)
