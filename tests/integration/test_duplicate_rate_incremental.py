"""mart_duplicate_rate after incremental runs equals a `--full-refresh` of it, row for row, and an
incremental run recomputes only the postings whose answer may have moved (fct_job_posting_duplicates).

Constructed postings in the raw contract (tests/integration/raw_contract.py). A first build sees
same-board twins left in different jobs (one city missing), reposts of a one-board job and lone
postings. The second load brings: a new twin of a lone posting, a posting re-posted out of its
twin's window (that twin only found from what the table saw before), a posting turning
quarantined (no employer), another board's copy of the one-board job (its reposts become linked
without being twins of anything new) and a new job on two boards. Expected flags are written down
by hand from the constructed items."""

from __future__ import annotations

import pytest

from orchestration.dbt_runner import run_dbt
from tests.conftest import query
from tests.integration.test_cross_board_dedup import DAY, MAR_1, adzuna, jsearch, load_all

MODELS = ("fct_job_posting_duplicates", "mart_duplicate_rate")
FULL_REFRESH = ["build", "--select", *MODELS, "--full-refresh"]

FIRST_LOAD = {
    "jsearch": [
        # twins: same employer and title, one city missing -> two repost groups, two jobs
        jsearch("js-a1", "Data Analyst", "Umbrella Corp", "Austin", "US", MAR_1 + 1 * DAY),
        jsearch("js-a2", "Data Analyst", "Umbrella Corp", None, "US", MAR_1 + 2 * DAY),
        # alone until its twin arrives
        jsearch("js-b1", "Machine Learning Engineer", "Hooli", "Boston", "US", MAR_1 + 1 * DAY),
        # twins until js-c2 is reposted later
        jsearch("js-c1", "Backend Developer", "Vandelay Industries", "Denver", "US", MAR_1 + 1 * DAY),
        jsearch("js-c2", "Backend Developer", "Vandelay Industries", None, "US", MAR_1 + 2 * DAY),
        # twins until js-d2 loses its employer (quarantined)
        jsearch("js-d1", "QA Engineer", "Soylent", "Chicago", "US", MAR_1 + 1 * DAY),
        jsearch("js-d2", "QA Engineer", "Soylent", None, "US", MAR_1 + 2 * DAY),
        # one job, reposted 10 days apart (one repost group): linked once Adzuna has it
        jsearch("js-e1", "Site Reliability Engineer", "Wayne Enterprises", "Seattle", "US", MAR_1 + 1 * DAY),
        jsearch("js-e2", "Site Reliability Engineer", "Wayne Enterprises", "Seattle", "US", MAR_1 + 11 * DAY),
    ],
    "adzuna": [adzuna("8001", "Payroll Specialist", "Initrode", ["US", "Texas", "Dallas"], "2026-03-02T09:00:00Z")],
}
SECOND_LOAD = {
    "jsearch": [
        jsearch("js-b2", "Machine Learning Engineer", "Hooli", None, "US", MAR_1 + 2 * DAY),
        # reposted 20 days later: out of js-c1's window, in the same repost group
        jsearch("js-c2", "Backend Developer", "Vandelay Industries", None, "US", MAR_1 + 22 * DAY),
        jsearch("js-d2", "QA Engineer", "", None, "US", MAR_1 + 2 * DAY),
        jsearch("js-f1", "Platform Engineer", "Initech", "Austin", "US", MAR_1 + 5 * DAY),
    ],
    "adzuna": [
        adzuna("8002", "Site Reliability Engineer", "Wayne Enterprises Inc", ["US", "Washington", "Seattle"],
               "2026-03-02T12:00:00Z"),
        adzuna("8003", "Platform Engineer", "Initech LLC", ["US", "Texas", "Austin"], "2026-03-06T09:00:00Z"),
    ],
}
# posting -> (is_linked, is_unexplained), clean postings only
EXPECTED_FIRST = {
    "jsearch:js-a1": (False, True), "jsearch:js-a2": (False, True), "jsearch:js-b1": (False, False),
    "jsearch:js-c1": (False, True), "jsearch:js-c2": (False, True), "jsearch:js-d1": (False, True),
    "jsearch:js-d2": (False, True), "jsearch:js-e1": (False, False), "jsearch:js-e2": (False, False),
    "adzuna:8001": (False, False),
}
EXPECTED_SECOND = {
    **EXPECTED_FIRST,
    "jsearch:js-b1": (False, True), "jsearch:js-b2": (False, True),
    "jsearch:js-c1": (False, False), "jsearch:js-c2": (False, False), "jsearch:js-d1": (False, False),
    "jsearch:js-e1": (True, False), "jsearch:js-e2": (True, False), "adzuna:8002": (True, False),
    "jsearch:js-f1": (True, False), "adzuna:8003": (True, False),
}
del EXPECTED_SECOND["jsearch:js-d2"]  # quarantined
# what the second build may recompute: the new and changed postings, their twins now and before,
# the postings of the jobs that gained a board
RECOMPUTED_SECOND = {"jsearch:js-b1", "jsearch:js-b2", "jsearch:js-c1", "jsearch:js-c2", "jsearch:js-d1",
                     "jsearch:js-d2", "jsearch:js-e1", "jsearch:js-e2", "adzuna:8002", "jsearch:js-f1",
                     "adzuna:8003"}


