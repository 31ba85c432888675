{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['job_id']}, {'columns': ['load_id']}],
        pre_hook=[
            "set local jit = off",
            "set local work_mem = '256MB'",
            "set local enable_mergejoin = off",
        ],
    )
}}

{#- Skills named in each board posting's title and description, for every board: job_id is the
    board posting (posting_id, "board:board_job_id"), so each board's own text is read once and a
    job seen on several boards keeps each source's mentions; fct_job_posting_skills takes those of
    the job's canonical posting. Only postings of loads not seen yet are tokenised; a reloaded
    posting replaces its mentions (delete+insert on job_id). -#}

with

postings as (
    select
        posting_id as job_id,
        load_id,
        concat_ws(' . ', job_title, description) as posting_text
    from {{ ref('int_job_postings__unified') }}
    where
        not is_quarantined
        and load_id > {{ load_watermark('load_id') }}
),

{{ skill_mention_ctes() }}

select * from final
