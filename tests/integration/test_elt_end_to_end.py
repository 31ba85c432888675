"""The whole ELT against a real Postgres and the sandbox over HTTP: a full run into an empty
warehouse, a rerun with no new data, and a run after the sandbox publishes new postings.

Expected numbers come from the sandbox's own catalogue (what it will serve), never from the
warehouse under test.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from dlt_pipelines.job_boards.sandbox import boards, catalogue
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig, malformed_kind
from orchestration.config import dbt_target_dir
from orchestration.dbt_runner import run_dbt
from orchestration.elt import run_all
from tests.conftest import make_settings, query

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
LATER = T0 + timedelta(hours=12)
FAULTS = "malformed=0.02,drift=0.05"
SOURCE_REJECTS = {"not_object_string", "not_object_null", "missing_job_id"}
MARTS = ("marts.fct_job_postings", "marts.fct_job_posting_skills", "marts.mart_skill_demand_weekly",
         "marts.dim_skills", "marts.fct_profile_skills", "marts.fct_profile_job_matches",
         "marts.mart_profile_recommendations", "marts.mart_profile_skill_gaps")


def sandbox_config(now: datetime) -> SandboxConfig:
    return SandboxConfig(now=now.isoformat(), faults=FaultConfig.parse(FAULTS))


def served(now: datetime) -> list[int]:
    return list(catalogue.expected_postings(sandbox_config(now), now).indices)


def rejected_by_source(indices: list[int]) -> list[int]:
    config = sandbox_config(T0)
    return [i for i in indices if malformed_kind(config.faults, config.seed, i) in SOURCE_REJECTS]


def table_digest(url: str, relation: str) -> tuple[int, str]:
    """Row count and an order-independent checksum of every column of every row."""
    return query(url, f"select count(*), coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') "
                      f"from {relation} as t")[0]


def weekly_demand_mismatches(url: str, join: str) -> list[tuple]:
    """(week, skill) rows of mart_skill_demand_weekly whose count differs from the skill facts; with a
    full join also facts the mart lacks."""
    return query(url, f"""
        select w.week_start, w.skill_id from marts.mart_skill_demand_weekly as w
        {join} join (select posted_week, skill_id, count(*) as n from marts.fct_job_posting_skills group by 1, 2) as f
            on f.posted_week = w.week_start and f.skill_id = w.skill_id
        where f.n is distinct from w.jobs_mentioning""")


def jsearch_load(summary):
    """The JSearch load of a run (every source runs, in registry order)."""
    [load] = [load for load in summary.loads if load.source == "jsearch"]
    return load


@pytest.fixture(scope="module")
def runs(fresh_database, tmp_path_factory):
    build = tmp_path_factory.mktemp("elt")
    env = {"WAREHOUSE_URL": fresh_database, "JSEARCH_QUERIES": "data engineer", "SANDBOX_FAULTS": FAULTS}
    first = run_all(make_settings(build, ELT_AS_OF=T0.isoformat(), **env), with_docs=False)
    first_results = json.loads((dbt_target_dir() / "run_results.json").read_text())
    after_first = {m: table_digest(fresh_database, m) for m in MARTS}
    first_counts = {
        "raw": query(fresh_database, "select count(*) from raw_jsearch.job_postings")[0][0],
        "reasons": dict(query(fresh_database, "select reason, count(*) from marts.quarantined_records "
                                              "where rule_name = 'source_rejected' and source_name = 'jsearch' "
                                              "group by 1")),
    }
    second = run_all(make_settings(build, ELT_AS_OF=T0.isoformat(), **env), with_docs=False)
    after_second = {m: table_digest(fresh_database, m) for m in MARTS}
    third = run_all(make_settings(build, ELT_AS_OF=LATER.isoformat(), **env), with_docs=False)
    third_results = json.loads((dbt_target_dir() / "run_results.json").read_text())
    attached = {uid: node.get("attached_node") for uid, node in
                json.loads((dbt_target_dir() / "manifest.json").read_text())["nodes"].items()}
    return {"url": fresh_database, "first": first, "second": second, "third": third,
            "results": {"first": first_results, "third": third_results}, "attached": attached,
            "after_first": after_first, "after_second": after_second,
            "first_counts": first_counts}


def test_full_run_loads_every_served_posting_and_keeps_the_rejects(runs):
    indices = served(T0)
    rejects = rejected_by_source(indices)
    assert len(indices) == 1800 and rejects, "the fixture should serve malformed records"
    load = jsearch_load(runs["first"])
    assert load.rows_by_table["job_postings"] == len(indices) - len(rejects)
    assert load.rows_by_table["job_postings_rejected"] == len(rejects)
    assert runs["first_counts"]["raw"] == len(indices) - len(rejects)
    reasons = runs["first_counts"]["reasons"]
    assert sum(reasons.values()) == len(rejects)
    assert set(reasons) <= {"item is not a JSON object but str", "item is not a JSON object but NoneType",
                            "missing job_id"}


def test_specific_posting_is_staged_with_its_source_values(runs):
    config = sandbox_config(T0)
    index = next(i for i in served(T0) if catalogue.dirty_kind(config, i) is None
                 and malformed_kind(config.faults, config.seed, i) is None
                 and catalogue.generate_posting(config, i, T0).get("job_min_salary"))
    item = catalogue.generate_posting(config, index, T0)
    row = query(runs["url"], "select job_title, employer_name, country_code, salary_min, salary_period, "
                             "posted_at from staging.stg_jsearch__job_postings where job_id = %s", (item["job_id"],))
    assert row, f"posting {item['job_id']} missing from staging"
    title, employer, country, salary_min, period, posted_at = row[0]
    assert (title, employer, country) == (item["job_title"].strip(), item["employer_name"].strip(),
                                          item["job_country"])
    assert float(salary_min) == float(item["job_min_salary"])
    assert period == item["job_salary_period"]
    assert posted_at == datetime.fromtimestamp(item["job_posted_at_timestamp"], tz=timezone.utc)


def test_reposts_collapse_into_one_job_with_both_ids(runs):
    config = sandbox_config(T0)
    indices = set(served(T0))
    clean = {i for i in indices if catalogue.dirty_kind(config, i) is None
             and malformed_kind(config.faults, config.seed, i) is None}
    repost = next(i for i in sorted(clean) if (origin := catalogue.repost_origin(config, i)) in clean
                  and catalogue.repost_origin(config, origin) is None)
    origin = catalogue.repost_origin(config, repost)
    ids = [catalogue.job_id_for(config, origin), catalogue.job_id_for(config, repost)]
    rows = query(runs["url"], "select canonical_job_id, job_ids from marts.fct_job_postings "
                              "where job_ids && %s::text[]", (ids,))
    assert len(rows) == 1, rows
    canonical, job_ids = rows[0]
    assert canonical == ids[0] and set(ids) <= set(job_ids)


def test_jobs_are_the_canonical_jobs_of_clean_postings(runs):
    url = runs["url"]
    postings, jobs_expected = query(url, """
        select count(*), count(distinct g.canonical_key)
        from intermediate.int_job_postings__unified as u
        join intermediate.int_job_postings__canonical_groups as g using (group_key)
        where not u.is_quarantined""")[0]
    clean = query(url, "select count(*) from intermediate.int_job_postings__unified where not is_quarantined")[0][0]
    jobs, posting_total, reposts = query(url, "select count(*), sum(posting_count), sum(repost_count) "
                                              "from marts.fct_job_postings")[0]
    assert postings == clean and (jobs, posting_total) == (jobs_expected, clean)
    assert reposts > 0
    # every JSearch repost group (same employer, title, city, country) lies within one job
    split = query(url, """
        select s.dedup_key from staging.stg_jsearch__job_postings as s
        join marts.fct_job_postings as f on 'jsearch:' || s.job_id = any(f.posting_ids)
        group by s.dedup_key having count(distinct f.posting_key) > 1""")
    assert split == []


def pairs_across_boards(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for group in groups for pair in itertools.combinations(sorted(group), 2)
            if pair[0].split(":")[0] != pair[1].split(":")[0]}


def test_cross_board_dedup_against_the_sandbox_ground_truth(runs):
    """Precision and recall of the links between boards, against the sandbox's own record of which
    board postings copy which JSearch job (reposts of that JSearch job count as the same job)."""
    url = runs["url"]
    truth = boards.overlap_truth(sandbox_config(LATER), int(LATER.timestamp()))
    present = {r[0] for r in query(url, "select posting_id from intermediate.int_job_postings__unified "
                                        "where not is_quarantined")}
    repost_group = dict(query(url, "select board_job_id, group_key from intermediate.int_job_postings__unified "
                                   "where board = 'jsearch'"))
    jsearch_by_group: dict[str, list[str]] = {}
    for job_id, group in repost_group.items():
        jsearch_by_group.setdefault(group, []).append(f"jsearch:{job_id}")
    same_jobs = []
    for group in truth["same_job_groups"]:
        members = [f"{p['board']}:{p['job_id']}" for p in group["postings"]]
        members += jsearch_by_group.get(repost_group.get(group["jsearch_job_id"]), [])
        same_jobs.append([m for m in members if m in present])
    expected = pairs_across_boards(same_jobs)
    judged = {m for job in same_jobs for m in job if not m.startswith("jsearch:")} | {
        f"{n['board']}:{n['job_id']}" for n in truth["near_misses"]}
    found = {pair for pair in pairs_across_boards([ids for (ids,) in query(
        url, "select posting_ids from marts.fct_job_postings where source_count > 1")]) if pair & judged}
    true_links = found & expected
    precision, recall = len(true_links) / len(found), len(true_links) / len(expected)
    print(f"cross-board dedup on the sandbox: {len(found)} links, {len(expected)} true, "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert len(expected) > 100
    assert precision >= 0.9 and recall >= 0.9


def test_skills_found_where_the_text_names_them_and_not_in_traps(runs):
    url = runs["url"]
    config = sandbox_config(T0)
    items = [catalogue.generate_posting(config, i, T0) for i in served(T0)]
    canonical = {row[0] for row in query(url, "select canonical_job_id from marts.fct_job_postings")}
    with_cpp = next(it for it in items if isinstance(it, dict) and it.get("job_id") in canonical
                    and "C++" in (it.get("job_description") or ""))
    skills = {r[0] for r in query(url, "select skill_id from marts.fct_job_posting_skills "
                                       "where canonical_job_id = %s", (with_cpp["job_id"],))}
    assert "cpp" in skills
    for item in items:
        text = f"{item.get('job_title')} {item.get('job_description') or ''}" if isinstance(item, dict) else ""
        if item.get("job_id") in canonical and "R&D" in text and " R " not in text and " R," not in text:
            found = {r[0] for r in query(url, "select skill_id from marts.fct_job_posting_skills "
                                              "where canonical_job_id = %s", (item["job_id"],))}
            assert "r" not in found, item["job_id"]
            break
    else:
        pytest.fail("the sandbox served no posting with the R&D trap")


def test_weekly_demand_shares_match_the_skill_facts(runs):
    url = runs["url"]
    assert weekly_demand_mismatches(url, "left") == []
    assert query(url, "select count(*) from marts.mart_skill_demand_weekly")[0][0] > 0


def test_dbt_build_passed_its_tests(runs):
    build = runs["first"].build
    assert build is not None
    assert build.count("test", "fail") == 0 and build.count("test", "error") == 0
    assert build.count("test", "pass") > 100 and build.count("unit_test", "pass") >= 2
    manifest = json.loads((dbt_target_dir() / "manifest.json").read_text())
    buildable = [n for n in manifest["nodes"].values()
                 if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"]
    assert len(buildable) >= 14
    assert build.count("model", "success") == len(buildable)


def test_rerun_without_new_data_loads_nothing_and_leaves_marts_unchanged(runs):
    load = jsearch_load(runs["second"])
    assert load.rows_by_table.get("job_postings", 0) == 0
    assert load.rows == 0
    assert runs["second"].build is None, "nothing new: dbt should not rebuild"
    assert runs["after_second"] == runs["after_first"]


def test_run_after_new_postings_loads_only_those(runs):
    new = list(catalogue.new_postings_between(sandbox_config(T0), T0, LATER))
    rejects = rejected_by_source(new)
    assert len(new) == 30  # 60 a day for 12 hours
    load = jsearch_load(runs["third"])
    assert load.rows_by_table.get("job_postings", 0) == len(new) - len(rejects)
    url = runs["url"]
    total = query(url, "select count(*) from raw_jsearch.job_postings")[0][0]
    first = served(T0)
    assert total == (len(first) - len(rejected_by_source(first))) + (len(new) - len(rejects))
    assert query(url, "select count(*) from staging.stg_jsearch__job_postings")[0][0] == total
    build = runs["third"].build
    assert build is not None and build.count("test", "fail") == 0


def test_tests_of_incremental_models_read_the_rows_the_build_wrote(runs):
    """A build of new rows tests the incremental models' new rows (macros/test_scope.sql): exactly
    the postings of its loads, none from before. The first build tests whole tables, and
    Elementary's monitors and models without a written-at column are never narrowed."""
    def compiled(moment: str, attached_to: str) -> list[str]:
        return [r["compiled_code"] for r in runs["results"][moment]["results"]
                if runs["attached"].get(r["unique_id"]) == f"model.warehouse.{attached_to}"]

    scoped = compiled("third", "int_job_postings__unified")
    assert scoped and all("unified_at >= cast('" in code for code in scoped)
    assert not any("unified_at >= cast('" in code for code in compiled("first", "int_job_postings__unified"))
    assert compiled("third", "stg_jsearch__job_postings")
    assert not any(">= cast('" in code for code in compiled("third", "stg_jsearch__job_postings"))
    [since] = {re.search(r"unified_at >= cast\('([^']+)' as timestamptz\)", code).group(1) for code in scoped}
    third_loads = [load_id for load in runs["third"].loads for load_id in load.load_ids]
    assert third_loads
    tested, written = query(runs["url"], """
        select count(*) filter (where unified_at >= %s::timestamptz), count(*) filter (where load_id = any(%s))
        from intermediate.int_job_postings__unified""", (since, third_loads))[0]
    assert written > 0 and tested == written


