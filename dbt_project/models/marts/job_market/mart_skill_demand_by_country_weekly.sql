{{
    config(
        materialized='incremental',
        meta={'new_rows_column': ['last_unified_at', 'last_extracted_at']},
        unique_key='week_start',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['week_start']}, {'columns': ['skill_id']}],
    )
}}

{#- Where each skill is wanted: jobs per week, country and skill, with how many are remote.
    Weeks touched by new loads or re-extracted skills are recomputed. -#}

with

changed_weeks as (
    {{ changed_posted_weeks() }}
),

jobs as (
    select
        posting_key,
        posted_week,
        coalesce(country_code, 'unknown') as country_code,
        is_remote,
        last_load_id,
        last_unified_at
    from {{ ref('fct_job_postings') }}
    where posted_week in (select changed_weeks.posted_week from changed_weeks)
),

final as (
    select
        jobs.posted_week as week_start,
        jobs.country_code,
        posting_skills.skill_id,
        count(*) as jobs_mentioning,
        count(*) filter (where jobs.is_remote) as remote_jobs_mentioning,
        round(count(*) filter (where jobs.is_remote)::numeric / count(*), 4) as remote_share,
        max(jobs.last_load_id) as last_load_id,
        max(jobs.last_unified_at) as last_unified_at,
        max(posting_skills.extracted_at) as last_extracted_at
    from jobs
    inner join {{ ref('fct_job_posting_skills') }} as posting_skills
        on jobs.posting_key = posting_skills.posting_key
    group by jobs.posted_week, jobs.country_code, posting_skills.skill_id
)

select * from final
