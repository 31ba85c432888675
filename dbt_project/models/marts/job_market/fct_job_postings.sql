{{
    config(
        materialized='incremental',
        unique_key='posting_key',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['posting_key'], 'unique': true},
            {'columns': ['last_load_id']},
            {'columns': ['posted_week']},
        ],
    )
}}

{#- One row per job: reposts of the same job (see int_job_postings__reposts_ranked) collapse into
    the canonical (earliest) posting, with every job id kept. Only jobs touched by new loads are
    recomputed. -#}

with

changed_keys as (
    select distinct dedup_key
    from {{ ref('stg_jsearch__job_postings') }}
    where
        not is_quarantined
        and load_id > {{ load_watermark('last_load_id') }}
),

canonical as (
    select
        ranked.dedup_key,
        ranked.job_id,
        ranked.posting_count,
        ranked.first_posted_at,
        ranked.last_posted_at,
        ranked.last_load_id,
        ranked.job_ids
    from {{ ref('int_job_postings__reposts_ranked') }} as ranked
    where
        ranked.repost_rank = 1
        and ranked.dedup_key in (select changed_keys.dedup_key from changed_keys)
),

postings as (
    select
        job_id,
        job_title,
        employer_name,
        employer_name_normalized,
        job_publisher,
        employment_type,
        is_remote,
        city,
        region,
        country_code,
        salary_currency,
        salary_period,
        salary_min_annual,
        salary_max_annual,
        apply_url,
        quality_issues
    from {{ ref('stg_jsearch__job_postings') }}
),

final as (
    select
        canonical.dedup_key as posting_key,
        canonical.job_id as canonical_job_id,
        'jsearch' as source_name,
        postings.job_title,
        postings.employer_name,
        postings.employer_name_normalized,
        postings.job_publisher,
        postings.employment_type,
        postings.is_remote,
        postings.city,
        postings.region,
        postings.country_code,
        postings.salary_currency,
        postings.salary_period,
        postings.salary_min_annual,
        postings.salary_max_annual,
        postings.apply_url,
        postings.quality_issues,
        canonical.first_posted_at,
        canonical.last_posted_at,
        date_trunc('week', canonical.first_posted_at)::date as posted_week,
        canonical.posting_count,
        canonical.posting_count - 1 as repost_count,
        canonical.job_ids,
        canonical.last_load_id
    from canonical
    inner join postings on canonical.job_id = postings.job_id
)

select * from final