def test_salary_by_skill_matches_a_recomputation_from_the_facts(runs):
    url = runs["url"]
    # the rate valid on the posting dates (the sandbox posts in the weeks before T0)
    rates = dict(query(url, "select distinct on (currency_code) currency_code, usd_per_unit "
                            "from taxonomy.exchange_rates_usd where rate_date <= %s "
                            "order by currency_code, rate_date desc", (T0.date(),)))
    rows = query(url, """
        select j.salary_min_annual, j.salary_max_annual, j.salary_currency
        from marts.fct_job_postings as j join marts.fct_job_posting_skills as s using (posting_key)
        where s.skill_id = 'python' and (j.salary_min_annual is not null or j.salary_max_annual is not null)""")
    usd = sorted(float(((lo or hi) + (hi or lo)) / 2 * rates[cur]) for lo, hi, cur in rows if cur in rates)
    assert len(usd) > 20
    middle = len(usd) // 2
    median = usd[middle] if len(usd) % 2 else (usd[middle - 1] + usd[middle]) / 2
    jobs, mart_median = query(url, "select jobs_with_salary, salary_median_usd from marts.mart_skill_salaries "
                                   "where skill_id = 'python'")[0]
    assert jobs == len(usd)
    assert abs(float(mart_median) - median) <= 1


