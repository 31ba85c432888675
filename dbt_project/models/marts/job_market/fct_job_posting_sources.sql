{{
    config(
        materialized='incremental',
        unique_key='posting_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['posting_key']}, {'columns': ['posting_id'], 'unique': true}, {'columns': ['board']}],
    )
}}

{#- Bridge from each canonical job to the board postings it was built from: board, board job id,
    url, publisher and the match score (pg_trgm similarity of the posting's normalised title to
    the canonical posting's; 1 for the canonical posting). Jobs recomputed in fct_job_postings get
    their rows replaced whole (delete+insert on posting_key). -#}

with

jobs as (
    select
        posting_key,
        canonical_posting_id,
        posting_ids,
        last_load_id,
        last_unified_at
    from {{ ref('fct_job_postings') }}
    where last_unified_at > {{ processed_watermark('last_unified_at') }}
),

job_postings as (
    select
        jobs.posting_key,
        jobs.canonical_posting_id,
        jobs.last_load_id,
        jobs.last_unified_at,
        member.posting_id
    from jobs
    cross join lateral unnest(jobs.posting_ids) as member (posting_id)
),

postings as (
    select
        posting_id,
        board,
        board_job_id,
        publisher,
        apply_url,
        posted_at,
        job_title_normalized
    from {{ ref('int_job_postings__unified') }}
),

final as (
    select
        job_postings.posting_key,
        job_postings.posting_id,
        postings.board,
        postings.board_job_id,
        postings.publisher,
        postings.apply_url,
        postings.posted_at,
        job_postings.posting_id = job_postings.canonical_posting_id as is_canonical,
        round(case
            when job_postings.posting_id = job_postings.canonical_posting_id then 1
            else {{ trigram_similarity("postings.job_title_normalized", "canonical.job_title_normalized") }}
        end::numeric, 4) as match_score,
        job_postings.last_load_id,
        job_postings.last_unified_at
    from job_postings
    inner join postings on job_postings.posting_id = postings.posting_id
    inner join postings as canonical on job_postings.canonical_posting_id = canonical.posting_id
)

select * from final
