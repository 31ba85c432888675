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

with

raw_postings as (
    {{ raw_postings_of_new_loads('raw_jsearch', with_country=false) }}
),

-- one jsonb_to_record per row: each `payload ->> 'key'` would decompress the whole payload again
fields as (
    select
        raw_postings.job_id,
        raw_postings.load_id,
        raw_postings.posted_at,
        raw_postings.posted_at_source,
        raw_postings.fetched_at,
        nullif(trim(item.job_title), '') as job_title,
        nullif(trim(item.employer_name), '') as employer_name,
        nullif(trim(item.job_publisher), '') as job_publisher,
        upper(coalesce(item.job_employment_types ->> 0, item.job_employment_type)) as employment_type_raw,
        case lower(item.job_is_remote) when 'true' then true when 'false' then false end as is_remote,
        nullif(trim(item.job_city), '') as city,
        nullif(trim(item.job_state), '') as region,
        upper(nullif(trim(item.job_country), '')) as country_code,
        {{ json_numeric('item.job_latitude') }} as latitude,
        {{ json_numeric('item.job_longitude') }} as longitude,
        {{ json_numeric('item.job_min_salary') }} as salary_min_raw,
        {{ json_numeric('item.job_max_salary') }} as salary_max_raw,
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

currencies as (
    select
        country_code,
        currency_code
    from {{ ref('country_currencies') }}
),

periods as (
    select
        salary_period,
        periods_per_year
    from {{ ref('salary_periods') }}
),

normalized as (
    select
        fields.*,
        case
            when fields.employment_type_raw in ('FULLTIME', 'FULL-TIME', 'FULL TIME') then 'full_time'
            when fields.employment_type_raw in ('PARTTIME', 'PART-TIME', 'PART TIME') then 'part_time'
            when fields.employment_type_raw in ('CONTRACTOR', 'CONTRACT', 'TEMPORARY') then 'contract'
            when fields.employment_type_raw in ('INTERN', 'INTERNSHIP') then 'internship'
            when fields.employment_type_raw is null then 'unknown'
            else 'other'
        end as employment_type,
        case
            when fields.salary_text like '%€%' then 'EUR'
            when fields.salary_text like '%£%' then 'GBP'
            when fields.salary_text like '%₹%' then 'INR'
            when fields.salary_text ~ '(A|AU)\$' then 'AUD'
            when fields.salary_text ~ '(C|CA)\$' then 'CAD'
            else coalesce(currencies.currency_code, case when fields.salary_text like '%$%' then 'USD' end)
        end as salary_currency,
        periods.periods_per_year,
        {{ normalize_company_name('fields.employer_name') }} as employer_name_normalized,
        {{ normalize_title('fields.job_title') }} as job_title_normalized
    from fields
    left join currencies on fields.country_code = currencies.country_code
    left join periods on fields.salary_period = periods.salary_period
),

checked as (
    select
        *,
        array_remove(array[
            case when job_title is null then 'missing_title' end,
            case when employer_name is null then 'missing_employer' end,
            case when salary_min_raw < 0 or salary_max_raw < 0 then 'negative_salary' end,
            case when salary_min_raw > salary_max_raw then 'salary_min_above_max' end,
            case
                when
                    greatest(salary_min_raw, salary_max_raw) * periods_per_year
                    > {{ var('max_annual_salary') }}
                    then 'salary_out_of_range'
            end,
            case
                when (salary_min_raw is not null or salary_max_raw is not null) and periods_per_year is null
                    then 'unknown_salary_period'
            end,
            case when employment_type = 'other' then 'unknown_employment_type' end,
            case when description is null then 'missing_description' end
        ], null) as quality_issues
    from normalized
),

final as (
    select
        job_id,
        load_id,
        posted_at,
        posted_at_source,
        fetched_at,
        job_title,
        job_title_normalized,
        employer_name,
        employer_name_normalized,
        job_publisher,
        employment_type,
        employment_type_raw,
        coalesce(is_remote, false) as is_remote,
        city,
        region,
        country_code,
        latitude,
        longitude,
        salary_min_raw,
        salary_max_raw,
        salary_period,
        salary_text,
        salary_currency,
        description,
        apply_url,
        onet_soc_code,
        quality_issues,
        -- salary issues void the salary (kept raw above) but not the posting
        case
            when quality_issues && array['negative_salary', 'salary_min_above_max', 'salary_out_of_range']
                then null
            else salary_min_raw * periods_per_year
        end as salary_min_annual,
        case
            when quality_issues && array['negative_salary', 'salary_min_above_max', 'salary_out_of_range']
                then null
            else salary_max_raw * periods_per_year
        end as salary_max_annual,
        -- a posting without a title or employer cannot be analysed: quarantined, not dropped
        quality_issues && array['missing_title', 'missing_employer'] as is_quarantined,
        md5(concat_ws(
            '|', employer_name_normalized, job_title_normalized, lower(city), country_code
        )) as dedup_key
    from checked
)

select * from final
