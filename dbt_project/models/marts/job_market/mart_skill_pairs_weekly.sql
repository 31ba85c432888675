{{
    config(
        materialized='incremental',
        meta={'new_rows_column': ['last_unified_at', 'last_extracted_at']},
        unique_key='week_start',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['week_start']}, {'columns': ['skill_id', 'other_skill_id']}],
    )
}}

{#- Skills asked for together: per week, each unordered pair of skills mentioned by the same job
    (skill_id < other_skill_id). Weekly so that new loads recompute only their weeks; the
    all-time view is mart_skill_co_occurrence. -#}

with

changed_weeks as (
    {{ changed_posted_weeks() }}
),

posting_skills as (
    select
        posting_key,
        skill_id,
        posted_week,
        last_load_id,
        last_unified_at,
        extracted_at
    from {{ ref('fct_job_posting_skills') }}
    where posted_week in (select changed_weeks.posted_week from changed_weeks)
),

final as (
    select
        left_skill.posted_week as week_start,
        left_skill.skill_id,
        right_skill.skill_id as other_skill_id,
        count(*) as jobs_with_both,
        max(left_skill.last_load_id) as last_load_id,
        max(left_skill.last_unified_at) as last_unified_at,
        max(greatest(left_skill.extracted_at, right_skill.extracted_at)) as last_extracted_at
    from posting_skills as left_skill
    inner join posting_skills as right_skill
        on
            left_skill.posting_key = right_skill.posting_key
            and left_skill.skill_id < right_skill.skill_id
    group by left_skill.posted_week, left_skill.skill_id, right_skill.skill_id
)

select * from final
