{#- Whether raw_github.<table_name> and dlt's _dlt_loads exist (true while parsing): GitHub staging
    is empty, not failing, on a warehouse the source never loaded. -#}
{% macro github_raw_exists(table_name) -%}
    {{ return(raw_table_exists('raw_github', table_name) and raw_table_exists('raw_github', '_dlt_loads')) }}
{%- endmacro %}

{#- The moment the careers marts measure "recent" from: ELT_AS_OF when the run sets one (a
    backfill, the tests), else now. -#}
{% macro careers_as_of() -%}
    {%- set as_of = env_var('ELT_AS_OF', '') -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ dbt.current_timestamp() }}
    {%- endif -%}
{%- endmacro %}
