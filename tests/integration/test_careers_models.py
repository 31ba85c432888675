"""The careers marts on a scratch warehouse loaded from the GitHub and JSearch sandboxes, built by
dbt: each profile's skills are its own repos' bytes and topics read through the skill taxonomy;
every match score and every profile's top jobs equal a recomputation in Python from the job-market
facts (the formula of _careers__docs.md); skill gaps are skills the profile lacks, asked for by its
nearest roles, most-demanded first."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from dlt_pipelines.github import sandbox as fake
from orchestration import elt
from orchestration.dbt_runner import run_dbt
from tests.conftest import make_settings, query

AS_OF = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
CAREERS = ["build", "--indirect-selection", "cautious", "--select", "+path:models/marts/careers",
           "--exclude", "stg_dlt__loads+"]
TOP_JOBS = 10
BUILD: dict[str, object] = {}  # the module warehouse's build folder: later loads share its dlt state


@pytest.fixture(scope="module")
def warehouse(fresh_database, tmp_path_factory):
    build = tmp_path_factory.mktemp("careers")
    BUILD["dir"] = build / "build"
    settings = make_settings(build / "build", ELT_AS_OF=AS_OF.isoformat(), JSEARCH_QUERIES="data engineer",
                             JSEARCH_NUM_PAGES="5")
    loads = elt.extract_load(settings, fresh_database, ("github", "jsearch"))
    assert all(load.rows > 0 for load in loads)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELT_AS_OF", AS_OF.isoformat())  # the careers marts' "now" (macro careers_as_of)
        report = run_dbt(CAREERS, fresh_database, target_path=build / "target", quiet=True)
    assert report.count("model", "error") == 0, report.failures
    assert sum(report.count(kind, status) for kind in ("test", "unit_test") for status in ("fail", "error")) == 0
    assert report.count("unit_test", "pass") >= 2
    return fresh_database


def test_profile_skills_are_the_bytes_and_topics_of_own_repos(warehouse):
    seed = 42  # SANDBOX_SEED's default: the sandbox started for the run
    at = int(AS_OF.timestamp())
    own = [r for r in fake.repos_of(seed, "chen-ml") if not r.is_fork]
    total = sum(sum(r.languages(seed, at).values()) for r in own)
    python = sum(r.languages(seed, at).get("Python", 0) for r in own)
    rows = {skill: (share, repos, topics) for skill, share, repos, topics in query(
        warehouse, "select skill_id, language_byte_share, language_repo_count, topic_hits "
                   "from marts.fct_profile_skills where login = 'chen-ml'")}
    assert rows["python"][0] == pytest.approx(python / total)
    assert rows["python"][1] == sum(1 for r in own if "Python" in r.languages(seed, at))
    # topics are slugs read through the aliases: machine-learning -> machine_learning
    with_topic = sum(1 for r in own if "machine-learning" in fake.repo_item(seed, r, at, "")["topics"])
    assert rows["machine_learning"] == (0, 0, with_topic)
    assert query(warehouse, "select count(*) from marts.fct_profile_skills where login = 'hana-new'") == [(0,)]


def expected_matches(url: str) -> dict[tuple[str, str], tuple[float, float, str]]:
    """(login, job) -> (score, matched weight, last posted), recomputed from the job-market facts."""
    window = AS_OF - timedelta(days=30)
    jobs = dict(query(url, "select posting_key, last_posted_at from marts.fct_job_postings "
                           "where last_posted_at between %s and %s", (window, AS_OF)))
    skills_of: dict[str, set[str]] = defaultdict(set)
    for job, skill in query(url, "select posting_key, skill_id from marts.fct_job_posting_skills"):
        if job in jobs:
            skills_of[job].add(skill)
    demand = defaultdict(int)
    for found in skills_of.values():
        for skill in found:
            demand[skill] += 1
    weight = {skill: count / len(jobs) for skill, count in demand.items()}
    profiles: dict[str, set[str]] = defaultdict(set)
    for login, skill in query(url, "select login, skill_id from marts.fct_profile_skills"):
        profiles[login].add(skill)
    found = {}
    for login, have in profiles.items():
        for job, needs in skills_of.items():
            matched = sum(weight[s] for s in needs & have)
            if needs & have:
                found[(login, job)] = (matched / sum(weight[s] for s in needs), matched, jobs[job])
    return found


def test_every_match_score_and_ranking_equals_a_recomputation(warehouse):
    expected = expected_matches(warehouse)
    assert expected, "the sandboxes share skills: some profile matches some job"
    actual = {(login, job): (score, missing) for login, job, score, missing in query(
        warehouse, "select login, posting_key, match_score, missing_skills from marts.fct_profile_job_matches")}
    assert set(actual) == set(expected)
    for key, (score, _, _) in expected.items():
        assert actual[key][0] == pytest.approx(score, abs=1e-6), key
    ranked: dict[str, list[str]] = defaultdict(list)
    for (login, job), _ in sorted(
            expected.items(), key=lambda kv: (kv[0][0], -round(kv[1][0], 6), -round(kv[1][1], 9),
                                              -kv[1][2].timestamp(), kv[0][1])):
        ranked[login].append(job)
    recommended: dict[str, list[str]] = defaultdict(list)
    for login, job in query(warehouse, "select login, posting_key from marts.mart_profile_recommendations "
                                       "order by login, recommendation_rank"):
        recommended[login].append(job)
    assert recommended == {login: jobs[:TOP_JOBS] for login, jobs in ranked.items()}


def test_skill_gaps_are_missing_skills_of_the_nearest_roles_most_demanded_first(warehouse):
    gaps = query(warehouse, "select login, gap_rank, skill_id, demand_weight, nearest_jobs_needing "
                            "from marts.mart_profile_skill_gaps order by login, gap_rank")
    assert gaps
    have = defaultdict(set)
    for login, skill in query(warehouse, "select login, skill_id from marts.fct_profile_skills"):
        have[login].add(skill)
    needed = defaultdict(lambda: defaultdict(int))
    for login, missing in query(warehouse, "select login, missing_skills from marts.mart_profile_recommendations"):
        for skill in missing:
            needed[login][skill] += 1
    by_login = defaultdict(list)
    for login, _rank, skill, demand, jobs in gaps:
        assert skill not in have[login]
        assert needed[login][skill] == jobs > 0
        by_login[login].append(demand)
    for demands in by_login.values():
        assert demands == sorted(demands, reverse=True)


def test_a_later_load_recomputes_only_the_profiles_it_touched(warehouse, tmp_path):
    """Runs last in this module: it loads GitHub again 3 days later (some repos pushed)."""
    seed, later = 42, AS_OF + timedelta(days=3)
    before = {login: digest for login, digest in query(
        warehouse, "select login, md5(string_agg(t::text, ',' order by skill_id)) from marts.fct_profile_skills as t "
                   "group by login")}
    settings = make_settings(BUILD["dir"], ELT_AS_OF=later.isoformat())
    [load] = elt.extract_load(settings, warehouse, ("github",))
    touched = {repo.owner for login in fake.LOGINS for repo in fake.repos_of(seed, login)
               if repo.pushed(int(later.timestamp())) != repo.pushed(int(AS_OF.timestamp()))}
    assert load.rows > 0 and touched
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELT_AS_OF", AS_OF.isoformat())
        run_dbt(CAREERS, warehouse, target_path=tmp_path / "target", quiet=True)
        recomputed = {login for (login,) in query(
            warehouse, "select distinct login from marts.fct_profile_skills where last_fetched_at > %s", (AS_OF,))}
        assert recomputed == touched
        after = {login: digest for login, digest in query(
            warehouse, "select login, md5(string_agg(t::text, ',' order by skill_id)) "
                       "from marts.fct_profile_skills as t group by login")}
        assert {login: d for login, d in after.items() if login not in touched} == {
            login: d for login, d in before.items() if login not in touched}
        # and the increments add up to what a rebuild from scratch computes
        run_dbt(["build", "--select", "fct_profile_skills", "--full-refresh"], warehouse,
                target_path=tmp_path / "target", quiet=True)
    rebuilt = {login: digest for login, digest in query(
        warehouse, "select login, md5(string_agg(t::text, ',' order by skill_id)) from marts.fct_profile_skills as t "
                   "group by login")}
    assert rebuilt == after
