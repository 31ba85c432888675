{#- Portable JSON: API items kept whole in a raw `payload` column are jsonb on Postgres and JSON
    text on Spark (dlt's parquet writes json columns as strings). Models read them with these
    macros only, never with `->>` or `get_json_object` (orchestration/spark/README.md). A path is
    the field names from the top, dot-separated ('location.city'). -#}

{#- The type a JSON value is kept in: jsonb on Postgres, a string on Spark. -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json')()) }}
{%- endmacro %}

{% macro default__type_json() -%}
    jsonb
{%- endmacro %}

{% macro spark__type_json() -%}
    string
{%- endmacro %}

{#- The value at `path` of the JSON `expression` as text (a string unquoted, a number or a boolean
    as written, an object or an array as JSON); null when absent or JSON null. -#}
{% macro json_text(expression, path) -%}
    {{ return(adapter.dispatch('json_text')(expression, path)) }}
{%- endmacro %}

{% macro default__json_text(expression, path) -%}
    {%- set fields = path.split('.') -%}
    {%- if fields | length == 1 -%}
        {{ expression }} ->> '{{ path }}'
    {%- else -%}
        {{ expression }} #>> '{{ '{' ~ fields | join(',') ~ '}' }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__json_text(expression, path) -%}
    get_json_object({{ expression }}, '$.{{ path }}')
{%- endmacro %}

{#- How many elements the array at `path` has; null when it is absent or not an array. -#}
{% macro json_array_length(expression, path) -%}
    {{ return(adapter.dispatch('json_array_length')(expression, path)) }}
{%- endmacro %}

{% macro default__json_array_length(expression, path) -%}
    {%- set value = expression ~ " #> '{" ~ path.split('.') | join(',') ~ "}'" -%}
    case when jsonb_typeof({{ value }}) = 'array' then jsonb_array_length({{ value }}) end
{%- endmacro %}

{% macro spark__json_array_length(expression, path) -%}
    json_array_length(get_json_object({{ expression }}, '$.{{ path }}'))
{%- endmacro %}

{#- A join, written after the FROM item whose column `expression` it reads, giving one row per
    element of the array at `path` as `<alias>.item` (JSON, as type_json()); no row for an absent
    or non-array value, or, with `keep_empty`, one row with a null item (a left join). Chains:
    a later one may read an earlier one's `<alias>.item`. -#}
{% macro json_array_rows(expression, path, alias, keep_empty=false) -%}
    {{ return(adapter.dispatch('json_array_rows')(expression, path, alias, keep_empty)) }}
{%- endmacro %}

{% macro default__json_array_rows(expression, path, alias, keep_empty) -%}
    {%- set value = expression ~ " #> '{" ~ path.split('.') | join(',') ~ "}'" -%}
    {{ 'left' if keep_empty else 'cross' }} join lateral jsonb_array_elements(
        case when jsonb_typeof({{ value }}) = 'array' then {{ value }} else '[]'::jsonb end
    ) as {{ alias }} (item){{ ' on true' if keep_empty }}
{%- endmacro %}

{% macro spark__json_array_rows(expression, path, alias, keep_empty) -%}
    lateral view {{ 'outer ' if keep_empty }}explode(
        coalesce(from_json(get_json_object({{ expression }}, '$.{{ path }}'), 'array<string>'), cast(array() as array<string>))
    ) {{ alias }} as item
{%- endmacro %}