def test_trends_follow_the_documented_formula(runs):
    url = runs["url"]
    row = query(url, "select skill_id, as_of_week, recent_mentions, prior_mentions, recent_share, prior_share, "
                     "growth, trend from marts.mart_skill_trends where trend <> 'insufficient_support' "
                     "order by recent_mentions desc limit 1")
    assert row, "no skill had enough support"
    skill, as_of, recent, prior, recent_share, prior_share, growth, trend = row[0]
    counts = query(url, """
        select
            count(*) filter (where j.posted_week > %(w)s::date - 28),
            count(*) filter (where j.posted_week <= %(w)s::date - 28 and j.posted_week > %(w)s::date - 56),
            count(*) filter (where s.skill_id = %(s)s and j.posted_week > %(w)s::date - 28),
            count(*) filter (where s.skill_id = %(s)s and j.posted_week <= %(w)s::date - 28
                             and j.posted_week > %(w)s::date - 56)
        from marts.fct_job_postings as j
        left join marts.fct_job_posting_skills as s on s.posting_key = j.posting_key and s.skill_id = %(s)s""",
                   {"w": as_of, "s": skill})[0]
    recent_jobs, prior_jobs, recent_hits, prior_hits = counts
    assert (recent, prior) == (recent_hits, prior_hits)
    assert abs(float(recent_share) - recent_hits / recent_jobs) < 1e-3
    assert abs(float(prior_share) - prior_hits / prior_jobs) < 1e-3
    expected_growth = (round(recent_hits / recent_jobs, 4) - round(prior_hits / prior_jobs, 4)) / round(
        prior_hits / prior_jobs, 4)
    assert abs(float(growth) - expected_growth) < 1e-3
    expected = "emerging" if expected_growth >= 0.25 else "declining" if expected_growth <= -0.2 else "stable"
    assert trend == expected


