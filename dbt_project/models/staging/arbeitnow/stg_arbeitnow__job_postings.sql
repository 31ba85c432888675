{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['load_id']}],
        pre_hook="{{ ensure_load_id_index('raw_arbeitnow', 'job_postings') }}",
    )
}}

{#- Arbeitnow postings (German job board): location is "City" or "City, Region, Country"; the
    country is Germany unless the location names another. job_types mixes employment types with
    seniority ("berufserfahren"), so the title ("Vollzeit", "Werkstudent*in") decides when the
    types name none. No salary field. -#}

with

raw_postings as (
    {{ raw_postings_of_new_loads('raw_arbeitnow') }}
),

items as (
    select
        raw_postings.job_id,
        raw_postings.load_id,
        raw_postings.posted_at,
        raw_postings.posted_at_source,
        raw_postings.fetched_at,
        raw_postings.search_query,
        raw_postings.search_country,
        nullif(trim(item.title), '') as job_title,
        nullif(trim(item.company_name), '') as employer_name,
        case lower(item.remote) when 'true' then true when 'false' then false end as is_remote,
        (
            select array_agg(trim(location_part.part) order by location_part.part_position)
            from unnest(string_to_array(item.location, ',')) with ordinality as location_part (part, part_position)
        ) as location_parts,
        nullif(array_to_string(array(select jsonb_array_elements_text(item.job_types)), ' | '), '')
            as employment_type_raw,
        nullif(array_to_string(array(select jsonb_array_elements_text(item.tags)), ' | '), '') as category,
        {{ html_to_text('item.description') }} as description,
        nullif(trim(item.url), '') as apply_url
    from raw_postings
    cross join lateral jsonb_to_record(raw_postings.payload) as item (
        title text,
        company_name text,
        remote text,
        location text,
        job_types jsonb,
        tags jsonb,
        description text,
        url text
    )
),

country_aliases as (
    select
        alias,
        country_code
    from {{ ref('country_aliases') }}
),

city_countries as (
    select
        city,
        country_code
    from {{ ref('city_countries') }}
),

fields as (
    select
        items.job_id,
        items.load_id,
        items.posted_at,
        items.posted_at_source,
        items.fetched_at,
        items.search_query,
        items.search_country,
        'arbeitnow'::text as publisher,
        items.job_title,
        items.employer_name,
        items.category,
        items.is_remote,
        nullif(items.location_parts[1], '') as city,
        case
            when cardinality(items.location_parts) >= 3 then items.location_parts[2]
            when cardinality(items.location_parts) = 2 and named_country.country_code is null
                then items.location_parts[2]
        end as region,
        coalesce(named_country.country_code, city_country.country_code, 'DE') as country_code,
        case
            when {{ employment_type_from_text('items.employment_type_raw') }} <> 'unknown'
                then {{ employment_type_from_text('items.employment_type_raw') }}
            else {{ employment_type_from_text('items.job_title') }}
        end as employment_type,
        items.employment_type_raw,
        null::text as salary_text,
        null::numeric as salary_min,
        null::numeric as salary_max,
        null::text as salary_currency_named,
        null::text as salary_period,
        false as salary_is_predicted,
        items.description,
        items.apply_url
    from items
    left join country_aliases as named_country
        on
            cardinality(items.location_parts) >= 2
            and lower(items.location_parts[cardinality(items.location_parts)]) = named_country.alias
    left join city_countries as city_country on lower(items.location_parts[1]) = city_country.city
),

{{ staged_posting_ctes() }}

select * from final
