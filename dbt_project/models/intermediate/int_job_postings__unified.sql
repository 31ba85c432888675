{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'unified_at'},
        unique_key='posting_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['posting_id'], 'unique': true},
            {'columns': ['load_id']},
            {'columns': ['unified_at']},
            {'columns': ['board', 'dedup_key']},
            {'columns': ['board', 'employer_name_normalized', 'posted_at']},
        ],
    )
}}

{#- Every board's postings in one contract (doc job_posting_contract), one row per board posting.
    A table, not a view: cross-board dedup looks up candidates by normalised employer and posting
    time on it. Incremental: staged rows of loads this table has not seen yet (a late load with
    an older id included) are merged on posting_id. unified_at, when the row arrived here, is
    the watermark of every incremental model downstream (macro processed_watermark): they take
    rows in the order this table received them, whatever their load ids, so a load committed
    after a newer one, or staged by a later run, is never missed. -#}

{#- the job boards of the source registry (macro registered_sources), every staging model in
    the same contract -#}
{%- set boards = registered_sources('job_market') %}

with

{% for board in boards %}
    {{ board }}_new as (
        select staged.*
        from {{ ref('stg_' ~ board ~ '__job_postings') }} as staged
        {% if is_incremental() %}
            where staged.load_id not in (
                select distinct seen.load_id from {{ this }} as seen
                where seen.board = '{{ board }}'
            )
        {% endif %}
    ),

{% endfor %}

{% for board in boards %}
    {{ board }}_postings as (
        select
            '{{ board }}'::text as board,
            job_id::text as board_job_id,
            load_id,
            posted_at,
            fetched_at,
            publisher,
            job_title,
            job_title_normalized,
            employer_name,
            employer_name_normalized,
            city,
            region,
            country_code,
            is_remote,
            employment_type,
            salary_min,
            salary_max,
            salary_currency,
            salary_period,
            salary_min_annual,
            salary_max_annual,
            salary_is_predicted,
            description,
            apply_url,
            language,
            quality_issues,
            is_quarantined,
            dedup_key
        from {{ board }}_new
    ),

{% endfor %}

postings as (
    {% for board in boards %}
        select * from {{ board }}_postings
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- a rate is valid from its date until the currency's next rate (macros/job_normalization.sql)
rates as (
    {{ usd_rate_windows() }}
),

final as (
    select
        postings.board || ':' || postings.board_job_id as posting_id,
        postings.board,
        postings.board_job_id,
        postings.load_id,
        postings.posted_at,
        postings.fetched_at,
        postings.publisher,
        postings.job_title,
        postings.job_title_normalized,
        postings.employer_name,
        postings.employer_name_normalized,
        postings.city,
        postings.region,
        postings.country_code,
        postings.is_remote,
        postings.employment_type,
        postings.salary_min,
        postings.salary_max,
        postings.salary_currency,
        postings.salary_period,
        postings.salary_min_annual,
        postings.salary_max_annual,
        round(postings.salary_min_annual * rates.usd_per_unit, 2) as salary_min_annual_usd,
        round(postings.salary_max_annual * rates.usd_per_unit, 2) as salary_max_annual_usd,
        postings.salary_is_predicted,
        postings.description,
        postings.apply_url,
        postings.language,
        postings.quality_issues,
        postings.is_quarantined,
        postings.dedup_key,
        md5(postings.board || '|' || postings.dedup_key) as group_key,
        {{ dbt.current_timestamp() }} as unified_at
    from postings
    left join rates
        on
            postings.salary_currency = rates.currency_code
            and postings.posted_at::date >= rates.valid_from
            and postings.posted_at::date < rates.valid_to
)

select * from final