def test_co_occurrence_pairs_are_counted_per_job(runs):
    url = runs["url"]
    pair = query(url, "select skill_id, other_skill_id, jobs_with_both from marts.mart_skill_co_occurrence "
                      "order by jobs_with_both desc limit 1")[0]
    direct = query(url, "select count(*) from marts.fct_job_posting_skills a join marts.fct_job_posting_skills b "
                        "using (posting_key) where a.skill_id = %s and b.skill_id = %s", pair[:2])[0][0]
    assert direct == pair[2]


def test_every_mention_records_the_taxonomy_version(runs):
    from orchestration.build_plan import taxonomy_version

    versions = query(runs["url"], "select distinct taxonomy_version from intermediate.int_job_postings__skill_mentions")
    assert versions == [(taxonomy_version(),)]


# ----------------------------------------------------------------------------- a taxonomy change
# These come last: they change the taxonomy in this module's warehouse, as a new version of the
# seeds would (`make run` then builds state:modified+, i.e. what is downstream of the aliases).

NEW_ALIAS = ("data quality", "data_governance")  # a phrase the sandbox's postings use


def extraction_rows(url: str) -> dict[tuple[str, str | None], tuple[str, datetime]]:
    rows = query(url, "select job_id, skill_id, extraction_reason, extracted_at "
                      "from intermediate.int_job_postings__skill_mentions")
    return {(job, skill): (reason, at) for job, skill, reason, at in rows}


