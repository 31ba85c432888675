{#- Profile x recent canonical job that shares at least one skill with it, scored by the share of
    the job's market demand the profile covers (formula in _careers__docs.md, match_score). -#}

with

profile_skills as (
    select
        login,
        skill_id
    from {{ ref('fct_profile_skills') }}
),

job_skills as (
    select
        posting_key,
        skill_id,
        demand_weight
    from {{ ref('int_careers__recent_job_skills') }}
),

jobs as (
    select
        posting_key,
        min(job_title) as job_title,
        min(employer_name) as employer_name,
        min(country_code) as country_code,
        bool_or(is_remote) as is_remote,
        min(salary_min_annual_usd) as salary_min_annual_usd,
        max(salary_max_annual_usd) as salary_max_annual_usd,
        min(apply_url) as apply_url,
        max(last_posted_at) as last_posted_at,
        count(*) as job_skill_count,
        sum(demand_weight) as job_weight
    from {{ ref('int_careers__recent_job_skills') }}
    group by posting_key
),

candidates as (
    select distinct
        profile_skills.login,
        job_skills.posting_key
    from profile_skills
    inner join job_skills on profile_skills.skill_id = job_skills.skill_id
),

pairs as (
    select
        candidates.login,
        candidates.posting_key,
        job_skills.skill_id,
        job_skills.demand_weight,
        profile_skills.skill_id is not null as is_matched
    from candidates
    inner join job_skills on candidates.posting_key = job_skills.posting_key
    left join profile_skills
        on
            candidates.login = profile_skills.login
            and job_skills.skill_id = profile_skills.skill_id
),

scored as (
    select
        login,
        posting_key,
        sum(demand_weight) filter (where is_matched) as matched_weight,
        count(*) filter (where is_matched) as matched_skill_count,
        array_agg(skill_id order by demand_weight desc, skill_id asc) filter (where is_matched) as matched_skills,
        coalesce(
            array_agg(skill_id order by demand_weight desc, skill_id asc) filter (where not is_matched),
            array[]::text[]
        ) as missing_skills
    from pairs
    group by login, posting_key
),

final as (
    select
        scored.login || '|' || scored.posting_key as match_key,
        scored.login,
        scored.posting_key,
        jobs.job_title,
        jobs.employer_name,
        jobs.country_code,
        jobs.is_remote,
        jobs.salary_min_annual_usd,
        jobs.salary_max_annual_usd,
        jobs.apply_url,
        jobs.last_posted_at,
        round((scored.matched_weight / jobs.job_weight)::numeric, 6)::double precision as match_score,
        -- rounded: a sum of floats depends on its order, and ties must rank the same on every run
        round(scored.matched_weight::numeric, 9)::double precision as matched_weight,
        round(jobs.job_weight::numeric, 9)::double precision as job_weight,
        scored.matched_skill_count,
        jobs.job_skill_count,
        scored.matched_skills,
        scored.missing_skills
    from scored
    inner join jobs on scored.posting_key = jobs.posting_key
)

select * from final
