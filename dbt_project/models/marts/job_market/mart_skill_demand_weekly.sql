{{
    config(
        materialized='incremental',
        meta={'new_rows_column': ['last_unified_at', 'last_extracted_at']},
        unique_key='week_start',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['week_start']}, {'columns': ['skill_id']}],
    )
}}

{#- Weekly demand per skill: jobs first posted that week that mention the skill, and their share
    of all jobs that week. Weeks touched by new loads or re-extracted skills are recomputed
    whole. -#}

with

changed_weeks as (
    {{ changed_posted_weeks() }}
),

jobs as (
    select
        posting_key,
        posted_week,
        last_load_id,
        last_unified_at
    from {{ ref('fct_job_postings') }}
    where posted_week in (select changed_weeks.posted_week from changed_weeks)
),

weekly_totals as (
    select
        posted_week,
        count(*) as jobs_in_week,
        max(last_load_id) as last_load_id,
        max(last_unified_at) as last_unified_at
    from jobs
    group by posted_week
),

skill_counts as (
    select
        posting_skills.posted_week,
        posting_skills.skill_id,
        count(*) as jobs_mentioning,
        max(posting_skills.extracted_at) as last_extracted_at
    from {{ ref('fct_job_posting_skills') }} as posting_skills
    where posting_skills.posted_week in (select changed_weeks.posted_week from changed_weeks)
    group by posting_skills.posted_week, posting_skills.skill_id
),

skills as (
    select
        skill_id,
        skill_name,
        category
    from {{ ref('dim_skills') }}
),

final as (
    select
        skill_counts.posted_week as week_start,
        skill_counts.skill_id,
        skills.skill_name,
        skills.category,
        skill_counts.jobs_mentioning,
        weekly_totals.jobs_in_week,
        round(skill_counts.jobs_mentioning::numeric / weekly_totals.jobs_in_week, 4) as share_of_jobs,
        weekly_totals.last_load_id,
        weekly_totals.last_unified_at,
        skill_counts.last_extracted_at
    from skill_counts
    inner join weekly_totals on skill_counts.posted_week = weekly_totals.posted_week
    inner join skills on skill_counts.skill_id = skills.skill_id
)

select * from final
