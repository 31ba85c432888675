{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['load_id']}],
        pre_hook="{{ ensure_load_id_index('raw_remotive', 'job_postings') }}",
    )
}}

{#- Remotive postings: every job is remote; candidate_required_location ("USA", "Europe",
    "Worldwide", "USA, Canada") is the remote scope, kept as region, with the country when the
    scope starts with one. The salary is free text ("$120k - $150k", "$18 - $22/hr"). -#}

with

raw_postings as (
    {{ raw_postings_of_new_loads('raw_remotive') }}
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
        nullif(trim(item.category), '') as category,
        nullif(trim(item.job_type), '') as employment_type_raw,
        nullif(trim(item.candidate_required_location), '') as required_location,
        nullif(trim(item.salary), '') as salary_text,
        {{ salary_text_amounts("nullif(trim(item.salary), '')") }} as salary_amounts,
        {{ html_to_text('item.description') }} as description,
        nullif(trim(item.url), '') as apply_url
    from raw_postings
    cross join lateral jsonb_to_record(raw_postings.payload) as item (
        title text,
        company_name text,
        category text,
        job_type text,
        candidate_required_location text,
        salary text,
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

fields as (
    select
        items.job_id,
        items.load_id,
        items.posted_at,
        items.posted_at_source,
        items.fetched_at,
        items.search_query,
        items.search_country,
        'remotive'::text as publisher,
        items.job_title,
        items.employer_name,
        items.category,
        true as is_remote,
        null::text as city,
        items.required_location as region,
        country_aliases.country_code,
        {{ employment_type_from_text('items.employment_type_raw') }} as employment_type,
        items.employment_type_raw,
        items.salary_text,
        items.salary_amounts[1] as salary_min,
        coalesce(items.salary_amounts[2], items.salary_amounts[1]) as salary_max,
        {{ salary_text_currency('items.salary_text') }} as salary_currency_named,
        case
            when cardinality(items.salary_amounts) > 0
                then {{ salary_period_guess(salary_text_period('items.salary_text'), 'items.salary_amounts[1]') }}
        end as salary_period,
        false as salary_is_predicted,
        items.description,
        items.apply_url
    from items
    left join country_aliases
        on lower(trim(split_part(items.required_location, ',', 1))) = country_aliases.alias
),

{{ staged_posting_ctes() }}

select * from final
