{#- Every dlt load of every job-board source (the `_dlt_loads` of each raw schema named in the var
    `job_board_sources`): when it was committed and whether it completed. -#}

with

loads as (
    {% for source_name in var('job_board_sources') %}
        select
            '{{ source_name }}' as dataset_name,
            load_id,
            status,
            inserted_at
        from {{ source(source_name, '_dlt_loads') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        dataset_name,
        load_id,
        status = 0 as is_complete,
        inserted_at as committed_at
    from loads
)

select * from final
