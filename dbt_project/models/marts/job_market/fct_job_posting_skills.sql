{{
    config(
        materialized='incremental',
        unique_key='posting_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['posting_key']}, {'columns': ['skill_id']}, {'columns': ['posted_week']}],
        post_hook=["delete from {{ this }} where skill_id is null"],
    )
}}

{#- Skills of each job, as named by its canonical posting (the board posting fct_job_postings
    describes the job with; each board's mentions stay in int_job_postings__skill_mentions).
    Recomputed: jobs touched by new loads, and jobs whose canonical posting was re-extracted after
    a taxonomy or rule change. A recomputed job gets its skill rows replaced whole (delete+insert
    on posting_key): a job left with no skill is written as one row without a skill, which
    deletes its old rows, and that row is removed by the post-hook. -#}

with

-- jobs touched by new loads, and jobs whose canonical posting was extracted again (a taxonomy
-- or rule change) since this model last ran
changed_job_keys as (
    select posting_key
    from {{ ref('fct_job_postings') }}
    where last_unified_at > {{ processed_watermark('last_unified_at') }}
    union
    select posting_key
    from {{ ref('fct_job_postings') }}
    where canonical_posting_id in ({{ reextracted_postings('extracted_at') }})
),

changed_jobs as (
    select
        posting_key,
        canonical_job_id,
        canonical_posting_id,
        posted_week,
        last_load_id,
        last_unified_at
    from {{ ref('fct_job_postings') }}
    where posting_key in (select changed_job_keys.posting_key from changed_job_keys)
),

mentions as (
    select
        job_id,
        skill_id,
        mention_count,
        first_position,
        first_surface_text,
        extracted_at
    from {{ ref('int_job_postings__skill_mentions') }}
),

final as (
    select
        changed_jobs.posting_key,
        mentions.skill_id,
        changed_jobs.canonical_job_id,
        changed_jobs.posted_week,
        mentions.mention_count,
        mentions.first_position,
        mentions.first_surface_text,
        changed_jobs.last_load_id,
        changed_jobs.last_unified_at,
        mentions.extracted_at
    from changed_jobs
    left join mentions on changed_jobs.canonical_posting_id = mentions.job_id
)

select * from final
