{#- Applications of the example applicant-tracking database (generic source `ats`, SQLite): one row
    per application, its newest version from complete dlt loads (raw_ats merges on application_id).
    Empty when raw_ats was never loaded. -#}

with

{% if raw_table_exists('raw_ats', 'applications') and raw_table_exists('raw_ats', '_dlt_loads') %}
    complete_loads as (
        {{ new_complete_loads('raw_ats') }}
    ),

    applications as (
        select
            applications.application_id,
            applications.candidate_id,
            lower(trim(applications.posting_board)) as posting_board,
            trim(applications.posting_job_id) as posting_job_id,
            lower(trim(applications.channel)) as channel,
            applications.applied_at at time zone 'utc' as applied_at,
            lower(trim(applications.current_stage)) as current_stage,
            applications.is_closed,
            applications.updated_at at time zone 'utc' as updated_at,
            applications._dlt_load_id::text as load_id
        from {{ source('raw_ats', 'applications') }} as applications
        where applications._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    applications as (
        select
            null::bigint as application_id,
            null::bigint as candidate_id,
            null::text as posting_board,
            null::text as posting_job_id,
            null::text as channel,
            null::timestamptz as applied_at,
            null::text as current_stage,
            null::boolean as is_closed,
            null::timestamptz as updated_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select
        application_id,
        candidate_id,
        posting_board,
        posting_job_id,
        posting_board || ':' || posting_job_id as posting_id,
        channel,
        applied_at,
        current_stage,
        is_closed,
        updated_at,
        load_id
    from applications
)

select * from final
