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
                cast(raw.{{ name }} as {{ type }}) as {{ name }},
            {%- endfor %}
            cast(raw.payload as {{ type_json() }}) as payload,
            raw.fetched_at,
            cast(raw._dlt_load_id as {{ dbt.type_string() }}) as load_id
        from {{ source('raw_cfbd', table_name) }} as raw
        where raw._dlt_load_id in (
            select loads.load_id from {{ source('raw_cfbd', '_dlt_loads') }} as loads
            where loads.status = 0
        )
    {%- else %}
        select
            {%- for name, type in columns.items() %}
                cast(null as {{ type }}) as {{ name }},
            {%- endfor %}
            cast(null as {{ type_json() }}) as payload,
            cast(null as {{ type_utc_timestamp() }}) as fetched_at,
            cast(null as {{ dbt.type_string() }}) as load_id
        where false
    {%- endif %}
{%- endmacro %}

{#- A true/false field at `path` of the JSON `expression`; false when absent or null. -#}
{% macro cfbd_flag(expression, path) -%}
    coalesce(cast({{ json_text(expression, path) }} as {{ dbt.type_boolean() }}), false)
{%- endmacro %}

{#- A whole number from a JSON text value, null when it is not one. -#}
{% macro cfbd_int(expression) -%}
    case when {{ regex_matches(expression, '^\\s*-?\\d+\\s*$') }} then cast(trim({{ expression }}) as {{ dbt.type_int() }}) end
{%- endmacro %}

{#- Box-score "made-attempted" strings ("7-12"): the made (part 1) or attempted (part 2) count. -#}
{% macro cfbd_pair_part(expression, part) -%}
    case
        when {{ regex_matches(expression, '^\\s*\\d+\\s*-\\s*\\d+\\s*$') }}
            then cast(trim({{ dbt.split_part(expression, "'-'", part) }}) as {{ dbt.type_int() }})
    end
{%- endmacro %}

{#- A "minutes:seconds" clock ("32:15") as seconds. -#}
{% macro cfbd_clock_seconds(expression) -%}
    case
        when {{ regex_matches(expression, '^\\s*\\d+:\\d{1,2}\\s*$') }}
            then cast(trim({{ dbt.split_part(expression, "':'", 1) }}) as {{ dbt.type_int() }}) * 60
            + cast(trim({{ dbt.split_part(expression, "':'", 2) }}) as {{ dbt.type_int() }})
    end
{%- endmacro %}
