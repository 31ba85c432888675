{{ config(materialized='view') }}

{#- Every record kept out of the marts, with the rule it failed, from every board: the sources'
    rejects (not a posting at all) and staged postings that fail a hard rule. Nothing is dropped
    silently. A board never loaded into this warehouse has no rejects table and adds nothing. -#}

{%- set boards = {'jsearch': 'job_id', 'remotive': 'id', 'arbeitnow': 'slug', 'adzuna': 'id'} %}

with

{% for board, id_key in boards.items() %}
    {{ board }}_rejected as (
        {%- if raw_table_exists('raw_' ~ board, 'job_postings_rejected') %}
            select
                '{{ board }}' as source_name,
                'source_rejected' as rule_name,
                rejected.reason,
                coalesce(
                    case when rejected.raw_json ~ '^\s*\{' then rejected.raw_json::jsonb ->> '{{ id_key }}' end,
                    md5(rejected.raw_json)
                ) as record_id,
                rejected.rejected_at as detected_at,
                rejected._dlt_load_id as load_id,
                rejected.raw_json
            from {{ source('raw_' ~ board, 'job_postings_rejected') }} as rejected
        {%- else %}
            select
                null::text as source_name,
                null::text as rule_name,
                null::text as reason,
                null::text as record_id,
                null::timestamptz as detected_at,
                null::text as load_id,
                null::text as raw_json
            where false
        {%- endif %}
    ),

{% endfor %}

failed_hard_rules as (
    select
        postings.board as source_name,
        issue.rule_name,
        case issue.rule_name
            when 'missing_title' then 'posting has no job title'
            when 'missing_employer' then 'posting has no employer name'
        end as reason,
        postings.board_job_id as record_id,
        postings.fetched_at as detected_at,
        postings.load_id,
        null::text as raw_json
    from {{ ref('int_job_postings__unified') }} as postings
    cross join lateral unnest(postings.quality_issues) as issue (rule_name)
    where
        postings.is_quarantined
        and issue.rule_name in ('missing_title', 'missing_employer')
),

final as (
    {% for board in boards %}
        select * from {{ board }}_rejected
        union all
    {% endfor %}
    select * from failed_hard_rules
)

select * from final
