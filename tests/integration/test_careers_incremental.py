"""The incremental careers marts (fct_profile_job_matches, mart_profile_recommendations,
mart_profile_skill_gaps) on a scratch warehouse loaded from the GitHub and JSearch sandboxes: a
rerun with nothing new rewrites no row; one profile whose skills change gets only its own rows
rewritten; new jobs rewrite exactly the pairs of the jobs whose details, skills or demand weights
changed; jobs ageing out of the window leave the matches. After every step the three marts equal a
`--full-refresh` of them, row for row (what is recomputed when: _careers__docs.md,
careers_incremental). The tests share the warehouse and run in order."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from orchestration import elt
from orchestration.dbt_runner import run_dbt
from tests.conftest import make_settings, query

AS_OF = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
CAREERS = ["build", "--indirect-selection", "cautious", "--select", "+path:models/marts/careers",
           "--exclude", "stg_dlt__loads+"]
# marts -> (key, the run marker its rewritten rows carry)
MARTS = {"fct_profile_job_matches": ("match_key", "matched_at"),
         "mart_profile_recommendations": ("recommendation_key", "recommended_at"),
         "mart_profile_skill_gaps": ("gap_key", "computed_at")}
FULL_REFRESH = ["build", "--select", *MARTS, "--full-refresh"]
CHANGED_LOGIN = "ada-data"
STATE: dict[str, object] = {}  # the module warehouse's build folder: later loads share its dlt state
TIMINGS: dict[str, dict[str, float]] = {}


def build(url: str, target: Path, as_of: datetime, args: list[str] = CAREERS, label: str | None = None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELT_AS_OF", as_of.isoformat())  # the careers marts' "now" (macro careers_as_of)
        report = run_dbt(args, url, target_path=target, quiet=True)
    assert report.count("model", "error") == 0, report.failures
    assert sum(report.count(kind, status) for kind in ("test", "unit_test") for status in ("fail", "error")) == 0
    if label:  # the marts' own execution times, from dbt's run_results.json
        results = json.loads((target / "run_results.json").read_text())["results"]
        TIMINGS[label] = {r["unique_id"].rsplit(".", 1)[-1]: round(r["execution_time"], 2)
                          for r in results if r["unique_id"].rsplit(".", 1)[-1] in MARTS}
        print(f"{label}: {TIMINGS[label]}")


def markers(url: str) -> dict[str, datetime | None]:
    return {mart: query(url, f"select max({marker}) from marts.{mart}")[0][0] for mart, (_, marker) in MARTS.items()}


def rewritten(url: str, since: dict[str, datetime | None]) -> dict[str, set[str]]:
    """Per mart, the keys of the rows written after `since` (that mart's newest marker before a build)."""
    return {mart: {key for (key,) in query(url, f"select {column} from marts.{mart} where {marker} > %s",
                                           (since[mart],))}
            for mart, (column, marker) in MARTS.items()}


def contents(url: str) -> dict[str, list[str]]:
    """Every row of the three marts, every column but the run markers, as text, sorted."""
    found = {}
    for mart, (_, marker) in MARTS.items():
        columns = [name for (name,) in query(
            url, "select column_name from information_schema.columns where table_schema = 'marts' "
                 "and table_name = %s and column_name <> %s order by ordinal_position", (mart, marker))]
        found[mart] = sorted(text for (text,) in query(
            url, f"select row({', '.join(columns)})::text from marts.{mart}"))
    return found


def assert_equal_to_a_full_refresh(url: str, target: Path, as_of: datetime, label: str) -> None:
    incremental = contents(url)
    assert incremental["fct_profile_job_matches"] and incremental["mart_profile_recommendations"]
    build(url, target, as_of, FULL_REFRESH, label=f"{label}: full refresh")
    rebuilt = contents(url)
    for mart in MARTS:
        assert incremental[mart] == rebuilt[mart], mart


def job_state(url: str) -> dict[str, str]:
    """Job -> text of everything its matches are computed from (int_careers__recent_job_skills)."""
    return dict(query(url, """
        select posting_key, string_agg(row(skill_id, demand_weight, job_title, employer_name, country_code,
            is_remote, salary_min_annual_usd, salary_max_annual_usd, apply_url, last_posted_at)::text,
            ',' order by skill_id)
        from intermediate.int_careers__recent_job_skills group by posting_key"""))


def job_skills(url: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for job, skill in query(url, "select posting_key, skill_id from intermediate.int_careers__recent_job_skills"):
        found[job].add(skill)
    return found


@pytest.fixture(scope="module")
def warehouse(fresh_database, tmp_path_factory):
    root = tmp_path_factory.mktemp("careers_incremental")
    STATE["dir"] = root / "build"
    settings = make_settings(root / "build", ELT_AS_OF=AS_OF.isoformat(), JSEARCH_QUERIES="data engineer",
                             JSEARCH_NUM_PAGES="5")
    loads = elt.extract_load(settings, fresh_database, ("github", "jsearch"))
    assert all(load.rows > 0 for load in loads)
    build(fresh_database, root / "target", AS_OF, label="first build")
    return fresh_database


def test_a_rerun_with_nothing_new_rewrites_no_row(warehouse, tmp_path):
    before, contents_before = markers(warehouse), contents(warehouse)
    build(warehouse, tmp_path / "target", AS_OF, label="rerun, nothing new")
    assert rewritten(warehouse, before) == {mart: set() for mart in MARTS}
    assert contents(warehouse) == contents_before


def change_one_profile(url: str) -> str:
    """A new complete GitHub load in which one repo of CHANGED_LOGIN gains a topic naming a skill it
    lacks and recent jobs ask for: that profile's skills change, no other's."""
    have = {skill for (skill,) in query(url, "select skill_id from marts.fct_profile_skills where login = %s",
                                        (CHANGED_LOGIN,))}
    asked = {skill for (skill,) in query(url, "select skill_id from intermediate.int_careers__recent_job_skills")}
    topic = next(t for t in ("kubernetes", "aws", "terraform", "java", "react", "docker") if t in asked - have)
    columns = [name for (name,) in query(
        url, "select column_name from information_schema.columns where table_schema = 'raw_github' "
             "and table_name = 'repos' order by ordinal_position")]
    changed = {"topics": "repos.topics || to_jsonb(%(topic)s::text)", "_dlt_load_id": "%(load_id)s",
               "_dlt_id": "md5(random()::text)",
               "fetched_at": "(select max(f.fetched_at) from raw_github.repos as f) + interval '1 hour'"}
    load_id = "9999999999.000001"
    with_rows = query(url, f"""
        with inserted_load as (
            insert into raw_github._dlt_loads (load_id, schema_name, status, inserted_at, schema_version_hash)
            select %(load_id)s, schema_name, 0, now(), schema_version_hash
            from raw_github._dlt_loads order by inserted_at desc limit 1
            returning load_id
        )
        insert into raw_github.repos ({', '.join(columns)})
        select {', '.join(changed.get(c, f'repos.{c}') for c in columns)}
        from raw_github.repos
        where lower(repos.owner_login) = %(login)s and not coalesce(repos.is_fork, false)
            and (select count(*) from inserted_load) = 1
        order by repos.repo_id, repos.fetched_at desc
        limit 1
        returning repos.repo_id""", {"topic": topic, "load_id": load_id,
                                           "login": CHANGED_LOGIN})
    assert len(with_rows) == 1
    return topic


def test_a_changed_profile_rewrites_only_its_own_rows(warehouse, tmp_path):
    topic = change_one_profile(warehouse)
    before = markers(warehouse)
    matches_before = {key for (key,) in query(warehouse, "select match_key from marts.fct_profile_job_matches")}
    build(warehouse, tmp_path / "target", AS_OF, label="one profile changed")
    assert query(warehouse, "select count(*) from marts.fct_profile_skills where login = %s and skill_id = %s",
                 (CHANGED_LOGIN, topic)) == [(1,)]
    touched = rewritten(warehouse, before)
    assert touched["fct_profile_job_matches"], "the new skill matches recent jobs"
    for mart, keys in touched.items():
        assert {key.split("|")[0] for key in keys} <= {CHANGED_LOGIN}, mart
    # every one of its matches was recomputed, and no other profile's match came or went
    matches_after = {key for (key,) in query(warehouse, "select match_key from marts.fct_profile_job_matches")}
    assert touched["fct_profile_job_matches"] == {k for k in matches_after if k.startswith(f"{CHANGED_LOGIN}|")}
    assert {k for k in matches_after ^ matches_before if not k.startswith(f"{CHANGED_LOGIN}|")} == set()
    assert touched["mart_profile_recommendations"], "its top jobs were ranked again"
    print("one profile changed: rows rewritten " + ", ".join(
        f"{mart} {len(keys)} of {query(warehouse, f'select count(*) from marts.{mart}')[0][0]}"
        for mart, keys in touched.items()))
    assert_equal_to_a_full_refresh(warehouse, tmp_path / "target", AS_OF, "one profile changed")


def test_new_jobs_rewrite_exactly_the_pairs_of_the_jobs_they_change(warehouse, tmp_path):
    later = AS_OF + timedelta(days=1)
    jobs_before, skills_before = job_state(warehouse), job_skills(warehouse)
    matches_before = {key for (key,) in query(warehouse, "select match_key from marts.fct_profile_job_matches")}
    settings = make_settings(STATE["dir"], ELT_AS_OF=later.isoformat(), JSEARCH_QUERIES="data engineer",
                             JSEARCH_NUM_PAGES="5")
    [load] = elt.extract_load(settings, warehouse, ("jsearch",))
    assert load.rows > 0
    before = markers(warehouse)
    build(warehouse, tmp_path / "target", later, label="new jobs")
    jobs_after = job_state(warehouse)
    new = set(jobs_after) - set(jobs_before)
    changed = {job for job, state in jobs_after.items() if jobs_before.get(job) != state}
    gone = set(jobs_before) - set(jobs_after)
    assert new, "the sandbox published postings in the day"
    touched = rewritten(warehouse, before)
    matches_after = {key for (key,) in query(warehouse, "select match_key from marts.fct_profile_job_matches")}
    # exactly the pairs of new or changed jobs are written, the pairs of jobs that left are deleted,
    # every other pair is kept as it was
    assert touched["fct_profile_job_matches"] == {k for k in matches_after if k.split("|", 1)[1] in changed}
    assert {k for k in matches_before - matches_after} == {k for k in matches_before if k.split("|", 1)[1] in gone}
    assert {k.split("|", 1)[1] for k in matches_after} & gone == set()
    # what a score from job counts instead of shares would still recompute: the jobs sharing a skill
    # with a job that came or went (their skills' counts moved)
    skills = job_skills(warehouse)
    moved_skills = {s for job in new for s in skills[job]} | {s for job in gone for s in skills_before[job]}
    sharing = {job for job, found in skills.items() if found & moved_skills}
    print(f"new jobs: {len(new)} new, {len(changed)} new or changed of {len(jobs_after)} recent jobs, "
          f"{len(gone)} gone; {len(touched['fct_profile_job_matches'])} of {len(matches_after)} matches rewritten; "
          f"{len(sharing)} recent jobs share a skill with a job that came or went")
    assert_equal_to_a_full_refresh(warehouse, tmp_path / "target", later, "new jobs")


def test_jobs_ageing_out_of_the_window_leave_the_matches(warehouse, tmp_path):
    """No new load: the window (30 days before ELT_AS_OF) moves on 20 days and drops older jobs."""
    moved = AS_OF + timedelta(days=20)
    window_start = moved - timedelta(days=30)
    posted = dict(query(warehouse, "select posting_key, max(last_posted_at) from marts.fct_profile_job_matches "
                                   "group by posting_key"))
    leaving = {job for job, at in posted.items() if at < window_start}
    assert leaving and set(posted) - leaving, "some matched jobs age out, some stay"
    build(warehouse, tmp_path / "target", moved, label="window moved on")
    left = {job for (job,) in query(warehouse, "select distinct posting_key from marts.fct_profile_job_matches")}
    assert left & leaving == set()
    assert query(warehouse, "select count(*) from marts.fct_profile_job_matches where last_posted_at < %s",
                 (window_start,)) == [(0,)]
    assert query(warehouse, "select count(*) from marts.mart_profile_recommendations where last_posted_at < %s",
                 (window_start,)) == [(0,)]
    assert_equal_to_a_full_refresh(warehouse, tmp_path / "target", moved, "window moved on")
    by_label = defaultdict(dict, TIMINGS)
    print("execution seconds per step:", json.dumps(by_label, indent=1))


def test_a_table_built_before_the_marts_were_incremental_is_replaced_by_the_first_increment(warehouse, tmp_path):
    """A warehouse whose marts are tables without the fingerprints and markers (built by the project
    before they were incremental): the next build, incremental, recomputes every profile and deletes
    every row it no longer computes, even with the window moved on."""
    state = {"fct_profile_job_matches": ("profile_fingerprint", "job_fingerprint", "matched_at"),
             "mart_profile_recommendations": ("recommended_at",),
             "mart_profile_skill_gaps": ("inputs_fingerprint", "computed_at")}
    for mart, columns in state.items():
        query(warehouse, f"alter table marts.{mart} " + ", ".join(f"drop column {c}" for c in columns))
    moved = AS_OF + timedelta(days=25)
    build(warehouse, tmp_path / "target", moved, label="first increment on an old table")
    assert query(warehouse, "select count(*) from marts.fct_profile_job_matches where last_posted_at < %s",
                 (moved - timedelta(days=30),)) == [(0,)]
    assert_equal_to_a_full_refresh(warehouse, tmp_path / "target", moved, "first increment on an old table")
