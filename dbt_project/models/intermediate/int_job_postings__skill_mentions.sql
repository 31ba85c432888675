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

{#- Skills named in each posting's title and description. Only postings of loads not seen yet are
    tokenised; a reloaded posting replaces its mentions (delete+insert on job_id). -#}

with

postings as (
    select
        job_id,
        load_id,
        concat_ws(' . ', job_title, description) as posting_text
    from {{ ref('stg_jsearch__job_postings') }}
    where
        not is_quarantined
        and load_id > {{ load_watermark('load_id') }}
),

{{ skill_mention_ctes() }}

select * from final
