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
            {{ utc_timestamp('applications.applied_at') }} as applied_at,
            lower(trim(applications.current_stage)) as current_stage,
            applications.is_closed,
            {{ utc_timestamp('applications.updated_at') }} as updated_at,
            cast(applications._dlt_load_id as {{ dbt.type_string() }}) as load_id
        from {{ source('raw_ats', 'applications') }} as applications
        where applications._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),

    -- the newest version of each application (macro newest_version: Spark's raw files keep them all)
    applications_newest as (
        {{ newest_version('applications', 'application_id') }}
    ),
{% else %}
    applications as (
        select
            cast(null as {{ dbt.type_bigint() }}) as application_id,
            cast(null as {{ dbt.type_bigint() }}) as candidate_id,
            cast(null as {{ dbt.type_string() }}) as posting_board,
            cast(null as {{ dbt.type_string() }}) as posting_job_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as {{ type_utc_timestamp() }}) as applied_at,
            cast(null as {{ dbt.type_string() }}) as current_stage,
            cast(null as {{ dbt.type_boolean() }}) as is_closed,
            cast(null as {{ type_utc_timestamp() }}) as updated_at,
            cast(null as {{ dbt.type_string() }}) as load_id
        where false
    ),

    applications_newest as (
        select * from applications
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
    from applications_newest
)

select * from final
