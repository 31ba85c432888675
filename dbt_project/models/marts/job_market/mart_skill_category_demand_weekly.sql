{{
    config(
        materialized='incremental',
        meta={'new_rows_column': ['last_unified_at', 'last_extracted_at']},
        unique_key='week_start',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['week_start']}],
    )
}}

{#- Weekly demand per skill category: jobs first posted that week that mention any skill of the
    category, and their share of the week's jobs. Weeks touched by new loads or re-extracted skills
    are recomputed. -#}

with

changed_weeks as (
    {{ changed_posted_weeks() }}
),

weekly_totals as (
    select
        posted_week,
        count(*) as jobs_in_week,
        max(last_load_id) as last_load_id,
        max(last_unified_at) as last_unified_at
    from {{ ref('fct_job_postings') }}
    where posted_week in (select changed_weeks.posted_week from changed_weeks)
    group by posted_week
),

category_counts as (
    select
        posting_skills.posted_week,
        skills.category,
        count(distinct posting_skills.posting_key) as jobs_mentioning,
        max(posting_skills.extracted_at) as last_extracted_at
    from {{ ref('fct_job_posting_skills') }} as posting_skills
    inner join {{ ref('dim_skills') }} as skills on posting_skills.skill_id = skills.skill_id
    where posting_skills.posted_week in (select changed_weeks.posted_week from changed_weeks)
    group by posting_skills.posted_week, skills.category
),

final as (
    select
        category_counts.posted_week as week_start,
        category_counts.category,
        category_counts.jobs_mentioning,
        weekly_totals.jobs_in_week,
        round(category_counts.jobs_mentioning::numeric / weekly_totals.jobs_in_week, 4) as share_of_jobs,
        weekly_totals.last_load_id,
        weekly_totals.last_unified_at,
        category_counts.last_extracted_at
    from category_counts
    inner join weekly_totals on category_counts.posted_week = weekly_totals.posted_week
)

select * from final
