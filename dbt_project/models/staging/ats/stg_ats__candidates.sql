{#- Candidates of the example applicant-tracking database (generic source `ats`): one row per
    candidate, the newest profile from complete dlt loads. Empty when raw_ats was never loaded. -#}

with

{% if raw_table_exists('raw_ats', 'candidates') and raw_table_exists('raw_ats', '_dlt_loads') %}
    complete_loads as (
        {{ new_complete_loads('raw_ats') }}
    ),

    candidates as (
        select
            candidates.candidate_id,
            nullif(trim(candidates.full_name), '') as full_name,
            lower(nullif(trim(candidates.email), '')) as email,
            upper(nullif(trim(candidates.country_code), '')) as country_code,
            cast(candidates.years_experience as {{ dbt.type_int() }}) as years_experience,
            {{ utc_timestamp('candidates.created_at') }} as created_at,
            {{ utc_timestamp('candidates.updated_at') }} as updated_at,
            cast(candidates._dlt_load_id as {{ dbt.type_string() }}) as load_id
        from {{ source('raw_ats', 'candidates') }} as candidates
        where candidates._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),

    -- the newest version of each candidate (macro newest_version: Spark's raw files keep them all)
    candidates_newest as (
        {{ newest_version('candidates', 'candidate_id') }}
    ),
{% else %}
    candidates as (
        select
            cast(null as {{ dbt.type_bigint() }}) as candidate_id,
            cast(null as {{ dbt.type_string() }}) as full_name,
            cast(null as {{ dbt.type_string() }}) as email,
            cast(null as {{ dbt.type_string() }}) as country_code,
            cast(null as {{ dbt.type_int() }}) as years_experience,
            cast(null as {{ type_utc_timestamp() }}) as created_at,
            cast(null as {{ type_utc_timestamp() }}) as updated_at,
            cast(null as {{ dbt.type_string() }}) as load_id
        where false
    ),

    candidates_newest as (
        select * from candidates
    ),
{% endif %}

final as (
    select
        candidate_id,
        full_name,
        email,
        country_code,
        years_experience,
        created_at,
        updated_at,
        load_id
    from candidates_newest
)

select * from final
