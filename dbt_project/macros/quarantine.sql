{#- The rows of quarantined_records (source_name, rule_name, reason, record_id, detected_at,
    load_id, raw_json). -#}

{% macro no_quarantined_records() -%}
    select
        null::text as source_name,
        null::text as rule_name,
        null::text as reason,
        null::text as record_id,
        null::timestamptz as detected_at,
        null::text as load_id,
        null::text as raw_json
    where false
{%- endmacro %}

{#- A source's rejects table (reason, reject_key, rejected_at, raw_json), each bad record once, as
    first rejected; nothing when the source was never loaded. `reason` and `key` are SQL over the
    table's alias `rejected`. -#}
{% macro source_rejects(source_name, table, reason='rejected.reason', key='rejected.reject_key') -%}
    {%- if raw_table_exists('raw_' ~ source_name, table) %}
        select distinct on ({{ key }})
            '{{ source_name }}' as source_name,
            'source_rejected' as rule_name,
            {{ reason }} as reason,
            {{ key }} as record_id,
            rejected.rejected_at as detected_at,
            rejected._dlt_load_id::text as load_id,
            rejected.raw_json
        from {{ source('raw_' ~ source_name, table) }} as rejected
        order by {{ key }} asc, rejected.rejected_at asc
    {%- else %}
        {{ no_quarantined_records() }}
    {%- endif %}
{%- endmacro %}
