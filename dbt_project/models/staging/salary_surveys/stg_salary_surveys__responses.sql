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
            cast(responses.response_id as {{ dbt.type_string() }}) as response_id,
            cast(responses.survey_month as date) as survey_month,
            upper(nullif(trim(responses.country_code), '')) as country_code,
            nullif(trim(responses.job_title), '') as job_title,
            nullif(trim(responses.primary_skill), '') as skill_name,
            cast(responses.years_experience as {{ dbt.type_int() }}) as years_experience,
            cast(responses.annual_salary as {{ type_decimal() }}) as annual_salary,
            upper(nullif(trim(responses.currency), '')) as currency_code,
            cast(responses.is_remote as {{ dbt.type_boolean() }}) as is_remote,
            cast(responses._file_name as {{ dbt.type_string() }}) as file_name,
            responses._file_modified_at as file_modified_at,
            cast(responses._dlt_load_id as {{ dbt.type_string() }}) as load_id
        from {{ source('raw_salary_surveys', 'responses') }} as responses
        where responses._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),

    -- the newest version of each response (macro newest_version: Spark's raw files keep them all)
    newest as (
        {{ newest_version('responses', 'response_id') }}
    ),
{% else %}
    responses as (
        select
            cast(null as {{ dbt.type_string() }}) as response_id,
            cast(null as date) as survey_month,
            cast(null as {{ dbt.type_string() }}) as country_code,
            cast(null as {{ dbt.type_string() }}) as job_title,
            cast(null as {{ dbt.type_string() }}) as skill_name,
            cast(null as {{ dbt.type_int() }}) as years_experience,
            cast(null as {{ type_decimal() }}) as annual_salary,
            cast(null as {{ dbt.type_string() }}) as currency_code,
            cast(null as {{ dbt.type_boolean() }}) as is_remote,
            cast(null as {{ dbt.type_string() }}) as file_name,
            cast(null as {{ type_utc_timestamp() }}) as file_modified_at,
            cast(null as {{ dbt.type_string() }}) as load_id
        where false
    ),

    newest as (
        select * from responses
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
    from newest as responses
    left join rates
        on
            responses.currency_code = rates.currency_code
            and responses.survey_month >= rates.valid_from
            and responses.survey_month < rates.valid_to
)

select * from final
