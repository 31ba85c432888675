{{ config(materialized='view') }}

{#- Every record kept out of the marts, with the rule it failed, from every board: the sources'
    rejects (not a posting at all) and staged postings that fail a hard rule; and from OpenAQ
    (air quality): the source's rejects and staged measurements quarantined by a rule (one row
    per rule a value fails); and the rejects of GitHub and CFBD (macros/quarantine.sql). Nothing
    is dropped silently. A source never loaded into this warehouse has no rejects table and adds
    nothing.
    A source reject counts once per bad record: rows share a record_key (the source's reject_key;
    rows loaded before it existed get one from their id, content or place, see below). -#}

{#- the job boards of the source registry, each with the key of its record id -#}
{%- set boards = {} %}
{%- for board in registered_sources('job_market') %}
    {%- do boards.update({board: source_record_id_key(board)}) %}
{%- endfor %}

with

{% for board, id_key in boards.items() %}
    {%- set has_table = raw_table_exists('raw_' ~ board, 'job_postings_rejected') %}
    {%- if has_table %}
        {{ board }}_rejected_rows as (
            select
                rejected.reason,
                coalesce(
                    case
                        when rejected.raw_json ~ '^\s*\{'
                            then nullif(btrim(rejected.raw_json::jsonb ->> '{{ id_key }}'), '')
                    end,
                    md5(rejected.raw_json)
                ) as record_id,
                rejected.rejected_at,
                rejected._dlt_load_id,
                rejected.raw_json,
                rejected.search_query,
                {%- if raw_column_exists('raw_' ~ board, 'job_postings_rejected', 'reject_key') %}
                    rejected.reject_key
                {%- else %}
                    null::text as reject_key
                {%- endif %}
            from {{ source('raw_' ~ board, 'job_postings_rejected') }} as rejected
        ),

        {{ board }}_rejected_keyed as (
            select
                *,
                coalesce(
                    reject_key,
                    -- stored before reject_key, once per query that returned it: the record is its id
                    -- (or content); equal values that are not objects, at n places of a listing, are n
                    -- records, ranked alike in every query of the load
                    'legacy:' || md5(concat_ws(
                        '|', reason, record_id,
                        case
                            when raw_json !~ '^\s*\{'
                                then _dlt_load_id || '#' || row_number() over (
                                    partition by _dlt_load_id, search_query, reason, raw_json
                                    order by rejected_at
                                )
                        end
                    ))
                ) as record_key
            from {{ board }}_rejected_rows
        ),
    {%- endif %}

    {{ board }}_rejected as (
        {%- if has_table %}
            -- each bad record once, as first rejected
            select distinct on (record_key)
                '{{ board }}' as source_name,
                'source_rejected' as rule_name,
                reason,
                record_id,
                rejected_at as detected_at,
                _dlt_load_id as load_id,
                raw_json
            from {{ board }}_rejected_keyed
            order by record_key asc, rejected_at asc, _dlt_load_id asc
        {%- else %}
            {{ no_quarantined_records() }}
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

openaq_rejected as (
    {{ source_rejects('openaq', 'measurements_rejected', key='coalesce(rejected.reject_key, md5(rejected.raw_json))') }}
),

github_rejected as (
    {{ source_rejects('github', 'records_rejected') }}
),

openaq_quarantined as (
    select
        'openaq' as source_name,
        issue.rule_name,
        case issue.rule_name
            when 'missing_value' then 'measurement has no value'
            when 'sentinel_value' then 'value ' || measurements.value_reported || ' is a no-data sentinel'
            when 'negative_value'
                then measurements.parameter_name || ' cannot be negative: ' || measurements.value_reported
            when 'unknown_unit'
                then format(
                    'no conversion of %s from %s',
                    measurements.parameter_name, coalesce(measurements.units_reported, '(no unit)')
                )
            when 'out_of_range'
                then format(
                    '%s %s %s is outside its plausible range',
                    measurements.parameter_name, measurements.canonical_value, measurements.canonical_unit
                )
            when 'missing_local_time' then 'measurement has no readable local time'
        end as reason,
        measurements.measurement_id as record_id,
        measurements.fetched_at as detected_at,
        measurements.load_id,
        json_build_object(
            'sensor_id', measurements.sensor_id,
            'location_id', measurements.location_id,
            'parameter', measurements.parameter_name,
            'units', measurements.units_reported,
            'period_end_utc', measurements.period_end_utc,
            'value', measurements.value_reported
        )::text as raw_json
    from {{ ref('stg_openaq__measurements') }} as measurements
    cross join lateral unnest(measurements.quality_issues) as issue (rule_name)
    where measurements.is_quarantined
),

cfbd_rejected as (
    -- CFBD (college football) rejects name the endpoint that served them
    {{ source_rejects('cfbd', 'rejected', reason="rejected.endpoint || ': ' || rejected.reason") }}
),

final as (
    {% for board in boards %}
        select * from {{ board }}_rejected
        union all
    {% endfor %}
    select * from failed_hard_rules
    union all
    select * from openaq_rejected
    union all
    select * from openaq_quarantined
    union all
    select * from github_rejected
    union all
    select * from cfbd_rejected
)

select * from final
