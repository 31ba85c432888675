"""`make scheduled` on a toy schedule against a real warehouse (real dlt, real dbt in a copy of the
project, real Postgres): two CSV sources on different crons feed one mart; it waits until both have
loaded since it was built, unless the one not loaded is within its freshness window. Every mart row
carries the dlt load that brought it (traceability)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import yaml

from dlt_pipelines import registry
from orchestration import elt
from orchestration.config import DBT_PROJECT_DIR
from orchestration.lineage import load_manifest
from orchestration.scaffold import scaffold
from orchestration.schedule import MartDecision, decide, due_sources, mart_feeds, scheduled_run
from tests.conftest import make_settings, query
from tests.ops.conftest import make
from tests.sources.test_generic_sources import declared, write_csv

CRON_A, CRON_B = "0 1 * * *", "30 1 * * *"
MART = """with

teams as (
    select team_id, team_name, load_id from {{ ref('stg_toy_a__teams') }}
),

scores as (
    select team_id, points, load_id from {{ ref('stg_toy_b__scores') }}
),

final as (
    select
        teams.team_id,
        teams.team_name,
        count(scores.team_id) as scores,
        coalesce(sum(scores.points), 0) as points,
        teams.load_id as team_load_id,
        max(scores.load_id) as last_score_load_id
    from teams
    left join scores on teams.team_id = scores.team_id
    group by teams.team_id, teams.team_name, teams.load_id
)

