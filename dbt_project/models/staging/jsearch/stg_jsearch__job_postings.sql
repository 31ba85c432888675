{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['load_id']},
            {'columns': ['dedup_key']},
        ],
        pre_hook="{{ ensure_load_id_index('raw_jsearch', 'job_postings') }}",
    )
}}

{#- JSearch postings in the job-posting contract (doc job_posting_contract), like every board:
    the employment type from its codes (job_employment_types, else job_employment_type:
    FULLTIME, CONTRACTOR, ...), the salary per job_salary_period as sent, its currency from a
    symbol in job_salary (€, £, ₹, A$, C$), else the country's; the publisher is job_publisher
    (LinkedIn, Indeed, ...). search_country is the country the search asked for (null for rows
    loaded before the raw table had it). Beyond the contract: coordinates and the O*NET code. -#}

with

raw_postings as (
    {{ raw_postings_of_new_loads(
        'raw_jsearch', with_country=raw_column_exists('raw_jsearch', 'job_postings', 'search_country')
    ) }}
),

-- one jsonb_to_record per row: each `payload ->> 'key'` would decompress the whole payload again
items as (
    select
        raw_postings.job_id,
        raw_postings.load_id,
        raw_postings.posted_at,
        raw_postings.posted_at_source,
        raw_postings.fetched_at,
        raw_postings.search_query,
        raw_postings.search_country,
        nullif(trim(item.job_title), '') as job_title,
        nullif(trim(item.employer_name), '') as employer_name,
        nullif(trim(item.job_publisher), '') as publisher,
        upper(coalesce(item.job_employment_types ->> 0, item.job_employment_type)) as employment_type_raw,
        case lower(item.job_is_remote) when 'true' then true when 'false' then false end as is_remote,
        nullif(trim(item.job_city), '') as city,
        nullif(trim(item.job_state), '') as region,
        upper(nullif(trim(item.job_country), '')) as country_code,
        {{ json_numeric('item.job_latitude') }} as latitude,
        {{ json_numeric('item.job_longitude') }} as longitude,
        {{ json_numeric('item.job_min_salary') }} as salary_min,
        {{ json_numeric('item.job_max_salary') }} as salary_max,
        upper(nullif(trim(item.job_salary_period), '')) as salary_period,
        nullif(trim(item.job_salary), '') as salary_text,
        {{ html_to_text('item.job_description') }} as description,
        nullif(trim(item.job_apply_link), '') as apply_url,
        nullif(trim(item.job_onet_soc), '') as onet_soc_code
    from raw_postings
    cross join lateral jsonb_to_record(raw_postings.payload) as item (
        job_title text,
        employer_name text,
        job_publisher text,
        job_employment_types jsonb,
        job_employment_type text,
        job_is_remote text,
        job_city text,
        job_state text,
        job_country text,
        job_latitude text,
        job_longitude text,
        job_min_salary text,
        job_max_salary text,
        job_salary_period text,
        job_salary text,
        job_description text,
        job_apply_link text,
        job_onet_soc text
    )
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
        coalesce(items.publisher, 'jsearch') as publisher,
        items.job_title,
        items.employer_name,
        null::text as category,
        items.is_remote,
        items.city,
        items.region,
        items.country_code,
        {{ employment_type_from_text('items.employment_type_raw') }} as employment_type,
        items.employment_type_raw,
        items.salary_text,
        items.salary_min,
        items.salary_max,
        -- JSearch writes "$" for dollars of any country: only these symbols name the currency
        case
            when items.salary_text like '%€%' then 'EUR'
            when items.salary_text like '%£%' then 'GBP'
            when items.salary_text like '%₹%' then 'INR'
            when items.salary_text ~ '(A|AU)\$' then 'AUD'
            when items.salary_text ~ '(C|CA)\$' then 'CAD'
            when items.salary_text like '%$%' and items.country_code is null then 'USD'
        end as salary_currency_named,
        items.salary_period,
        false as salary_is_predicted,
        items.description,
        items.apply_url,
        items.latitude,
        items.longitude,
        items.onet_soc_code
    from items
),

{{ staged_posting_ctes(extra_columns=['latitude', 'longitude', 'onet_soc_code']) }}

select * from final
