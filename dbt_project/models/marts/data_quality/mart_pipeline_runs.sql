{{ config(materialized='view') }}

{#- The run ledger: one row per `make run` with what it loaded (dlt) and what dbt did (models
    built, tests passed, warned and failed). A view over the ops tables, so a run's own dbt
    results appear as soon as they are recorded, right after its build. -#}

with

runs as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        stage_failed,
        found_killed_at,
        duration_seconds
    from {{ ref('stg_ops__runs') }}
),

run_loads as (
    select
        run_id,
        dataset_name,
        table_name,
        rows_loaded,
        load_ids
    from {{ ref('stg_ops__run_loads') }}
),

loaded as (
    select
        run_id,
        sum(rows_loaded)::bigint as rows_loaded,
        jsonb_object_agg(dataset_name || '.' || table_name, rows_loaded) as rows_loaded_by_table
    from run_loads
    group by run_id
),

run_load_ids as (
    select distinct
        run_loads.run_id,
        run_load.load_id
    from run_loads
    cross join lateral unnest(run_loads.load_ids) as run_load (load_id)
),

dlt_loads as (
    select
        run_load_ids.run_id,
        count(*) filter (where loads.is_complete) as dlt_loads_completed,
        array_agg(run_load_ids.load_id order by run_load_ids.load_id) as dlt_load_ids,
        max(loads.committed_at) as last_load_committed_at
    from run_load_ids
    left join {{ ref('stg_dlt__loads') }} as loads on run_load_ids.load_id = loads.load_id
    group by run_load_ids.run_id
),

invocations as (
    select
        invocation_id,
        run_id,
        command,
        elapsed_seconds
    from {{ ref('stg_ops__dbt_invocations') }}
    where run_id is not null
),

-- commands that build and test; `docs generate` also lists every node it compiled
building_invocations as (
    select
        invocation_id,
        run_id
    from invocations
    where command in ('build', 'run', 'test', 'seed', 'snapshot')
),

dbt_commands as (
    select
        run_id,
        count(*) as dbt_invocations,
        sum(elapsed_seconds) as dbt_seconds
    from invocations
    group by run_id
),

dbt_nodes as (
    select
        invocations.run_id,
        count(*) filter (where results.resource_type = 'model' and results.outcome = 'passed') as models_built,
        count(*) filter (where results.resource_type = 'model' and results.outcome = 'failed') as models_failed,
        count(*) filter (where results.resource_type = 'seed' and results.outcome = 'passed') as seeds_loaded,
        count(*) filter (
            where results.resource_type in ('test', 'unit_test') and results.outcome = 'passed'
        ) as tests_passed,
        count(*) filter (
            where results.resource_type in ('test', 'unit_test') and results.outcome = 'warned'
        ) as tests_warned,
        count(*) filter (
            where results.resource_type in ('test', 'unit_test') and results.outcome = 'failed'
        ) as tests_failed
    from {{ ref('stg_ops__dbt_node_results') }} as results
    inner join building_invocations as invocations on results.invocation_id = invocations.invocation_id
    group by invocations.run_id
),

final as (
    select
        runs.run_id,
        runs.started_at,
        runs.finished_at,
        runs.status,
        runs.stage_failed,
        runs.found_killed_at,
        runs.duration_seconds,
        coalesce(loaded.rows_loaded, 0) as rows_loaded,
        coalesce(loaded.rows_loaded_by_table, '{}'::jsonb) as rows_loaded_by_table,
        coalesce(dlt_loads.dlt_load_ids, array[]::text[]) as dlt_load_ids,
        coalesce(dlt_loads.dlt_loads_completed, 0) as dlt_loads_completed,
        dlt_loads.last_load_committed_at,
        coalesce(dbt_commands.dbt_invocations, 0) as dbt_invocations,
        coalesce(dbt_commands.dbt_seconds, 0) as dbt_seconds,
        coalesce(dbt_nodes.models_built, 0) as models_built,
        coalesce(dbt_nodes.models_failed, 0) as models_failed,
        coalesce(dbt_nodes.seeds_loaded, 0) as seeds_loaded,
        coalesce(dbt_nodes.tests_passed, 0) as tests_passed,
        coalesce(dbt_nodes.tests_warned, 0) as tests_warned,
        coalesce(dbt_nodes.tests_failed, 0) as tests_failed
    from runs
    left join loaded on runs.run_id = loaded.run_id
    left join dlt_loads on runs.run_id = dlt_loads.run_id
    left join dbt_commands on runs.run_id = dbt_commands.run_id
    left join dbt_nodes on runs.run_id = dbt_nodes.run_id
)

select * from final
