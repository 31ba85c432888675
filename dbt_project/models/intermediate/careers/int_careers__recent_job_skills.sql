{{ config(materialized='table', indexes=[{'columns': ['skill_id']}, {'columns': ['posting_key']}]) }}

{#- Skills of the jobs seen in the last `careers_recent_days` days (before ELT_AS_OF, else now),
    each with its market demand: the share of those jobs that ask for it. The weights every
    profile-to-job match is scored with (fct_profile_job_matches). -#}

with

recent_jobs as (
    select
        posting_key,
        job_title,
        employer_name,
        country_code,
        is_remote,
        salary_min_annual_usd,
        salary_max_annual_usd,
        apply_url,
        last_posted_at
    from {{ ref('fct_job_postings') }}
    where
        last_posted_at >= {{ dbt.dateadd('day', -var('careers_recent_days'), careers_as_of()) }}
        and last_posted_at <= {{ careers_as_of() }}
),

job_skills as (
    select distinct
        job_skills.posting_key,
        job_skills.skill_id
    from {{ ref('fct_job_posting_skills') }} as job_skills
    where job_skills.posting_key in (select recent_jobs.posting_key from recent_jobs)
),

demand as (
    select
        job_skills.skill_id,
        count(*)::double precision / nullif((select count(*) from recent_jobs), 0) as demand_weight
    from job_skills
    group by job_skills.skill_id
),

final as (
    select
        job_skills.posting_key,
        job_skills.skill_id,
        demand.demand_weight,
        recent_jobs.job_title,
        recent_jobs.employer_name,
        recent_jobs.country_code,
        recent_jobs.is_remote,
        recent_jobs.salary_min_annual_usd,
        recent_jobs.salary_max_annual_usd,
        recent_jobs.apply_url,
        recent_jobs.last_posted_at
    from job_skills
    inner join demand on job_skills.skill_id = demand.skill_id
    inner join recent_jobs on job_skills.posting_key = recent_jobs.posting_key
)

select * from final
