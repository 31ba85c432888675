{#- Salary-survey responses (generic source `salary_surveys`, a folder of monthly CSV files): one row
    per response from complete dlt loads, typed, the salary also in annual US dollars (at the rate
    valid in the survey month, seed exchange_rates_usd). Empty when raw_salary_surveys was never
    loaded. -#}

with

{% if raw_table_exists('raw_salary_surveys', 'responses') and raw_table_exists('raw_salary_surveys', '_dlt_loads') %}
    complete_loads as (
        {{ new_complete_loads('raw_salary_surveys') }}
    ),

    responses as (
        select
            responses.response_id::text as response_id,
            responses.survey_month::date as survey_month,
            upper(nullif(trim(responses.country_code), '')) as country_code,
            nullif(trim(responses.job_title), '') as job_title,
            nullif(trim(responses.primary_skill), '') as skill_name,
            responses.years_experience::integer as years_experience,
            responses.annual_salary::numeric as annual_salary,
            upper(nullif(trim(responses.currency), '')) as currency_code,
            responses.is_remote::boolean as is_remote,
            responses._file_name::text as file_name,
            responses._file_modified_at as file_modified_at,
            responses._dlt_load_id::text as load_id
        from {{ source('raw_salary_surveys', 'responses') }} as responses
        where responses._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    responses as (
        select
            null::text as response_id,
            null::date as survey_month,
            null::text as country_code,
            null::text as job_title,
            null::text as skill_name,
            null::integer as years_experience,
            null::numeric as annual_salary,
            null::text as currency_code,
            null::boolean as is_remote,
            null::text as file_name,
            null::timestamptz as file_modified_at,
            null::text as load_id
        where false
    ),
{% endif %}

-- a rate is valid from its date until the currency's next rate (macros/job_normalization.sql)
rates as (
    {{ usd_rate_windows() }}
),

final as (
    select
        responses.response_id,
        responses.survey_month,
        responses.country_code,
        responses.job_title,
        responses.skill_name,
        lower(responses.skill_name) as skill_name_normalized,
        responses.years_experience,
        responses.annual_salary,
        responses.currency_code,
        round(responses.annual_salary * rates.usd_per_unit, 0) as annual_salary_usd,
        responses.is_remote,
        responses.file_name,
        responses.file_modified_at,
        responses.load_id
    from responses
    left join rates
        on
            responses.currency_code = rates.currency_code
            and responses.survey_month >= rates.valid_from
            and responses.survey_month < rates.valid_to
)

select * from final
