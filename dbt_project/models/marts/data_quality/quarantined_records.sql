{{ config(materialized='view') }}

{#- Every record kept out of the marts, with the rule it failed: the source's rejects (not a
    posting at all) and staged postings that fail a hard rule. Nothing is dropped silently. -#}

with

rejected_by_source as (
    select
        'jsearch' as source_name,
        'source_rejected' as rule_name,
        rejected.reason,
        coalesce(rejected.raw_json::jsonb ->> 'job_id', md5(rejected.raw_json)) as record_id,
        rejected.rejected_at as detected_at,
        rejected._dlt_load_id as load_id,
        rejected.raw_json
    from {{ source('raw_jsearch', 'job_postings_rejected') }} as rejected
),

failed_hard_rules as (
    select
        'jsearch' as source_name,
        issue.rule_name,
        case issue.rule_name
            when 'missing_title' then 'posting has no job_title'
            when 'missing_employer' then 'posting has no employer_name'
        end as reason,
        postings.job_id as record_id,
        postings.fetched_at as detected_at,
        postings.load_id,
        null::text as raw_json
    from {{ ref('stg_jsearch__job_postings') }} as postings
    cross join lateral unnest(postings.quality_issues) as issue (rule_name)
    where
        postings.is_quarantined
        and issue.rule_name in ('missing_title', 'missing_employer')
),

final as (
    select * from rejected_by_source
    union all
    select * from failed_hard_rules
)

select * from final