select * from final
"""


def test_decide_waits_for_a_stale_source_and_builds_with_a_fresh_one():
    now = datetime(2026, 3, 1, 12)
    feeds = {"m": frozenset({"a", "b"}), "only_a": frozenset({"a"}), "untouched": frozenset({"c"})}
    loaded = {"a": now, "b": now - timedelta(hours=30), "c": now - timedelta(days=3)}
    built = {"m": now - timedelta(hours=1), "untouched": now - timedelta(days=2)}
    assert decide(feeds, loaded, built, {}, now) == [
        MartDecision("m", False, "m waits for b (not loaded since it was built, not within its freshness)"),
        MartDecision("only_a", True, "only_a builds: new loads of a", ("+only_a",))]
    [fresh, _] = decide(feeds, loaded, built, {"b": timedelta(hours=48)}, now)
    assert fresh == MartDecision("m", True, "m builds: new loads of a", ("source:raw_a+,+m",))
    [stale, _] = decide(feeds, loaded, built, {"b": timedelta(hours=24)}, now)
    assert not stale.build


def test_a_mart_builds_after_every_source_that_feeds_it_has_loaded(fresh_database, tmp_path):
    (tmp_path / "teams").mkdir()
    (tmp_path / "scores").mkdir()
    write_csv(tmp_path / "teams" / "teams.csv", [{"team_id": n, "team_name": f"team {n}"} for n in range(1, 4)])
    write_csv(tmp_path / "scores" / "week1.csv", [{"score_id": n, "team_id": n % 3 + 1, "points": n}
                                                  for n in range(1, 7)])
    config = tmp_path / "sources.yml"
    config.write_text(f"sources:\n"
                      f"  - {{name: toy_a, kind: csv, location: teams, table: teams, primary_key: team_id, "
                      f"schedule: '{CRON_A}', domain: toy}}\n"
                      f"  - {{name: toy_b, kind: csv, location: scores, table: scores, primary_key: score_id, "
                      f"schedule: '{CRON_B}', domain: toy}}\n")
    project, target = tmp_path / "dbt_project", tmp_path / "target"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"), symlinks=True)
    settings = make_settings(tmp_path / "build", WAREHOUSE_URL=fresh_database)

    def run(cron: str):
        return scheduled_run(settings, cron, project_dir=project, target_path=target, with_docs=False, quiet=True)

    def mart() -> list[tuple]:
        return query(fresh_database, "select team_id, scores, points from marts.mart_toy order by 1")

    with declared(config):
        assert due_sources(CRON_A) == ("toy_a",) and due_sources(CRON_B) == ("toy_b",)
        elt.extract_load(settings, fresh_database, ("toy_a", "toy_b"))  # loaded once, to scaffold their staging
        for source in ("toy_a", "toy_b"):
            scaffold(settings, fresh_database, source, project_dir=project)
        (project / "models" / "marts" / "toy").mkdir()
        (project / "models" / "marts" / "toy" / "mart_toy.sql").write_text(MART)
        sources_yml = project / "models" / "staging" / "toy_a" / "_toy_a__sources.yml"
        with_freshness = sources_yml.read_text()
        no_freshness = yaml.safe_load(with_freshness)
        for table in no_freshness["sources"][0]["tables"]:
            table["freshness"] = None
        sources_yml.write_text(yaml.safe_dump(no_freshness, sort_keys=False))

        # toy_a's schedule: toy_b never loaded on schedule, so the mart waits
        summary = run(CRON_A)
        assert [load.source for load in summary.loads] == ["toy_a"] and summary.build is None
        assert "mart_toy waits for toy_b" in summary.build_reason
        assert query(fresh_database, "select to_regclass('marts.mart_toy') is null") == [(True,)]

        # toy_b's schedule: both have loaded since the mart was (never) built: staging, then the mart
        summary = run(CRON_B)
        assert "mart_toy builds: new loads of toy_a, toy_b" in summary.build_reason
        assert summary.build.count("model", "success") == 3  # stg_toy_a__teams, stg_toy_b__scores, mart_toy
        assert mart() == [(1, 2, 9), (2, 2, 5), (3, 2, 7)]

        # a new week of scores: toy_a has not loaded since and declares no freshness, so the mart waits
        write_csv(tmp_path / "scores" / "week2.csv", [{"score_id": 7, "team_id": 1, "points": 100}])
        summary = run(CRON_B)
        assert summary.loads[0].rows == 1 and summary.build is None
        assert "mart_toy waits for toy_a" in summary.build_reason
        assert mart() == [(1, 2, 9), (2, 2, 5), (3, 2, 7)]

        # toy_a's next scheduled load (nothing new in it) releases the mart, with toy_b's waiting rows
        summary = run(CRON_A)
        assert summary.loads[0].rows == 0 and "mart_toy builds: new loads of toy_a, toy_b" in summary.build_reason
        assert mart() == [(1, 3, 109), (2, 2, 5), (3, 2, 7)]

        # with freshness declared (48 hours), a just-loaded toy_a is ready without loading again
        sources_yml.write_text(with_freshness)
        write_csv(tmp_path / "scores" / "week3.csv", [{"score_id": 8, "team_id": 2, "points": 50}])
        summary = run(CRON_B)
        assert "mart_toy builds: new loads of toy_b" in summary.build_reason
        assert mart() == [(1, 3, 109), (2, 3, 55), (3, 2, 7)]

        # traceability: every mart row names the dlt loads behind it, found in the raw datasets' _dlt_loads
        assert query(fresh_database, """
            select count(*), count(a.load_id), count(b.load_id)
            from marts.mart_toy as m
            left join raw_toy_a._dlt_loads as a on a.load_id = m.team_load_id and a.status = 0
            left join raw_toy_b._dlt_loads as b on b.load_id = m.last_score_load_id and b.status = 0""") == [(3, 3, 3)]


def test_make_scheduled_loads_the_sources_due_and_builds_the_marts_they_complete(fresh_database, tmp_path):
    """`make scheduled` as the workflow calls it (ELT_SCHEDULE, the cron that fired) on the real
    project: the air-quality cron loads OpenAQ (its sandbox) and builds the marts OpenAQ alone feeds;
    the marts that also need sources not loaded on schedule wait."""
    env = {"WAREHOUSE_URL": fresh_database, "ELT_BUILD_DIR": str(tmp_path / "build"),
           "DBT_TARGET_PATH": str(tmp_path / "target"), "ELT_AS_OF": "2026-03-01T06:00:00Z"}
    cron = registry.get("openaq").schedule
    done = make("scheduled", ELT_SCHEDULE=cron, **env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert [line for line in done.stdout.splitlines() if line.startswith("extract-load ")][0].startswith(
        "extract-load openaq: ")
    feeds = mart_feeds(load_manifest(tmp_path / "target"))
    alone = sorted(mart for mart, sources in feeds.items() if sources == {"openaq"})
    assert alone and all(f"{mart} builds" in done.stdout for mart in alone)
    shared = sorted(mart for mart, sources in feeds.items() if "openaq" in sources and len(sources) > 1)
    assert all(f"{mart} waits for" in done.stdout for mart in shared)
    built = query(fresh_database, "select name from ops.schedule_state where kind = 'mart' order by 1")
    assert [name for (name,) in built if name in feeds and "openaq" in feeds[name]] == alone
    unknown = make("scheduled", ELT_SCHEDULE="1 2 3 4 5", **env)
    assert unknown.returncode != 0 and "no source is scheduled at '1 2 3 4 5'" in unknown.stdout + unknown.stderr


def test_the_daily_schedule_builds_the_hiring_marts_traced_to_their_loads(fresh_database, tmp_path):
    """The daily cron loads the job boards and the generic example, and builds the hiring marts (fed by
    both): every row of them names a complete dlt load of raw_ats / raw_salary_surveys."""
    cron = registry.get("ats").schedule
    settings = make_settings(tmp_path / "build", WAREHOUSE_URL=fresh_database, ELT_AS_OF="2026-03-01T06:00:00Z",
                             JSEARCH_QUERIES="data engineer", JSEARCH_NUM_PAGES="1", JSEARCH_MAX_PAGES="2")
    summary = scheduled_run(settings, cron, target_path=tmp_path / "target", with_docs=False, quiet=True)
    assert {"ats", "salary_surveys", "jsearch"} <= {load.source for load in summary.loads}
    for mart in ("mart_applications_per_posting", "mart_survey_vs_posted_salaries"):
        assert f"{mart} builds" in summary.build_reason
    for mart, column, dataset in (("mart_applications_per_posting", "last_ats_load_id", "raw_ats"),
                                  ("mart_survey_vs_posted_salaries", "last_survey_load_id", "raw_salary_surveys")):
        [(rows, traced)] = query(fresh_database, f"""
            select count(*), count(loads.load_id) from marts.{mart} as m
            left join {dataset}._dlt_loads as loads on loads.load_id = m.{column} and loads.status = 0""")
        assert rows > 0 and traced == rows, (mart, rows, traced)
