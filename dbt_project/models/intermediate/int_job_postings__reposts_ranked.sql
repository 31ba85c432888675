{#- Reposted jobs: the same employer, title and place under a new job id. Each posting is ranked
    within its dedup_key by posting time; rank 1 is the canonical posting. Ephemeral: callers
    filter on dedup_key, which Postgres pushes below the window functions. -#}

with

postings as (
    select
        job_id,
        load_id,
        dedup_key,
        posted_at
    from {{ ref('stg_jsearch__job_postings') }}
    where not is_quarantined
),

ranked as (
    select
        job_id,
        dedup_key,
        posted_at,
        row_number() over (partition by dedup_key order by posted_at, job_id) as repost_rank,
        count(*) over (partition by dedup_key) as posting_count,
        min(posted_at) over (partition by dedup_key) as first_posted_at,
        max(posted_at) over (partition by dedup_key) as last_posted_at,
        max(load_id) over (partition by dedup_key) as last_load_id,
        array_agg(job_id::text) over (
            partition by dedup_key order by posted_at, job_id
            rows between unbounded preceding and unbounded following
        ) as job_ids
    from postings
)

select * from ranked
