{{ config(materialized='view') }}

{#- A data-quality score per run and its trend; the formula is the doc block quality_score:
    score = 100 * test_pass_rate * (1 - quarantine_rate), where
    test_pass_rate = (tests passed + 0.5 * tests warned) / tests run (data and unit tests) and
    quarantine_rate = records the run quarantined / rows it loaded (capped at 1).
    Runs without a dbt build (nothing new) have no score; the trend compares scored runs. -#}

with

runs as (
    select
        run_id,
        started_at,
        status,
        rows_loaded,
        tests_passed,
        tests_warned,
        tests_failed
    from {{ ref('mart_pipeline_runs') }}
),

quarantined as (
    select
        run_id,
        sum(quarantined_records) as quarantined_records
    from {{ ref('mart_quarantine_counts') }}
    where run_id is not null
    group by run_id
),

components as (
    select
        runs.run_id,
        runs.started_at,
        runs.status,
        runs.rows_loaded,
        runs.tests_passed + runs.tests_warned + runs.tests_failed as tests_run,
        coalesce(quarantined.quarantined_records, 0) as quarantined_records,
        (runs.tests_passed + 0.5 * runs.tests_warned)
        / nullif(runs.tests_passed + runs.tests_warned + runs.tests_failed, 0) as test_pass_rate,
        -- least() skips nulls: a run that loaded nothing must keep a null rate, not 1
        case
            when runs.rows_loaded > 0
                then least(coalesce(quarantined.quarantined_records, 0)::numeric / runs.rows_loaded, 1)
        end as quarantine_rate
    from runs
    left join quarantined on runs.run_id = quarantined.run_id
),

scored as (
    select
        run_id,
        round(100 * test_pass_rate * (1 - coalesce(quarantine_rate, 0)), 1) as quality_score
    from components
    where test_pass_rate is not null
),

trended as (
    select
        scored.run_id,
        scored.quality_score,
        scored.quality_score - lag(scored.quality_score) over by_time as score_change,
        round(avg(scored.quality_score) over (by_time rows between 6 preceding and current row), 1)
            as score_avg_last_7_runs
    from scored
    inner join components on scored.run_id = components.run_id
    window by_time as (order by components.started_at, components.run_id)
),

final as (
    select
        components.run_id,
        components.started_at,
        components.status,
        components.rows_loaded,
        components.tests_run,
        components.quarantined_records,
        round(components.test_pass_rate, 4) as test_pass_rate,
        round(components.quarantine_rate, 4) as quarantine_rate,
        trended.quality_score,
        trended.score_change,
        trended.score_avg_last_7_runs,
        case
            when trended.score_change is null then null
            when trended.score_change > 0.5 then 'improving'
            when trended.score_change < -0.5 then 'declining'
            else 'stable'
        end as score_trend
    from components
    left join trended on components.run_id = trended.run_id
)

select * from final
