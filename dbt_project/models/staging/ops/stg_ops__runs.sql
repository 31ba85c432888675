{#- One row per ELT run (`make run`), from ops.run_log. -#}

with

runs as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        stage_failed,
        message,
        found_killed_at
    from {{ source('ops', 'run_log') }}
),

final as (
    select
        run_id,
        started_at,
        finished_at,
        status,
        stage_failed,
        message,
        found_killed_at,
        extract(epoch from finished_at - started_at)::numeric(12, 1) as duration_seconds
    from runs
)

select * from final
