{{ config(materialized='table') }}

{#- Applications of the example applicant-tracking database per job posting applied to: how many,
    from how many candidates, how far they got (stages entered, stage_ats__stages) and where they
    stand now. Each posting is related to the job market's canonical job when the warehouse holds
    it (marts.fct_job_posting_sources by "board:board_job_id"), with its title and employer; a
    posting the job boards never delivered keeps its row, with a null job. `last_ats_load_id`
    traces the row to the newest dlt load behind it. -#}

with

applications as (
    select
        application_id,
        candidate_id,
        posting_id,
        posting_board,
        posting_job_id,
        applied_at,
        current_stage,
        is_closed,
        load_id
    from {{ ref('stg_ats__applications') }}
),

stages_reached as (
    select
        application_id,
        bool_or(stage_name = 'interview') as reached_interview,
        bool_or(stage_name = 'offer') as reached_offer
    from {{ ref('stg_ats__stages') }}
    group by application_id
),

posting_jobs as (
    select
        sources.posting_id,
        jobs.posting_key,
        jobs.job_title,
        jobs.employer_name,
        jobs.country_code
    from {{ ref('fct_job_posting_sources') }} as sources
    inner join {{ ref('fct_job_postings') }} as jobs on sources.posting_key = jobs.posting_key
),

per_posting as (
    select
        applications.posting_id,
        min(applications.posting_board) as posting_board,
        min(applications.posting_job_id) as posting_job_id,
        count(*) as applications,
        count(distinct applications.candidate_id) as candidates,
        count(*) filter (where coalesce(stages_reached.reached_interview, false)) as reached_interview,
        count(*) filter (where coalesce(stages_reached.reached_offer, false)) as reached_offer,
        count(*) filter (where applications.current_stage = 'hired') as hired,
        count(*) filter (where applications.current_stage = 'rejected') as rejected,
        count(*) filter (where not applications.is_closed) as open_applications,
        min(applications.applied_at) as first_applied_at,
        max(applications.applied_at) as last_applied_at,
        max(applications.load_id) as last_ats_load_id
    from applications
    left join stages_reached on applications.application_id = stages_reached.application_id
    group by applications.posting_id
),

final as (
    select
        per_posting.posting_id,
        per_posting.posting_board,
        per_posting.posting_job_id,
        posting_jobs.posting_key,
        posting_jobs.job_title,
        posting_jobs.employer_name,
        posting_jobs.country_code,
        posting_jobs.posting_key is not null as is_posting_in_warehouse,
        per_posting.applications,
        per_posting.candidates,
        per_posting.reached_interview,
        per_posting.reached_offer,
        per_posting.hired,
        per_posting.rejected,
        per_posting.open_applications,
        per_posting.first_applied_at,
        per_posting.last_applied_at,
        per_posting.last_ats_load_id
    from per_posting
    left join posting_jobs on per_posting.posting_id = posting_jobs.posting_id
)

select * from final