def skill_sets(rows: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for job, skill in rows:
        found.setdefault(job, set()).update({skill} if skill else set())
    return found


@pytest.fixture(scope="module")
def taxonomy_change(runs, tmp_path_factory):
    url = runs["url"]
    target = tmp_path_factory.mktemp("dbt-taxonomy")
    before = extraction_rows(url)
    # the only skill of some posting, the least common such skill: every alias of it is removed
    lonely_posting, removed_skill = query(url, """
        with single as (
            select job_id, min(skill_id) as skill_id from intermediate.int_job_postings__skill_mentions
            where skill_id is not null group by job_id having count(*) = 1)
        select single.job_id, single.skill_id from single
        join intermediate.int_job_postings__skill_mentions as m using (skill_id)
        group by single.job_id, single.skill_id order by count(*), single.job_id limit 1""")[0]
    removed_tokens = {token for (token,) in query(
        url, "select longest_token from intermediate.int_skill_aliases__applied where skill_id = %s", (removed_skill,))}
    query(url, "delete from taxonomy.skill_taxonomy_aliases where skill_id = %s", (removed_skill,))
    query(url, "insert into taxonomy.skill_taxonomy_aliases values (%s, %s, 'any', '', 'curated')", NEW_ALIAS)
    changed = run_dbt(["build", "--select", "int_skill_aliases__tokenized+"], url, target_path=target, quiet=True)
    after = extraction_rows(url)
    unchanged = run_dbt(["build", "--select", "int_skill_aliases__tokenized+"], url, target_path=target, quiet=True)
    return {"url": url, "target": target, "before": before, "after": after, "after_rerun": extraction_rows(url),
            "changed": changed, "unchanged": unchanged, "lonely_posting": lonely_posting,
            "removed_skill": removed_skill, "removed_tokens": removed_tokens}


def test_a_taxonomy_change_reextracts_only_the_postings_it_may_affect(taxonomy_change):
    url, before, after = taxonomy_change["url"], taxonomy_change["before"], taxonomy_change["after"]
    assert taxonomy_change["changed"].count("test", "fail") == 0
    reextracted = {job for (job, _), (reason, _) in after.items() if reason == "taxonomy_change"}
    texts = dict(query(url, "select posting_id, lower(concat_ws(' . ', job_title, description)) "
                            "from intermediate.int_job_postings__unified where not is_quarantined"))
    old, new = skill_sets(before), skill_sets(after)
    assert set(new) == set(old) == set(texts)
    # the postings whose skills changed are all among the re-extracted ones ...
    differ = {job for job in texts if old[job] != new[job]}
    assert differ and differ <= reextracted
    assert any(NEW_ALIAS[1] in new[job] - old[job] for job in differ)
    assert not any(taxonomy_change["removed_skill"] in skills for skills in new.values())
    # ... and only postings that named the removed skill or contain a changed alias's text were read again
    tokens = taxonomy_change["removed_tokens"] | {"quality"}  # the longest token of each changed alias
    assert reextracted == {job for job in texts if taxonomy_change["removed_skill"] in old[job]
                           or any(token in texts[job] for token in tokens)}
    assert len(reextracted) < len(texts) / 2
    # the others kept their rows as they were
    assert {key: row for key, row in after.items() if key[0] not in reextracted} == {
        key: row for key, row in before.items() if key[0] not in reextracted}
    # a posting left with no skill keeps one row that says so
    assert [skill for job, skill in after if job == taxonomy_change["lonely_posting"]] == [None]


def test_reextracted_mentions_equal_a_full_extraction(taxonomy_change):
    """The same postings extracted from scratch (the benchmark model runs the same macro on a table of
    postings) give exactly the incremental result."""
    url = taxonomy_change["url"]
    query(url, "drop schema if exists skill_benchmark cascade; create schema skill_benchmark; "
               "create table skill_benchmark.postings as select posting_id as doc_id, "
               "concat_ws(' . ', job_title, description) as posting_text "
               "from intermediate.int_job_postings__unified where not is_quarantined")
    run_dbt(["run", "--select", "skill_benchmark__mentions", "--vars", "{skill_benchmark: true}"], url,
            target_path=taxonomy_change["target"], quiet=True)
    columns = "job_id, skill_id, mention_count, first_position, first_surface_text, surface_texts"
    fresh = set(query(url, f"select {columns} from skill_benchmark.skill_benchmark__mentions"))
    incremental = set(query(url, f"select {columns} from intermediate.int_job_postings__skill_mentions "
                                 "where skill_id is not null"))
    assert fresh == incremental


def test_jobs_and_weekly_marts_follow_the_reextraction(taxonomy_change):
    url = taxonomy_change["url"]
    expected = set(query(url, """
        select j.posting_key, m.skill_id, m.mention_count from marts.fct_job_postings as j
        join intermediate.int_job_postings__skill_mentions as m on m.job_id = j.canonical_posting_id
        where m.skill_id is not null"""))
    assert set(query(url, "select posting_key, skill_id, mention_count from marts.fct_job_posting_skills")) == expected
    assert query(url, "select count(*) from marts.fct_job_posting_skills where skill_id = %s",
                 (taxonomy_change["removed_skill"],)) == [(0,)]
    assert weekly_demand_mismatches(url, "full") == []
    assert query(url, "select count(*) from marts.mart_skill_demand_weekly where skill_id = %s",
                 (NEW_ALIAS[1],))[0][0] > 0


def test_an_unchanged_taxonomy_reextracts_nothing(taxonomy_change):
    assert taxonomy_change["after_rerun"] == taxonomy_change["after"]
    assert taxonomy_change["unchanged"].count("test", "fail") == 0


def test_changed_extraction_rules_reextract_every_posting(taxonomy_change):
    """A rule change is seen by the fingerprint of the extractor's SQL; here the recorded one is made
    stale, as an edit of macro skill_mention_ctes would."""
    url = taxonomy_change["url"]
    query(url, "update intermediate.int_skill_aliases__applied set extractor_fingerprint = 'an older rule set'")
    run_dbt(["build", "--select", "int_job_postings__skill_mentions+"], url,
            target_path=taxonomy_change["target"], quiet=True)
    rows = extraction_rows(url)
    assert {reason for reason, _ in rows.values()} == {"rule_change"}
    assert skill_sets(rows) == skill_sets(taxonomy_change["after"])
