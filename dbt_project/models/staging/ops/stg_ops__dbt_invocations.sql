{#- One row per dbt command run through the project, from its run_results.json. -#}

with

invocations as (
    select
        invocation_id,
        run_id,
        command,
        started_at,
        finished_at,
        elapsed_seconds,
        dbt_version
    from {{ source('ops', 'dbt_invocations') }}
),

final as (
    select
        invocation_id,
        run_id,
        command,
        started_at,
        finished_at,
        elapsed_seconds::numeric(12, 1) as elapsed_seconds,
        dbt_version
    from invocations
)

select * from final
