{#- The most-demanded skills a profile lacks among its nearest roles (its recommendations), at most
    `careers_top_gaps` a profile: ranked by market demand, then by how many of its nearest roles ask
    for the skill, then by the skill's median salary. -#}

with

nearest_missing as (
    select
        recommendations.login,
        missing.skill_id
    from {{ ref('mart_profile_recommendations') }} as recommendations
    cross join lateral unnest(recommendations.missing_skills) as missing (skill_id)
),

demand as (
    select distinct
        skill_id,
        demand_weight
    from {{ ref('int_careers__recent_job_skills') }}
),

salaries as (
    select
        skill_id,
        salary_median_usd
    from {{ ref('mart_skill_salaries') }}
),

gaps as (
    select
        login,
        skill_id,
        count(*) as nearest_jobs_needing
    from nearest_missing
    group by login, skill_id
),

ranked as (
    select
        gaps.login,
        gaps.skill_id,
        skills.skill_name,
        skills.category,
        demand.demand_weight,
        gaps.nearest_jobs_needing,
        salaries.salary_median_usd,
        row_number() over (
            partition by gaps.login
            order by
                demand.demand_weight desc, gaps.nearest_jobs_needing desc,
                salaries.salary_median_usd desc nulls last, gaps.skill_id asc
        ) as gap_rank
    from gaps
    inner join demand on gaps.skill_id = demand.skill_id
    inner join {{ ref('skill_taxonomy_skills') }} as skills on gaps.skill_id = skills.skill_id
    left join salaries on gaps.skill_id = salaries.skill_id
),

final as (
    select
        login || '|' || skill_id as gap_key,
        login,
        gap_rank,
        skill_id,
        skill_name,
        category,
        demand_weight,
        nearest_jobs_needing,
        salary_median_usd
    from ranked
    where gap_rank <= {{ var('careers_top_gaps') }}
)

select * from final
