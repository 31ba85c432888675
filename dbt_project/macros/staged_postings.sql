{#- The part every job-board staging model shares, after its own `fields` CTE has read the
    board's payload into the standard columns (job_id, load_id, posted_at, posted_at_source,
    fetched_at, search_query, search_country, publisher, job_title, employer_name, category,
    is_remote, city, region, country_code, employment_type, employment_type_raw, salary_text,
    salary_min, salary_max, salary_currency_named, salary_period, salary_is_predicted,
    description, apply_url), plus any `extra_columns` of the board's own (kept last, as they are).
    Defines `normalized`, `checked` and `final`: currency (named, else the country's), annual
    salary (voided when it fails a check), normalised names, language, quality issues, dedup key. -#}
{% macro staged_posting_ctes(extra_columns=[]) %}
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
            when fields.salary_min is not null or fields.salary_max is not null
                then coalesce(fields.salary_currency_named, currencies.currency_code)
        end as salary_currency,
        periods.periods_per_year,
        {{ normalize_company_name('fields.employer_name') }} as employer_name_normalized,
        {{ normalize_title('fields.job_title') }} as job_title_normalized,
        {{ posting_language("concat_ws(' ', fields.job_title, fields.description)") }} as language
    from fields
    left join currencies on fields.country_code = currencies.country_code
    left join periods on fields.salary_period = periods.salary_period
),

checked as (
    select
        *,
        {{ posting_quality_issues() }} as quality_issues
    from normalized
),

final as (
    select
        job_id,
        load_id,
        posted_at,
        posted_at_source,
        fetched_at,
        search_query,
        search_country,
        publisher,
        job_title,
        job_title_normalized,
        employer_name,
        employer_name_normalized,
        category,
        coalesce(is_remote, false) as is_remote,
        city,
        region,
        country_code,
        employment_type,
        employment_type_raw,
        salary_text,
        salary_min,
        salary_max,
        salary_currency,
        salary_period,
        coalesce(salary_is_predicted, false) as salary_is_predicted,
        -- salary issues void the annual salary (the amounts stay above) but not the posting
        case
            when not quality_issues && array['negative_salary', 'salary_min_above_max', 'salary_out_of_range']
                then salary_min * periods_per_year
        end as salary_min_annual,
        case
            when not quality_issues && array['negative_salary', 'salary_min_above_max', 'salary_out_of_range']
                then salary_max * periods_per_year
        end as salary_max_annual,
        description,
        apply_url,
        language,
        quality_issues,
        -- a posting without a title or employer cannot be analysed: quarantined, not dropped
        quality_issues && array['missing_title', 'missing_employer'] as is_quarantined,
        md5(concat_ws(
            '|', employer_name_normalized, job_title_normalized, lower(city), country_code
        )) as dedup_key
        {%- for column in extra_columns %},
        {{ column }}
        {%- endfor %}
    from checked
)
{% endmacro %}
