{{ config(materialized='table') }}

{#- Emerging and declining skills. For the newest week W with jobs, compare each skill's share of
    jobs in the recent window (W and the 3 weeks before) with the prior window (the 4 weeks
    before that):
        recent_share = jobs mentioning the skill / all jobs, over the recent window
        prior_share  = the same over the prior window
        growth       = (recent_share - prior_share) / prior_share
    A skill needs at least `trend_min_support` mentions over both windows to be judged:
    emerging when growth >= trend_emerging_growth, declining when growth <= -trend_declining_drop,
    new when it was absent before, else stable. Built from the weekly marts, so it is small. -#}

{%- set window_weeks = var('trend_window_weeks', 4) %}

with

weekly_jobs as (
    select
        posted_week as week_start,
        count(*) as jobs_in_week
    from {{ ref('fct_job_postings') }}
    group by posted_week
),

as_of as (
    select max(week_start) as as_of_week
    from weekly_jobs
),

windows as (
    select
        weekly_jobs.week_start,
        weekly_jobs.jobs_in_week,
        case
            when weekly_jobs.week_start > as_of.as_of_week - interval '{{ window_weeks }} weeks' then 'recent'
            when weekly_jobs.week_start > as_of.as_of_week - interval '{{ 2 * window_weeks }} weeks' then 'prior'
        end as trend_window
    from weekly_jobs
    cross join as_of
),

window_totals as (
    select
        sum(jobs_in_week) filter (where trend_window = 'recent') as recent_jobs,
        sum(jobs_in_week) filter (where trend_window = 'prior') as prior_jobs
    from windows
),

skill_windows as (
    select
        demand.skill_id,
        coalesce(sum(demand.jobs_mentioning) filter (where windows.trend_window = 'recent'), 0)
            as recent_mentions,
        coalesce(sum(demand.jobs_mentioning) filter (where windows.trend_window = 'prior'), 0)
            as prior_mentions
    from {{ ref('mart_skill_demand_weekly') }} as demand
    inner join windows on demand.week_start = windows.week_start
    where windows.trend_window is not null
    group by demand.skill_id
),

shares as (
    select
        skill_windows.skill_id,
        skill_windows.recent_mentions,
        skill_windows.prior_mentions,
        round(skill_windows.recent_mentions::numeric / nullif(window_totals.recent_jobs, 0), 4) as recent_share,
        round(skill_windows.prior_mentions::numeric / nullif(window_totals.prior_jobs, 0), 4) as prior_share
    from skill_windows
    cross join window_totals
),

final as (
    select
        shares.skill_id,
        skills.skill_name,
        skills.category,
        as_of.as_of_week,
        shares.recent_mentions,
        shares.prior_mentions,
        shares.recent_share,
        shares.prior_share,
        round((shares.recent_share - shares.prior_share) / nullif(shares.prior_share, 0), 4) as growth,
        case
            when shares.recent_mentions + shares.prior_mentions < {{ var('trend_min_support', 20) }}
                then 'insufficient_support'
            when shares.prior_mentions = 0 then 'new'
            when
                (shares.recent_share - shares.prior_share) / nullif(shares.prior_share, 0)
                >= {{ var('trend_emerging_growth', 0.25) }} then 'emerging'
            when
                (shares.recent_share - shares.prior_share) / nullif(shares.prior_share, 0)
                <= -{{ var('trend_declining_drop', 0.2) }} then 'declining'
            else 'stable'
        end as trend
    from shares
    inner join {{ ref('dim_skills') }} as skills on shares.skill_id = skills.skill_id
    cross join as_of
)

select * from final
