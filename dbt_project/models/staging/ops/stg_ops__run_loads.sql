{#- Rows each run's extract-load wrote, per source and raw table. -#}

with

loads as (
    select
        run_id,
        source_name,
        dataset_name,
        table_name,
        rows_loaded,
        load_ids
    from {{ source('ops', 'run_loads') }}
),

final as (
    select
        run_id,
        source_name,
        dataset_name,
        table_name,
        rows_loaded,
        load_ids
    from loads
)

select * from final
