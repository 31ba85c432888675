{#- One row per node a dbt command ran, with the status folded into outcome: tests pass, warn or
    fail ("fail" and "error" alike: a test that cannot run checks nothing); models succeed or
    fail. -#}

with

results as (
    select
        invocation_id,
        unique_id,
        resource_type,
        status,
        failures,
        execution_seconds,
        rows_affected,
        message
    from {{ source('ops', 'dbt_node_results') }}
),

final as (
    select
        invocation_id,
        unique_id,
        resource_type,
        status,
        case
            when status in ('pass', 'success') then 'passed'
            when status = 'warn' then 'warned'
            when status in ('fail', 'error', 'runtime error') then 'failed'
            else 'skipped'
        end as outcome,
        failures,
        execution_seconds,
        rows_affected,
        message
    from results
)

select * from final
