{{ config(materialized='table') }}

{#- Survey salaries against posted salaries, per skill: the median annual USD salary of the salary
    surveys' respondents whose main skill it is, beside the median of the job postings that mention
    it (marts.mart_skill_salaries), and how far apart they are. Skills are matched by name against
    the taxonomy (marts.dim_skills); a survey skill the taxonomy lacks keeps its row with a null
    skill_id. `last_survey_load_id` traces the row to the newest dlt load behind it. -#}

with

responses as (
    select
        skill_name,
        skill_name_normalized,
        annual_salary_usd,
        survey_month,
        load_id
    from {{ ref('stg_salary_surveys__responses') }}
    where annual_salary_usd is not null
),

survey as (
    select
        skill_name_normalized,
        min(skill_name) as survey_skill_name,
        count(*) as survey_responses,
        min(survey_month) as first_survey_month,
        max(survey_month) as last_survey_month,
        round(percentile_cont(0.5) within group (order by annual_salary_usd)::numeric, 0) as survey_median_usd,
        max(load_id) as last_survey_load_id
    from responses
    group by skill_name_normalized
),

skills as (
    select
        skill_id,
        skill_name,
        lower(skill_name) as skill_name_normalized
    from {{ ref('dim_skills') }}
),

posted as (
    select
        skill_id,
        jobs_with_salary,
        salary_median_usd
    from {{ ref('mart_skill_salaries') }}
),

final as (
    select
        survey.skill_name_normalized,
        skills.skill_id,
        coalesce(skills.skill_name, survey.survey_skill_name) as skill_name,
        survey.survey_responses,
        survey.first_survey_month,
        survey.last_survey_month,
        survey.survey_median_usd,
        coalesce(posted.jobs_with_salary, 0) as posted_jobs_with_salary,
        posted.salary_median_usd as posted_median_usd,
        round((survey.survey_median_usd - posted.salary_median_usd) / nullif(posted.salary_median_usd, 0), 3)
            as survey_vs_posted,
        survey.last_survey_load_id
    from survey
    left join skills on survey.skill_name_normalized = skills.skill_name_normalized
    left join posted on skills.skill_id = posted.skill_id
)

select * from final
