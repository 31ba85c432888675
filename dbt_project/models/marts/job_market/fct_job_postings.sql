{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'last_unified_at'},
        unique_key='posting_key',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['posting_key'], 'unique': true},
            {'columns': ['last_load_id']},
            {'columns': ['last_unified_at']},
            {'columns': ['posted_week']},
            {'columns': ['canonical_posting_id']},
        ],
    )
}}

{#- One row per canonical job: reposts on one board and the same job on other boards (see
    int_job_postings__canonical_groups) collapse into one job, described by its canonical,
    earliest posting, with every source kept (job_ids, posting_ids, source_boards, publishers;
    one row per posting in fct_job_posting_sources). The salary comes from the earliest member
    that has one, a published salary before a predicted one. Quarantined postings are excluded
    (see quarantined_records). Incremental: only jobs with postings new to int_job_postings__unified are recomputed. -#}

with

groups as (
    select
        group_key,
        canonical_key
    from {{ ref('int_job_postings__canonical_groups') }}
),

members as (
    select
        groups.canonical_key,
        postings.posting_id,
        postings.board,
        postings.board_job_id,
        postings.load_id,
        postings.unified_at,
        postings.posted_at,
        postings.publisher,
        postings.job_title,
        postings.employer_name,
        postings.employer_name_normalized,
        postings.employment_type,
        postings.is_remote,
        postings.city,
        postings.region,
        postings.country_code,
        postings.salary_currency,
        postings.salary_period,
        postings.salary_min_annual,
        postings.salary_max_annual,
        postings.salary_min_annual_usd,
        postings.salary_max_annual_usd,
        postings.salary_is_predicted,
        postings.language,
        postings.apply_url,
        postings.quality_issues
    from {{ ref('int_job_postings__unified') }} as postings
    inner join groups on postings.group_key = groups.group_key
    where not postings.is_quarantined
),

changed_jobs as (
    select distinct canonical_key
    from members
    where unified_at > {{ processed_watermark('last_unified_at') }}
),

job_members as (
    select members.*
    from members
    where members.canonical_key in (select changed_jobs.canonical_key from changed_jobs)
),

jobs as (
    select
        canonical_key,
        count(*) as posting_count,
        count(distinct board) as source_count,
        min(posted_at) as first_posted_at,
        max(posted_at) as last_posted_at,
        max(load_id) as last_load_id,
        max(unified_at) as last_unified_at,
        array_agg(board_job_id order by posted_at, posting_id) as job_ids,
        array_agg(posting_id order by posted_at, posting_id) as posting_ids,
        array_agg(distinct board order by board) as source_boards,
        array_agg(distinct publisher order by publisher) as publishers
    from job_members
    group by canonical_key
),

canonical as (
    select distinct on (canonical_key) *
    from job_members
    order by canonical_key asc, posted_at asc, posting_id asc
),

salaried as (
    select distinct on (canonical_key) *
    from job_members
    where salary_min_annual is not null or salary_max_annual is not null
    order by canonical_key asc, salary_is_predicted asc, posted_at asc, posting_id asc
),

final as (
    select
        jobs.canonical_key as posting_key,
        canonical.board_job_id as canonical_job_id,
        canonical.posting_id as canonical_posting_id,
        canonical.board as source_name,
        canonical.job_title,
        canonical.employer_name,
        canonical.employer_name_normalized,
        canonical.publisher as job_publisher,
        canonical.employment_type,
        canonical.is_remote,
        canonical.city,
        canonical.region,
        canonical.country_code,
        salaried.salary_currency,
        salaried.salary_period,
        salaried.salary_min_annual,
        salaried.salary_max_annual,
        salaried.salary_min_annual_usd,
        salaried.salary_max_annual_usd,
        coalesce(salaried.salary_is_predicted, false) as salary_is_predicted,
        canonical.language,
        canonical.apply_url,
        canonical.quality_issues,
        jobs.first_posted_at,
        jobs.last_posted_at,
        date_trunc('week', jobs.first_posted_at)::date as posted_week,
        jobs.posting_count,
        jobs.posting_count - 1 as repost_count,
        jobs.source_count,
        jobs.source_boards,
        jobs.publishers,
        jobs.job_ids,
        jobs.posting_ids,
        jobs.last_load_id,
        jobs.last_unified_at
    from jobs
    inner join canonical on jobs.canonical_key = canonical.canonical_key
    left join salaried on jobs.canonical_key = salaried.canonical_key
)

select * from final
