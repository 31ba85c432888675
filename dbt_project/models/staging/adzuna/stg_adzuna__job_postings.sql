{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['load_id']}],
        pre_hook="{{ ensure_load_id_index('raw_adzuna', 'job_postings') }}",
    )
}}

{#- Adzuna postings: location.area runs from country to neighbourhood (["US", "Washington",
    "King County", "Pioneer Square"]): country code, region (state), city (the most specific
    part). Salaries are annual numbers in the country's currency; salary_is_predicted "1" marks
    Adzuna's own estimate. contract_type "contract" wins over contract_time. -#}

with

raw_postings as (
    {{ raw_postings_of_new_loads('raw_adzuna') }}
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
        {{ html_to_text('item.title') }} as job_title,
        nullif(trim(item.company ->> 'display_name'), '') as employer_name,
        nullif(trim(item.category ->> 'label'), '') as category,
        array(select jsonb_array_elements_text(item.location -> 'area')) as area,
        nullif(trim(item.location ->> 'display_name'), '') as location_name,
        lower(nullif(trim(item.contract_time), '')) as contract_time,
        lower(nullif(trim(item.contract_type), '')) as contract_type,
        {{ json_numeric('item.salary_min') }} as salary_min,
        {{ json_numeric('item.salary_max') }} as salary_max,
        trim(item.salary_is_predicted) in ('1', 'true') as salary_is_predicted,
        {{ html_to_text('item.description') }} as description,
        nullif(trim(item.redirect_url), '') as apply_url
    from raw_postings
    cross join lateral jsonb_to_record(raw_postings.payload) as item (
        title text,
        company jsonb,
        category jsonb,
        location jsonb,
        contract_time text,
        contract_type text,
        salary_min text,
        salary_max text,
        salary_is_predicted text,
        description text,
        redirect_url text
    )
),

country_aliases as (
    select
        alias,
        country_code
    from {{ ref('country_aliases') }}
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
        'adzuna'::text as publisher,
        items.job_title,
        items.employer_name,
        items.category,
        coalesce(
            items.job_title ~* '\mremote\M' or items.location_name ~* '\mremote\M', false
        ) as is_remote,
        case when cardinality(items.area) >= 3 then items.area[cardinality(items.area)] end as city,
        items.area[2] as region,
        coalesce(area_country.country_code, search_country.country_code) as country_code,
        case
            when items.contract_type = 'contract' then 'contract'
            else {{ employment_type_from_text('coalesce(items.contract_time, items.contract_type)') }}
        end as employment_type,
        nullif(concat_ws(' ', items.contract_time, items.contract_type), '') as employment_type_raw,
        null::text as salary_text,
        items.salary_min,
        items.salary_max,
        null::text as salary_currency_named,
        case when coalesce(items.salary_min, items.salary_max) is not null then 'YEAR' end as salary_period,
        items.salary_is_predicted,
        items.description,
        items.apply_url
    from items
    left join country_aliases as area_country on lower(items.area[1]) = area_country.alias
    left join country_aliases as search_country on lower(items.search_country) = search_country.alias
),

{{ staged_posting_ctes() }}

select * from final
