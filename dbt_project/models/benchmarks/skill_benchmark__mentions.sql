{{
    config(
        enabled=var('skill_benchmark', false),
        materialized='table',
        schema='skill_benchmark',
        pre_hook=["set local jit = off", "set local enable_mergejoin = off"],
    )
}}

with

postings as (
    select
        doc_id as job_id,
        'benchmark' as load_id,
        posting_text
    from {{ source('skill_benchmark', 'postings') }}
),

{{ skill_mention_ctes() }}

select * from final
