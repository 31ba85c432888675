{{
    config(
        materialized='incremental',
        unique_key='login',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['login']}],
        post_hook=["delete from {{ this }} where skill_id is null"],
    )
}}

{#- The most-demanded skills a profile lacks among its nearest roles (its recommendations), at most
    `careers_top_gaps` a profile: ranked by market demand, then by how many of its nearest roles ask
    for the skill, then by the skill's median salary.
    Incremental: each row keeps the fingerprint of everything its profile's gaps are ranked from
    (each candidate skill, how many nearest roles need it, its demand weight, median salary, name and
    category); a profile is ranked again only when that fingerprint changed (new recommendations,
    demand or salaries that moved, a profile without candidates any more). Its rows are replaced
    whole (delete+insert on login): one left without a gap is written as one row without a skill,
    which deletes its old rows, and the post-hook removes that row. -#}

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

candidates as (
    select
        gaps.login,
        gaps.skill_id,
        skills.skill_name,
        skills.category,
        demand.demand_weight,
        gaps.nearest_jobs_needing,
        salaries.salary_median_usd
    from gaps
    inner join demand on gaps.skill_id = demand.skill_id
    inner join {{ ref('skill_taxonomy_skills') }} as skills on gaps.skill_id = skills.skill_id
    left join salaries on gaps.skill_id = salaries.skill_id
),

login_inputs as (
    select
        login,
        {{ careers_fingerprint([dbt.listagg(
            careers_fingerprint([
                'skill_id', 'skill_name', 'category', 'demand_weight', 'nearest_jobs_needing', 'salary_median_usd',
            ]),
            "','", 'order by skill_id')]) }} as inputs_fingerprint
    from candidates
    group by login
),

changed_logins as (
    select login_inputs.login
    from login_inputs
    {% if is_incremental() %}
        left join (
            select
                seen.login,
                max(
                    {{ 'seen.inputs_fingerprint' if careers_state_exists('inputs_fingerprint')
                       else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
                ) as inputs_fingerprint
            from {{ this }} as seen
            group by seen.login
        ) as seen_inputs on login_inputs.login = seen_inputs.login
        where login_inputs.inputs_fingerprint is distinct from seen_inputs.inputs_fingerprint
        union
        select seen.login
        from {{ this }} as seen
        where seen.login not in (select login_inputs.login from login_inputs)
    {% endif %}
),

ranked as (
    select
        candidates.login,
        candidates.skill_id,
        candidates.skill_name,
        candidates.category,
        candidates.demand_weight,
        candidates.nearest_jobs_needing,
        candidates.salary_median_usd,
        row_number() over (
            partition by candidates.login
            order by
                candidates.demand_weight desc, candidates.nearest_jobs_needing desc,
                candidates.salary_median_usd desc nulls last, candidates.skill_id asc
        ) as gap_rank
    from candidates
    where candidates.login in (select changed_logins.login from changed_logins)
),

skill_gaps as (
    select
        ranked.login || '|' || ranked.skill_id as gap_key,
        ranked.login,
        ranked.gap_rank,
        ranked.skill_id,
        ranked.skill_name,
        ranked.category,
        ranked.demand_weight,
        ranked.nearest_jobs_needing,
        ranked.salary_median_usd,
        login_inputs.inputs_fingerprint,
        {{ careers_built_at() }} as computed_at
    from ranked
    inner join login_inputs on ranked.login = login_inputs.login
    where ranked.gap_rank <= {{ var('careers_top_gaps') }}
),

final as (
    select * from skill_gaps
    {% if is_incremental() %}
        -- a profile without any gap left: one row without a skill deletes its rows
        union all
        select
            null as gap_key,
            changed_logins.login,
            null as gap_rank,
            null as skill_id,
            null as skill_name,
            null as category,
            null as demand_weight,
            null as nearest_jobs_needing,
            null as salary_median_usd,
            null as inputs_fingerprint,
            {{ careers_built_at() }} as computed_at
        from changed_logins
        where changed_logins.login not in (select skill_gaps.login from skill_gaps)
    {% endif %}
)

select * from final
