{{ config(materialized='view') }}

{#- All-time co-occurrence of skill pairs with lift: how much more often two skills appear
    together than if they were independent. lift = P(a and b) / (P(a) * P(b)) over all jobs. -#}

with

pairs as (
    select
        skill_id,
        other_skill_id,
        sum(jobs_with_both) as jobs_with_both
    from {{ ref('mart_skill_pairs_weekly') }}
    group by skill_id, other_skill_id
),

skill_totals as (
    select
        skill_id,
        count(*) as jobs_mentioning
    from {{ ref('fct_job_posting_skills') }}
    group by skill_id
),

job_total as (
    select count(*) as jobs
    from {{ ref('fct_job_postings') }}
),

final as (
    select
        pairs.skill_id,
        pairs.other_skill_id,
        pairs.jobs_with_both,
        left_totals.jobs_mentioning as skill_jobs,
        right_totals.jobs_mentioning as other_skill_jobs,
        round(
            pairs.jobs_with_both::numeric * job_total.jobs
            / (left_totals.jobs_mentioning * right_totals.jobs_mentioning), 3
        ) as lift
    from pairs
    inner join skill_totals as left_totals on pairs.skill_id = left_totals.skill_id
    inner join skill_totals as right_totals on pairs.other_skill_id = right_totals.skill_id
    cross join job_total
)

select * from final
