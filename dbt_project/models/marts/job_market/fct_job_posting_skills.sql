{{
    config(
        materialized='incremental',
        unique_key='posting_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['posting_key']}, {'columns': ['skill_id']}, {'columns': ['posted_week']}],
    )
}}

{#- Skills of each job, as named by its canonical posting (the board posting fct_job_postings
    describes the job with; each board's mentions stay in int_job_postings__skill_mentions). Jobs recomputed in fct_job_postings get their skill
    rows replaced whole (delete+insert on posting_key), so a skill that disappeared is removed. -#}

with

jobs as (
    select
        posting_key,
        canonical_job_id,
        canonical_posting_id,
        posted_week,
        last_load_id
    from {{ ref('fct_job_postings') }}
    where last_load_id > {{ load_watermark('last_load_id') }}
),

mentions as (
    select
        job_id,
        skill_id,
        mention_count,
        first_position,
        first_surface_text
    from {{ ref('int_job_postings__skill_mentions') }}
),

final as (
    select
        jobs.posting_key,
        mentions.skill_id,
        jobs.canonical_job_id,
        jobs.posted_week,
        mentions.mention_count,
        mentions.first_position,
        mentions.first_surface_text,
        jobs.last_load_id
    from jobs
    inner join mentions on jobs.canonical_posting_id = mentions.job_id
)

select * from final