def build(url: str, target, args: list[str] | None = None) -> None:
    report = run_dbt(args or ["build"], url, target_path=target, quiet=True)
    assert report.count("model", "error") == 0, report.failures
    assert report.count("test", "fail") == 0 and report.count("test", "error") == 0, report.failures


def flags(url: str) -> dict[str, tuple[bool, bool]]:
    return {posting: (linked, unexplained) for posting, linked, unexplained in query(
        url, "select posting_id, is_linked, is_unexplained from marts.fct_job_posting_duplicates "
             "where not is_quarantined")}


def checked_after(url: str, since) -> set[str]:
    return {posting for (posting,) in query(
        url, "select posting_id from marts.fct_job_posting_duplicates where checked_at > %s", (since,))}


def newest_check(url: str):
    return query(url, "select max(checked_at) from marts.fct_job_posting_duplicates")[0][0]


def contents(url: str) -> dict[str, list[str]]:
    """Both models' rows as text, sorted (without the per-posting run marker)."""
    return {
        "mart_duplicate_rate": sorted(t for (t,) in query(url, "select d::text from marts.mart_duplicate_rate as d")),
        "fct_job_posting_duplicates": sorted(t for (t,) in query(url, """
            select row(posting_id, board, board_job_id, posted_at, employer_name_normalized, job_title_normalized,
                is_quarantined, canonical_key, is_linked, is_unexplained, unified_at)::text
            from marts.fct_job_posting_duplicates""")),
    }


def expected_mart(expected: dict[str, tuple[bool, bool]]) -> dict[str, tuple[int, int, int]]:
    by_board: dict[str, tuple[int, int, int]] = {}
    for posting, (linked, unexplained) in expected.items():
        board = posting.split(":")[0]
        postings, linked_count, unexplained_count = by_board.get(board, (0, 0, 0))
        by_board[board] = (postings + 1, linked_count + linked, unexplained_count + unexplained)
    by_board["all"] = tuple(map(sum, zip(*by_board.values(), strict=True)))
    return by_board


def mart(url: str) -> dict[str, tuple[int, int, int]]:
    return {board: (postings, linked, unexplained) for board, postings, linked, unexplained in query(
        url, "select board, postings, linked_postings, unexplained_duplicates from marts.mart_duplicate_rate")}


@pytest.fixture(scope="module")
def runs(fresh_database, tmp_path_factory):
    """Every step, in order, in the fixture (the tests only read what it recorded): first build,
    rerun with nothing new, the second load's build, then a full refresh of both models."""
    url, target = fresh_database, tmp_path_factory.mktemp("dbt-target")
    load_all(url, FIRST_LOAD, "1772900000.1")
    build(url, target)
    state = {"url": url, "flags_first": flags(url), "mart_first": mart(url), "before_rerun": contents(url)}
    since = newest_check(url)
    build(url, target)
    state.update(rerun_checked=checked_after(url, since), after_rerun=contents(url))
    since = newest_check(url)
    load_all(url, SECOND_LOAD, "1772900000.2")
    build(url, target)
    state.update(flags_second=flags(url), mart_second=mart(url), second_checked=checked_after(url, since),
                 incremental=contents(url), quarantined=query(
                     url, "select posting_id from marts.fct_job_posting_duplicates where is_quarantined"))
    build(url, target, FULL_REFRESH)
    state["full_refresh"] = contents(url)
    return state


def test_first_build_flags_twins_and_links(runs):
    assert runs["flags_first"] == EXPECTED_FIRST
    assert runs["mart_first"] == expected_mart(EXPECTED_FIRST)


def test_a_rerun_with_nothing_new_recomputes_no_posting(runs):
    assert runs["rerun_checked"] == set()
    assert runs["after_rerun"] == runs["before_rerun"]


def test_new_and_changed_postings_recompute_only_their_twins_and_jobs(runs):
    assert runs["flags_second"] == EXPECTED_SECOND
    assert runs["quarantined"] == [("jsearch:js-d2",)]
    assert runs["mart_second"] == expected_mart(EXPECTED_SECOND)
    assert runs["second_checked"] == RECOMPUTED_SECOND


def test_the_incremental_mart_equals_a_full_refresh_row_for_row(runs):
    assert len(runs["incremental"]["fct_job_posting_duplicates"]) == len(EXPECTED_SECOND) + 1
    assert runs["full_refresh"] == runs["incremental"]
