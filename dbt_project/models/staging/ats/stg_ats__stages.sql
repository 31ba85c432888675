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
            {{ utc_timestamp('stages.entered_at') }} as entered_at,
            cast(stages._dlt_load_id as {{ dbt.type_string() }}) as load_id
        from {{ source('raw_ats', 'stages') }} as stages
        where stages._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),

    -- the newest version of each stage (macro newest_version: Spark's raw files keep them all)
    stages_newest as (
        {{ newest_version('stages', 'stage_change_id') }}
    ),
{% else %}
    stages as (
        select
            cast(null as {{ dbt.type_bigint() }}) as stage_change_id,
            cast(null as {{ dbt.type_bigint() }}) as application_id,
            cast(null as {{ dbt.type_string() }}) as stage_name,
            cast(null as {{ type_utc_timestamp() }}) as entered_at,
            cast(null as {{ dbt.type_string() }}) as load_id
        where false
    ),

    stages_newest as (
        select * from stages
    ),
{% endif %}

final as (
    select
        stage_change_id,
        application_id,
        stage_name,
        entered_at,
        load_id
    from stages_newest
)

select * from final
