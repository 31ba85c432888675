{{ config(materialized='table') }}

{#- Salary by skill, in annual US dollars: the midpoint of each job's annual range in USD (or the
    one bound given; converted in int_job_postings__unified at the rate valid on the posting
    date), summarised per skill as p25, median and p75 with the number of jobs behind them.
    Voided (dirty) salaries are left out. Percentiles do not add up across weeks, so this table is
    recomputed whole (one pass over the jobs that have a salary). -#}

with

salaried_jobs as (
    select
        jobs.posting_key,
        (
            coalesce(jobs.salary_min_annual_usd, jobs.salary_max_annual_usd)
            + coalesce(jobs.salary_max_annual_usd, jobs.salary_min_annual_usd)) / 2
            as annual_salary_usd
    from {{ ref('fct_job_postings') }} as jobs
    where jobs.salary_min_annual_usd is not null or jobs.salary_max_annual_usd is not null
),

final as (
    select
        posting_skills.skill_id,
        skills.skill_name,
        skills.category,
        count(*) as jobs_with_salary,
        round(percentile_cont(0.25) within group (order by salaried_jobs.annual_salary_usd)::numeric, 0)
            as salary_p25_usd,
        round(percentile_cont(0.5) within group (order by salaried_jobs.annual_salary_usd)::numeric, 0)
            as salary_median_usd,
        round(percentile_cont(0.75) within group (order by salaried_jobs.annual_salary_usd)::numeric, 0)
            as salary_p75_usd
    from salaried_jobs
    inner join {{ ref('fct_job_posting_skills') }} as posting_skills
        on salaried_jobs.posting_key = posting_skills.posting_key
    inner join {{ ref('dim_skills') }} as skills on posting_skills.skill_id = skills.skill_id
    group by posting_skills.skill_id, skills.skill_name, skills.category
)

select * from final
