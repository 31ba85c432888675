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

{#- A hash of the given expressions' values, nulls included: what an incremental careers mart stores
    beside its rows to tell, on the next build, whether their inputs changed (like
    fct_profile_skills's alias_fingerprint). Cross-database: dbt.hash, dbt.concat, dbt.type_string. -#}
{% macro careers_fingerprint(expressions) -%}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- When this build of a careers mart ran: the run marker its rewritten rows carry, which the marts
    downstream compare with their own (macro processed_watermark), as the skill mentions' extracted_at. -#}
{% macro careers_built_at() -%}
    cast('{{ run_started_at }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Whether this incremental careers mart's existing table has `column_name`, the state it compares
    with: not on a full build, nor on a warehouse whose table was built before the mart was
    incremental (then every profile counts as changed, and the rows it had are replaced). -#}
{% macro careers_state_exists(column_name) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {{ return(column_name | lower in names) }}
{%- endmacro %}
