{#- Stage changes of the example applicant-tracking database (generic source `ats`): one row per
    stage an application entered (applied, screening, interview, offer, hired, rejected), from
    complete dlt loads. Empty when raw_ats was never loaded. -#}

with

{% if raw_table_exists('raw_ats', 'stages') and raw_table_exists('raw_ats', '_dlt_loads') %}
    complete_loads as (
        {{ new_complete_loads('raw_ats') }}
    ),

    stages as (
        select
            stages.stage_change_id,
            stages.application_id,
            lower(trim(stages.stage)) as stage_name,
            stages.entered_at at time zone 'utc' as entered_at,
            stages._dlt_load_id::text as load_id
        from {{ source('raw_ats', 'stages') }} as stages
        where stages._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    stages as (
        select
            null::bigint as stage_change_id,
            null::bigint as application_id,
            null::text as stage_name,
            null::timestamptz as entered_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select
        stage_change_id,
        application_id,
        stage_name,
        entered_at,
        load_id
    from stages
)

select * from final
