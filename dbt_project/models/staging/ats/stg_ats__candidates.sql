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
            candidates.years_experience::integer as years_experience,
            candidates.created_at at time zone 'utc' as created_at,
            candidates.updated_at at time zone 'utc' as updated_at,
            candidates._dlt_load_id::text as load_id
        from {{ source('raw_ats', 'candidates') }} as candidates
        where candidates._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    candidates as (
        select
            null::bigint as candidate_id,
            null::text as full_name,
            null::text as email,
            null::text as country_code,
            null::integer as years_experience,
            null::timestamptz as created_at,
            null::timestamptz as updated_at,
            null::text as load_id
        where false
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
    from candidates
)

select * from final
