{#- Whether raw_cfbd.<table_name> and dlt's _dlt_loads exist (true while parsing): CFBD staging is
    empty, not failing, on a warehouse the source never loaded. -#}
{% macro cfbd_raw_exists(table_name) -%}
    {{ return(raw_table_exists('raw_cfbd', table_name) and raw_table_exists('raw_cfbd', '_dlt_loads')) }}
{%- endmacro %}

{#- The rows of raw_cfbd.<table_name> from complete dlt loads: the API item (`payload`), when it was
    fetched, its load, and `columns` ({name: type}) of the raw table; no rows when the table was
    never loaded. Staging reads the item's camelCase fields from `payload`. -#}
{% macro cfbd_raw_rows(table_name, columns={}) -%}
    {%- if cfbd_raw_exists(table_name) %}
        select
            {%- for name, type in columns.items() %}
                raw.{{ name }}::{{ type }} as {{ name }},
            {%- endfor %}
            raw.payload::jsonb as payload,
            raw.fetched_at,
            raw._dlt_load_id::text as load_id
        from {{ source('raw_cfbd', table_name) }} as raw
        where raw._dlt_load_id in (
            select loads.load_id from {{ source('raw_cfbd', '_dlt_loads') }} as loads
            where loads.status = 0
        )
    {%- else %}
        select
            {%- for name, type in columns.items() %}
                null::{{ type }} as {{ name }},
            {%- endfor %}
            null::jsonb as payload,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    {%- endif %}
{%- endmacro %}

{#- A whole number from a JSON text value, null when it is not one. -#}
{% macro cfbd_int(expression) -%}
    case when ({{ expression }}) ~ '^\s*-?\d+\s*$' then trim({{ expression }})::integer end
{%- endmacro %}

{#- Box-score "made-attempted" strings ("7-12"): the made (part 1) or attempted (part 2) count. -#}
{% macro cfbd_pair_part(expression, part) -%}
    case
        when ({{ expression }}) ~ '^\s*\d+\s*-\s*\d+\s*$'
            then trim(split_part({{ expression }}, '-', {{ part }}))::integer
    end
{%- endmacro %}

{#- A "minutes:seconds" clock ("32:15") as seconds. -#}
{% macro cfbd_clock_seconds(expression) -%}
    case
        when ({{ expression }}) ~ '^\s*\d+:\d{1,2}\s*$'
            then trim(split_part({{ expression }}, ':', 1))::integer * 60
            + trim(split_part({{ expression }}, ':', 2))::integer
    end
{%- endmacro %}
